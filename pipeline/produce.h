// `sentistream produce`: loads dump files into a Kafka topic, one post per message in the
// canonical form (operators/parse/canonical.h), keyed by post id. Used to feed live mode
// in tests, demos and benchmarks.
//
// Documents the parser rejects as a whole (invalid JSON, not a post, ...) are sent as they
// are, without a key, so a consumer sees them and sends them to its DLQ exactly as replay
// would. Posts rejected inside an otherwise valid API response, and documents over
// input.max_document_bytes, cannot be sent on their own: they are counted
// (`posts_not_sent`, `documents_too_large`) in the summary instead.
//
// Threading: one thread reads, parses and produces; librdkafka's own threads send.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/commands.h"

namespace sentistream {

struct ProduceArgs {
  std::string brokers;
  std::string topic;
  double rate = 0;                    // messages per second; 0 = as fast as possible
  std::string key = "id";             // id: post id as message key; none: no key
  std::string partitions_by = "key";  // key: hash of the key (murmur2, as Java); random
  std::vector<std::string> inputs;
};

int run_produce(const CommonArgs& common, const ProduceArgs& args);

// Token-bucket pacing for --rate: callers ask before each message; every `chunk`
// messages (about 10 ms worth) it sleeps until the schedule allows the next chunk, so the
// average rate holds without a busy-wait or a sleep per message. Bursts are at most one
// chunk. Not thread-safe (one producing thread).
class RatePacer {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RatePacer(double messages_per_second);
  // Call before sending each message; may sleep.
  void before_send();

 private:
  double rate_;
  uint64_t chunk_;
  uint64_t sent_ = 0;
  Clock::time_point start_;
};

}  // namespace sentistream

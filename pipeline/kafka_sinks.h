// Live-mode sinks: aggregates to a Kafka topic (upsert key, JSON value, headers) and
// rejected messages to a dead-letter topic (original bytes, headers with reason and
// origin). Both share one idempotent producer.
//
// Delivery: librdkafka retries failed sends on its own (message.timeout.ms). A send that
// still fails is counted and logged; flush() — called before every checkpoint — throws
// when any send failed since the last one, so the checkpoint that would have skipped the
// lost records is never written and a restart re-emits them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "pipeline/kafka_common.h"
#include "pipeline/sink.h"

namespace sentistream {

class KafkaProducer {
 public:
  using LogFn = std::function<void(const std::string& level, const std::string& event,
                                   const std::string& message)>;
  // on_failure(topic) is called once per finally failed message (metrics).
  KafkaProducer(const std::map<std::string, std::string>& properties, LogFn log,
                std::function<void(const std::string&)> on_failure = {});
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  struct Header {
    const char* name;
    std::string_view value;
  };
  // Copies key, value and headers; waits (serving delivery reports) while the local
  // queue is full.
  void produce(const std::string& topic, std::string_view key, std::string_view value,
               const Header* headers, std::size_t header_count);
  // Waits until every message is delivered or has finally failed; throws SinkError if
  // any failed since the previous flush.
  void flush();
  void poll() { rd_kafka_poll(rk_, 0); }

 private:
  static void delivery_trampoline(rd_kafka_t*, const rd_kafka_message_t*, void*);
  rd_kafka_t* rk_ = nullptr;
  LogFn log_;
  std::function<void(const std::string&)> on_failure_;
  std::atomic<uint64_t> failed_total_{0};
  uint64_t failed_at_last_flush_ = 0;
  std::string first_error_;
};

// Message key = append_aggregate_key (spec|start|group key); value = the JSON line
// without its newline; headers: revision, final, schema.
std::unique_ptr<AggregateSink> make_kafka_aggregate_sink(KafkaProducer& producer, std::string topic,
                                                         int decimals);

// Value = the original message bytes, cut to max_value_bytes (and to the source's kept
// prefix of an oversized one); headers: reason, detail, source topic, partition and
// offset, post index, truncated.
std::unique_ptr<RejectSink> make_kafka_dlq_sink(KafkaProducer& producer, std::string topic,
                                                const PartitionTable& partitions,
                                                std::size_t max_value_bytes);

// Writes to several sinks in order (e.g. a Kafka topic and a file). Sink is
// AggregateSink or RejectSink; Item is what its write() takes.
template <class Sink, class Item>
class Fanout final : public Sink {
 public:
  void add(std::unique_ptr<Sink> s) { sinks_.push_back(std::move(s)); }
  void write(const Item& item) override {
    for (auto& s : sinks_) s->write(item);
  }
  void flush() override {
    for (auto& s : sinks_) s->flush();
  }
  void close() override {
    for (auto& s : sinks_) s->close();
  }
  bool empty() const { return sinks_.empty(); }

 private:
  std::vector<std::unique_ptr<Sink>> sinks_;
};
using FanoutAggregateSink = Fanout<AggregateSink, std::vector<WindowAggregate>>;
using FanoutRejectSink = Fanout<RejectSink, DeadLetter>;

}  // namespace sentistream

// Pieces shared by the Kafka source, the Kafka sinks and `produce`: building a librdkafka
// configuration from the [kafka.consumer] / [kafka.producer] tables, and the table of
// dense partition ids used inside batches and window state.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sentistream {

class KafkaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Builds an rd_kafka_conf_t from verbatim properties (user's first, then `defaults` for
// keys the user did not set, then `forced` which always win). Throws KafkaError naming
// the table and key of a property librdkafka rejects; secret values are never shown.
rd_kafka_conf_t* make_kafka_conf(const std::map<std::string, std::string>& user,
                                 const std::string& table,
                                 const std::map<std::string, std::string>& defaults,
                                 const std::map<std::string, std::string>& forced);

// Routes librdkafka's own log lines (which it otherwise prints to stderr in its own
// format) to sentistream's logger: syslog levels 0-3 as error, 4 warn, 5-6 info, 7 debug.
void route_kafka_logs(rd_kafka_conf_t* conf);

// (topic, partition) <-> dense id. Ids are assigned in order of first sight, never
// reused, and restored from a checkpoint so the window state's partition ids keep their
// meaning across restarts. Thread-safe; used a few times per batch, never per message.
class PartitionTable {
 public:
  uint32_t id(const std::string& topic, int32_t partition);
  // Registers a known mapping (from a checkpoint).
  void restore(uint32_t id, const std::string& topic, int32_t partition);
  std::pair<std::string, int32_t> name(uint32_t id) const;
  std::string label(uint32_t id) const;  // "topic[3]"

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int32_t>, uint32_t> ids_;
  std::vector<std::pair<std::string, int32_t>> names_;
};

}  // namespace sentistream

#include "pipeline/kafka_common.h"

#include "config/config.h"
#include "pipeline/log.h"

namespace sentistream {

rd_kafka_conf_t* make_kafka_conf(const std::map<std::string, std::string>& user,
                                 const std::string& table,
                                 const std::map<std::string, std::string>& defaults,
                                 const std::map<std::string, std::string>& forced) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& key, const std::string& value, const std::string& where) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::string shown = is_secret_key(key) ? std::string("***") : value;
      std::string msg = where + "." + key + " = \"" + shown + "\": " + err;
      rd_kafka_conf_destroy(conf);
      throw KafkaError(msg);
    }
  };
  for (const auto& [k, v] : user) {
    if (!forced.count(k)) set(k, v, table);
  }
  for (const auto& [k, v] : defaults) {
    if (!user.count(k) && !forced.count(k)) set(k, v, "sentistream default " + table);
  }
  for (const auto& [k, v] : forced) set(k, v, "sentistream (required) " + table);
  return conf;
}

void route_kafka_logs(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(
      conf, [](const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
        LogLevel l = level <= 3   ? LogLevel::error
                     : level == 4 ? LogLevel::warn
                     : level <= 6 ? LogLevel::info
                                  : LogLevel::debug;
        logger().log(l, "librdkafka", buf, {{"client", rd_kafka_name(rk)}, {"facility", fac}});
      });
}

uint32_t PartitionTable::id(const std::string& topic, int32_t partition) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = ids_.try_emplace({topic, partition}, static_cast<uint32_t>(names_.size()));
  if (inserted) names_.emplace_back(topic, partition);
  return it->second;
}

void PartitionTable::restore(uint32_t id, const std::string& topic, int32_t partition) {
  std::lock_guard lock(mu_);
  if (names_.size() <= id) names_.resize(id + 1, {"", -1});
  names_[id] = {topic, partition};
  ids_[{topic, partition}] = id;
}

std::pair<std::string, int32_t> PartitionTable::name(uint32_t id) const {
  std::lock_guard lock(mu_);
  return id < names_.size() ? names_[id] : std::pair<std::string, int32_t>{"?", -1};
}

std::string PartitionTable::label(uint32_t id) const {
  auto [topic, partition] = name(id);
  return topic + "[" + std::to_string(partition) + "]";
}

}  // namespace sentistream

#include "pipeline/kafka_sinks.h"

#include <thread>

#include "pipeline/encode.h"

namespace sentistream {

namespace {
constexpr const char* kSchema = "sentistream.aggregate.v1";
}

KafkaProducer::KafkaProducer(const std::map<std::string, std::string>& properties, LogFn log,
                             std::function<void(const std::string&)> on_failure)
    : log_(std::move(log)), on_failure_(std::move(on_failure)) {
  // Idempotence: librdkafka's retries never duplicate or reorder a partition's records.
  std::map<std::string, std::string> defaults = {
      {"enable.idempotence", "true"}, {"linger.ms", "5"}, {"compression.type", "lz4"}};
  rd_kafka_conf_t* conf = make_kafka_conf(properties, "kafka.producer", defaults, {});
  rd_kafka_conf_set_opaque(conf, this);
  route_kafka_logs(conf);
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaProducer::delivery_trampoline);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    throw KafkaError(std::string("cannot create the Kafka producer: ") + err);
  }
}

KafkaProducer::~KafkaProducer() {
  if (rk_) {
    rd_kafka_flush(rk_, 5000);
    rd_kafka_destroy(rk_);
  }
}

void KafkaProducer::delivery_trampoline(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  if (m->err) {
    // Delivery reports run on the thread that polls the producer (the output stage).
    if (self->first_error_.empty()) self->first_error_ = rd_kafka_err2str(m->err);
    self->failed_total_.fetch_add(1);
    if (self->on_failure_) self->on_failure_(rd_kafka_topic_name(m->rkt));
    if (self->log_) {
      self->log_("error", "delivery_failed",
                 std::string(rd_kafka_topic_name(m->rkt)) + ": " + rd_kafka_err2str(m->err));
    }
  }
}

void KafkaProducer::produce(const std::string& topic, std::string_view key, std::string_view value,
                            const Header* headers, std::size_t header_count) {
  for (;;) {
    rd_kafka_headers_t* hdrs = nullptr;
    if (header_count > 0) {
      hdrs = rd_kafka_headers_new(header_count);
      for (std::size_t i = 0; i < header_count; ++i) {
        rd_kafka_header_add(hdrs, headers[i].name, -1, headers[i].value.data(),
                            static_cast<ssize_t>(headers[i].value.size()));
      }
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_HEADERS(hdrs),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;  // librdkafka owns hdrs now
    if (hdrs) rd_kafka_headers_destroy(hdrs);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk_, 100);  // backpressure: wait for deliveries
      continue;
    }
    throw SinkError("cannot produce to topic '" + topic + "': " + rd_kafka_err2str(err));
  }
}

void KafkaProducer::flush() {
  // Waits as long as librdkafka keeps retrying (bounded by message.timeout.ms): a broker
  // that is down for a while stalls the pipeline (backpressure), it does not lose output.
  while (rd_kafka_outq_len(rk_) > 0) rd_kafka_flush(rk_, 1000);
  uint64_t failed = failed_total_.load();
  if (failed != failed_at_last_flush_) {
    uint64_t n = failed - failed_at_last_flush_;
    failed_at_last_flush_ = failed;
    throw SinkError(std::to_string(n) +
                    " Kafka deliveries failed finally (first error: " + first_error_ +
                    "); not checkpointing past them, a restart re-emits from the last "
                    "checkpoint");
  }
}

namespace {

class KafkaAggregateSink final : public AggregateSink {
 public:
  KafkaAggregateSink(KafkaProducer& p, std::string topic, int decimals)
      : producer_(p), topic_(std::move(topic)), decimals_(decimals) {}
  void write(const std::vector<WindowAggregate>& closed) override {
    for (const auto& a : closed) {
      key_.clear();
      append_aggregate_key(a, key_);
      value_.clear();
      append_aggregate_json(a, decimals_, value_);
      if (!value_.empty() && value_.back() == '\n') value_.pop_back();
      revision_ = std::to_string(a.revision);
      KafkaProducer::Header h[] = {
          {"revision", revision_}, {"final", a.final ? "true" : "false"}, {"schema", kSchema}};
      producer_.produce(topic_, key_, value_, h, 3);
    }
    producer_.poll();
  }
  void flush() override { producer_.flush(); }
  void close() override {}

 private:
  KafkaProducer& producer_;
  std::string topic_;
  int decimals_;
  std::string key_, value_, revision_;
};

class KafkaDlqSink final : public RejectSink {
 public:
  KafkaDlqSink(KafkaProducer& p, std::string topic, const PartitionTable& partitions,
               std::size_t max_value_bytes)
      : producer_(p),
        topic_(std::move(topic)),
        partitions_(partitions),
        max_value_bytes_(max_value_bytes) {}
  void write(const DeadLetter& d) override {
    std::string source_topic;
    partition_.clear();
    offset_.clear();
    if (d.doc) {
      auto [t, p] = partitions_.name(d.doc->partition);
      source_topic = t;
      partition_ = std::to_string(p);
      offset_ = std::to_string(d.doc->line);
    }
    post_index_ = std::to_string(d.post_index);
    // An input message can be larger than what this producer may send: keep a prefix
    // (truncated=true) rather than fail the send and, with it, every restart.
    std::string_view value = d.raw_omitted ? std::string_view() : d.raw;
    const bool cut = value.size() > max_value_bytes_;
    if (cut) value = value.substr(0, max_value_bytes_);
    KafkaProducer::Header h[] = {{"reason", to_string(d.reason)},
                                 {"detail", d.detail},
                                 {"source_topic", source_topic},
                                 {"source_partition", partition_},
                                 {"source_offset", offset_},
                                 {"post_index", post_index_},
                                 {"truncated", d.truncated || cut ? "true" : "false"},
                                 {"raw_omitted", d.raw_omitted ? "true" : "false"}};
    // The original bytes as the value; a second entry for the same message (another bad
    // post of one API response) carries headers only.
    producer_.produce(topic_, {}, value, h, 8);
  }
  void flush() override { producer_.flush(); }
  void close() override {}

 private:
  KafkaProducer& producer_;
  std::string topic_;
  const PartitionTable& partitions_;
  std::size_t max_value_bytes_;
  std::string partition_, offset_, post_index_;
};

}  // namespace

std::unique_ptr<AggregateSink> make_kafka_aggregate_sink(KafkaProducer& producer, std::string topic,
                                                         int decimals) {
  return std::make_unique<KafkaAggregateSink>(producer, std::move(topic), decimals);
}

std::unique_ptr<RejectSink> make_kafka_dlq_sink(KafkaProducer& producer, std::string topic,
                                                const PartitionTable& partitions,
                                                std::size_t max_value_bytes) {
  return std::make_unique<KafkaDlqSink>(producer, std::move(topic), partitions, max_value_bytes);
}

}  // namespace sentistream

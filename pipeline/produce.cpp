#include "pipeline/produce.h"

#include <librdkafka/rdkafkacpp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "config/config.h"
#include "operators/parse/canonical.h"
#include "operators/parse/parser.h"
#include "pipeline/batch.h"
#include "pipeline/batch_processor.h"
#include "pipeline/byte_stream.h"
#include "pipeline/source.h"

namespace sentistream {

RatePacer::RatePacer(double messages_per_second)
    : rate_(messages_per_second),
      // ~10 ms of messages per chunk, at least one: a sleep per chunk, not per message.
      chunk_(std::max<uint64_t>(1, static_cast<uint64_t>(messages_per_second / 100))),
      start_(Clock::now()) {}

void RatePacer::before_send() {
  if (rate_ <= 0) return;
  if (sent_ % chunk_ == 0 && sent_ > 0) {
    // The chunk that starts now may begin once sent_ messages' worth of time has passed.
    auto due = start_ + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(double(sent_) / rate_));
    if (Clock::now() < due) std::this_thread::sleep_until(due);
  }
  ++sent_;
}

namespace {

// Delivery reports, served on the producing thread inside poll()/flush().
class DeliveryReports final : public RdKafka::DeliveryReportCb {
 public:
  uint64_t delivered = 0;
  uint64_t delivered_bytes = 0;
  uint64_t failed = 0;
  std::map<std::string, uint64_t> failures_by_error;

  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      ++delivered;
      delivered_bytes += message.len();
    } else {
      fail(RdKafka::err2str(message.err()));
    }
  }

  // Logs the first failure of each kind at once; the counts per kind come at the end.
  void fail(const std::string& error) {
    ++failed;
    if (failures_by_error[error]++ == 0) {
      std::cerr << "sentistream produce: delivery failed: " << error
                << " (further failures of this kind are counted, not logged)\n";
    }
  }
};

// Sets a librdkafka property; on failure adds a message naming it and returns false.
bool set_property(RdKafka::Conf& conf, const std::string& name, const std::string& value,
                  const std::string& origin, std::vector<std::string>& problems) {
  std::string err;
  if (conf.set(name, value, err) != RdKafka::Conf::CONF_OK) {
    problems.push_back(origin + " " + name + "=" + value + ": " + err);
    return false;
  }
  return true;
}

// Parses each document of a batch and produces its posts, or the document itself when the
// parser rejects it as a whole.
class PostSender final : public PostVisitor {
 public:
  PostSender(RdKafka::Producer& producer, RdKafka::Topic& topic, DeliveryReports& reports,
             const ProduceArgs& args, ParseOptions parse)
      : producer_(producer),
        topic_(topic),
        reports_(reports),
        keyed_(args.key == "id"),
        pacer_(args.rate),
        parser_(parse) {}

  uint64_t documents = 0;
  uint64_t posts = 0;
  uint64_t raw_documents = 0;
  uint64_t posts_not_sent = 0;
  uint64_t documents_too_large = 0;

  void send_batch(const Batch& batch) {
    const size_t capacity_end = batch.bytes.size();  // includes the padding after the last doc
    for (const RawDoc& d : batch.docs) {
      ++documents;
      if (d.too_large) {
        ++documents_too_large;
        continue;
      }
      std::string_view json(batch.bytes.data() + d.offset, d.length);
      doc_posts_ = 0;
      doc_rejected_ = false;
      parser_.parse(json, capacity_end - d.offset, *this);
      if (doc_rejected_) {
        if (doc_posts_ == 0) {
          ++raw_documents;
          send(json, {});
        } else {
          ++posts_not_sent;  // a response broken after some posts: they were sent already
        }
      }
    }
  }

  void on_post(const Post& post, std::size_t) override {
    value_.clear();
    write_canonical_json(post, value_);
    ++doc_posts_;
    ++posts;
    send(value_, keyed_ ? post.id : std::string_view{});
  }

  void on_reject(RejectReason, std::size_t index, std::string_view) override {
    if (index == kWholeDocument) {
      doc_rejected_ = true;
    } else {
      ++posts_not_sent;
    }
  }

 private:
  void send(std::string_view value, std::string_view key) {
    pacer_.before_send();
    for (;;) {
      RdKafka::ErrorCode err =
          producer_.produce(&topic_, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                            const_cast<char*>(value.data()), value.size(),
                            key.empty() ? nullptr : key.data(), key.size(), nullptr);
      if (err == RdKafka::ERR_NO_ERROR) break;
      if (err == RdKafka::ERR__QUEUE_FULL) {
        // librdkafka's queue is full: serve delivery reports until there is room.
        producer_.poll(100);
        continue;
      }
      reports_.fail(RdKafka::err2str(err));  // e.g. a raw document over message.max.bytes
      return;
    }
    ++produced_;
    // Serve delivery reports regularly so their queue stays short.
    if ((produced_ & 1023) == 0) producer_.poll(0);
  }

  RdKafka::Producer& producer_;
  RdKafka::Topic& topic_;
  DeliveryReports& reports_;
  bool keyed_;
  RatePacer pacer_;
  DocumentParser parser_;
  std::string value_;  // reused: no allocation per post once grown
  uint64_t produced_ = 0;
  uint64_t doc_posts_ = 0;
  bool doc_rejected_ = false;
};

// Checks that the topic exists (the test broker does not auto-create topics, and an
// unknown topic would otherwise only fail after message.timeout.ms). Returns its partition
// count, or -1 after printing why.
int topic_partitions(RdKafka::Producer& producer, RdKafka::Topic& topic,
                     const std::string& brokers) {
  RdKafka::Metadata* raw = nullptr;
  RdKafka::ErrorCode err = producer.metadata(false, &topic, &raw, 10000);
  std::unique_ptr<RdKafka::Metadata> md(raw);
  if (err != RdKafka::ERR_NO_ERROR) {
    std::cerr << "sentistream produce: cannot reach the brokers " << brokers << ": "
              << RdKafka::err2str(err) << "\n";
    return -1;
  }
  for (const RdKafka::TopicMetadata* t : *md->topics()) {
    if (t->topic() != topic.name()) continue;
    if (t->err() != RdKafka::ERR_NO_ERROR) {
      std::cerr << "sentistream produce: topic '" << topic.name() << "' on " << brokers << ": "
                << RdKafka::err2str(t->err()) << " (create it first)\n";
      return -1;
    }
    return static_cast<int>(t->partitions()->size());
  }
  std::cerr << "sentistream produce: topic '" << topic.name() << "' not found on " << brokers
            << "\n";
  return -1;
}

}  // namespace

int run_produce(const CommonArgs& common, const ProduceArgs& args) {
  Config config;
  try {
    config = load_config({common.config_file, common.overrides, true});
  } catch (const ConfigError& e) {
    std::cerr << "sentistream: invalid configuration:\n";
    for (const auto& p : e.problems()) std::cerr << "  " << p << "\n";
    return 2;
  }
  if (!(args.rate >= 0) || !std::isfinite(args.rate)) {
    std::cerr << "sentistream produce: --rate must be a number of messages per second >= 0\n";
    return 2;
  }

  // Producer settings: throughput-friendly defaults, then [kafka.producer] / --set
  // kafka.producer.x=y (the user's word wins), then --brokers.
  DeliveryReports reports;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::vector<std::string> problems;
  const std::pair<const char*, const char*> defaults[] = {
      {"enable.idempotence", "true"},  // retries never duplicate or reorder a partition
      {"linger.ms", "5"},
      {"batch.size", "1000000"},
      {"batch.num.messages", "100000"},
      {"compression.type", "lz4"},
      {"queue.buffering.max.messages", "500000"},
      {"partitioner", args.partitions_by == "random" ? "random" : "murmur2_random"},
  };
  for (const auto& [name, value] : defaults) set_property(*conf, name, value, "default", problems);
  for (const auto& [name, value] : config.kafka_producer) {
    set_property(*conf, name, value, "kafka.producer:", problems);
  }
  set_property(*conf, "bootstrap.servers", args.brokers, "--brokers:", problems);
  std::string err;
  if (conf->set("dr_cb", &reports, err) != RdKafka::Conf::CONF_OK) problems.push_back(err);
  if (!problems.empty()) {
    std::cerr << "sentistream produce: invalid producer setting:\n";
    for (const auto& p : problems) std::cerr << "  " << p << "\n";
    return 2;
  }

  // Every input must be readable before anything is sent.
  for (const auto& path : args.inputs) {
    if (path != "-" && ::access(path.c_str(), R_OK) != 0) {
      std::cerr << "sentistream: " << path << ": cannot read: " << std::strerror(errno) << "\n";
      return 1;
    }
  }

  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  if (!producer) {
    std::cerr << "sentistream produce: cannot create the Kafka producer: " << err << "\n";
    return 2;
  }
  std::unique_ptr<RdKafka::Topic> topic(
      RdKafka::Topic::create(producer.get(), args.topic, nullptr, err));
  if (!topic) {
    std::cerr << "sentistream produce: topic '" << args.topic << "': " << err << "\n";
    return 2;
  }
  int partitions = topic_partitions(*producer, *topic, args.brokers);
  if (partitions < 0) return 1;

  const auto t0 = std::chrono::steady_clock::now();
  PostSender sender(*producer, *topic, reports, args, ProcessorConfig::from(config).parse);
  int rc = 0;
  try {
    FileSourceOptions so;
    so.batch_docs = static_cast<size_t>(config.batch_docs);
    so.batch_bytes = static_cast<size_t>(config.batch_bytes);
    so.max_document_bytes = static_cast<size_t>(config.max_document_bytes);
    so.padding = parse_padding();
    FileSource source(args.inputs, so);
    Batch batch;
    for (;;) {
      batch.clear();
      if (!source.next(batch)) break;
      sender.send_batch(batch);
    }
  } catch (const std::exception& e) {  // unreadable or truncated input: send what we have
    std::cerr << "sentistream produce: " << e.what() << "\n";
    rc = 1;
  }

  // Wait for every message to be delivered or to fail (librdkafka fails a message after
  // message.timeout.ms at the latest, so this ends).
  while (producer->outq_len() > 0) producer->flush(1000);
  producer->poll(0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  for (const auto& [error, count] : reports.failures_by_error) {
    std::cerr << "sentistream produce: " << count << " message(s) failed: " << error << "\n";
  }
  char numbers[512];
  std::snprintf(numbers, sizeof numbers,
                "{\"messages\":%llu,\"bytes\":%llu,\"delivery_failures\":%llu,\"seconds\":%.3f,"
                "\"messages_per_second\":%.0f,\"documents\":%llu,\"posts\":%llu,"
                "\"raw_documents\":%llu,\"posts_not_sent\":%llu,\"documents_too_large\":%llu,"
                "\"partitions\":%d,\"topic\":",
                static_cast<unsigned long long>(reports.delivered),
                static_cast<unsigned long long>(reports.delivered_bytes),
                static_cast<unsigned long long>(reports.failed), seconds,
                seconds > 0 ? double(reports.delivered) / seconds : 0.0,
                static_cast<unsigned long long>(sender.documents),
                static_cast<unsigned long long>(sender.posts),
                static_cast<unsigned long long>(sender.raw_documents),
                static_cast<unsigned long long>(sender.posts_not_sent),
                static_cast<unsigned long long>(sender.documents_too_large), partitions);
  std::string line(numbers);
  append_json_text(args.topic, line);
  line += "}\n";
  std::fputs(line.c_str(), stderr);
  if (reports.failed > 0) rc = 1;
  return rc;
}

}  // namespace sentistream

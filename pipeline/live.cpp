#include "pipeline/live.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <thread>

#include "config/config.h"
#include "operators/parse/parser.h"
#include "operators/score/scorer.h"
#include "pipeline/checkpoint.h"
#include "pipeline/kafka_sinks.h"
#include "pipeline/kafka_source.h"
#include "pipeline/log.h"
#include "pipeline/metrics.h"
#include "pipeline/metrics_server.h"
#include "pipeline/replay.h"

#ifndef SENTISTREAM_VERSION
#define SENTISTREAM_VERSION "0.0.0"
#endif

namespace sentistream {

namespace {

constexpr const char* kDefaultMetricsListen = "0.0.0.0:9464";

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The checkpoint protocol on the pipeline's serial stages (see live.h).
class LiveHooks final : public StageHooks {
 public:
  LiveHooks(const Config& config, CheckpointStore& store, PartitionTable& partitions,
            KafkaSource& source, AggregateSink& output, RejectSink* dlq, Metrics* metrics,
            std::optional<Checkpoint> restored)
      : config_(config),
        store_(store),
        partitions_(partitions),
        source_(source),
        output_(output),
        dlq_(dlq),
        metrics_(metrics),
        restored_(std::move(restored)) {}

  void on_start(WindowOperator& windows) override {
    last_checkpoint_ = std::chrono::steady_clock::now();
    if (!restored_) return;
    windows.restore(restored_->window_state);
    for (const auto& p : restored_->partitions) offsets_[p.id] = p.next_offset;
    last_checkpoint_unix_ms_ = restored_->written_ms;
    restored_.reset();
  }

  // Idleness changes and rows of one batch must take effect in their order. The source
  // sends `active` before a partition's first row after an `idle`, and `idle` after its
  // last rows (end of partition right behind its last messages), so: a partition whose
  // last change in the batch is `active` is activated before the rows, one whose last
  // change is `idle` is idled after them. Idling first would let its rows re-activate it
  // for good.
  void before_window(Batch& b, WindowOperator& windows) override {
    for (const auto& c : b.live.changes) {
      if (c.kind != PartitionChange::Kind::active || !is_last_change(b, c)) continue;
      windows.set_partition_idle(c.partition, false, b.closed);
      // Known from now on, also in checkpoints (-1: no offset yet), so its dense id keeps
      // its name across a restart even if the snapshot is taken before its first row.
      offsets_.try_emplace(c.partition, -1);
    }
  }

  void after_window(Batch& b, WindowOperator& windows) override {
    for (const auto& o : b.live.offsets) offsets_[o.partition] = o.next_offset;
    for (const auto& c : b.live.changes) {
      if (c.kind == PartitionChange::Kind::idle && is_last_change(b, c)) {
        windows.set_partition_idle(c.partition, true, b.closed);
      }
    }
    auto now = std::chrono::steady_clock::now();
    bool due = b.live.checkpoint ||
               now - last_checkpoint_ >= std::chrono::milliseconds(config_.checkpoint_interval_ms);
    if (due) {
      last_checkpoint_ = now;
      b.live.has_snapshot = true;
      windows.save(b.live.snapshot);
      b.live.snapshot_offsets.clear();
      for (const auto& [id, next] : offsets_) b.live.snapshot_offsets.push_back({id, next});
    }
    // Revoked partitions leave the operator after the snapshot that covers them. Their
    // offsets stay in later checkpoints: if one comes back (or the process restarts) and
    // the commit at revocation failed, it resumes at max(committed, this offset), so
    // nothing already in this state is read twice.
    for (const auto& c : b.live.changes) {
      if (c.kind == PartitionChange::Kind::removed) windows.remove_partition(c.partition, b.closed);
    }
    if (metrics_) {
      metrics_->set_open_windows(windows.open_windows());
      metrics_->set_state_bytes(windows.state_bytes());
      int64_t wm = windows.watermark_ms();
      if (wm != INT64_MIN) metrics_->set_watermark_lag((unix_ms() - wm) / 1000.0);
    }
  }

  void after_output(Batch& b) override {
    if (metrics_ && b.live.oldest_broker_ms != INT64_MAX) {
      metrics_->observe_end_to_end((unix_ms() - b.live.oldest_broker_ms) / 1000.0);
    }
    if (b.live.has_snapshot) write_checkpoint(b);
    if (metrics_) {
      metrics_->set_checkpoint_age((unix_ms() - last_checkpoint_unix_ms_) / 1000.0);
      uint64_t ok = source_.commits_ok(), failed = source_.commits_failed();
      for (; commits_ok_seen_ < ok; ++commits_ok_seen_) metrics_->record_commit(true);
      for (; commits_failed_seen_ < failed; ++commits_failed_seen_) metrics_->record_commit(false);
    }
  }

 private:
  static bool is_last_change(const Batch& b, const PartitionChange& c) {
    for (auto it = b.live.changes.rbegin(); it != b.live.changes.rend(); ++it) {
      if (it->partition == c.partition && it->kind != PartitionChange::Kind::removed) {
        return &*it == &c;
      }
    }
    return false;
  }

  void write_checkpoint(Batch& b) {
    try {
      // Aggregates and rejects up to this batch must be delivered before the checkpoint
      // claims them; a failed delivery throws here and the checkpoint is not written.
      output_.flush();
      if (dlq_) dlq_->flush();
      Checkpoint c;
      c.written_ms = unix_ms();
      for (const auto& o : b.live.snapshot_offsets) {
        auto [topic, partition] = partitions_.name(o.partition);
        c.partitions.push_back({o.partition, topic, partition, o.next_offset});
      }
      c.window_state = std::move(b.live.snapshot);
      store_.save(c);
      last_checkpoint_unix_ms_ = c.written_ms;
      ++checkpoints_;
      if (metrics_) metrics_->record_checkpoint(true);
      logger().debug("checkpoint", "checkpoint written",
                     {{"partitions", c.partitions.size()},
                      {"state_bytes", c.window_state.size()},
                      {"n", checkpoints_}});
    } catch (...) {
      if (metrics_) metrics_->record_checkpoint(false);
      if (b.live.ack) b.live.ack->signal(false, {});
      throw;
    }
    source_.checkpoint_written(b.live.snapshot_offsets);
    if (b.live.ack) b.live.ack->signal(true, b.live.snapshot_offsets);
  }

  const Config& config_;
  CheckpointStore& store_;
  PartitionTable& partitions_;
  KafkaSource& source_;
  AggregateSink& output_;
  RejectSink* dlq_;
  Metrics* metrics_;
  std::optional<Checkpoint> restored_;
  std::map<uint32_t, int64_t> offsets_;  // window stage: next offset per partition
  std::chrono::steady_clock::time_point last_checkpoint_;
  int64_t last_checkpoint_unix_ms_ = unix_ms();
  uint64_t checkpoints_ = 0;
  uint64_t commits_ok_seen_ = 0, commits_failed_seen_ = 0;
};

// SIGTERM / SIGINT: blocked in every thread (set before any thread starts, so librdkafka's
// and oneTBB's threads inherit the mask) and taken by one watcher thread with sigtimedwait.
class SignalWatcher {
 public:
  SignalWatcher() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  ~SignalWatcher() { stop(); }
  // Disarms: no callback runs after this returns.
  void stop() {
    done_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  // on_signal runs once, on the watcher thread; then, if the run is not done within
  // `deadline_ms`, the process exits with status 1 (the last checkpoint stays valid).
  void start(std::function<void(int)> on_signal, int64_t deadline_ms) {
    thread_ = std::thread([this, on_signal = std::move(on_signal), deadline_ms] {
      timespec tick{0, 100 * 1000 * 1000};
      int sig = -1;
      while (!done_.load()) {
        sig = sigtimedwait(&set_, nullptr, &tick);
        if (sig > 0) break;
      }
      if (done_.load()) return;
      on_signal(sig);
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms);
      while (!done_.load()) {
        if (std::chrono::steady_clock::now() >= until) {
          logger().error("shutdown",
                         "shutdown deadline exceeded; exiting without a final "
                         "checkpoint (pipeline.shutdown_timeout)");
          std::fflush(stderr);
          _exit(1);
        }
        // A second signal while shutting down means: stop now.
        if (sigtimedwait(&set_, nullptr, &tick) > 0) {
          logger().error("shutdown", "second signal; exiting immediately");
          std::fflush(stderr);
          _exit(1);
        }
      }
    });
  }

 private:
  sigset_t set_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// The largest DLQ value the producer may send: its message.max.bytes (librdkafka's
// default 1000000) less room for the headers and the record overhead.
std::size_t dlq_value_limit(const std::map<std::string, std::string>& producer) {
  long long max = 1000000;
  if (auto it = producer.find("message.max.bytes"); it != producer.end()) {
    max = std::atoll(it->second.c_str());
  }
  return static_cast<std::size_t>(std::max(1024LL, max - 64 * 1024));
}

std::string validate_live(const Config& config) {
  std::string problems;
  auto problem = [&](const std::string& where, const std::string& what) {
    auto it = config.origin.find(where);
    std::string origin = it == config.origin.end() ? "default" : it->second;
    problems += "  " + origin + ": " + where + ": " + what + "\n";
  };
  if (config.kafka_topics.empty()) problem("kafka.topics", "live mode needs at least one topic");
  if (!config.kafka_consumer.count("bootstrap.servers")) {
    problems += "  [kafka.consumer] bootstrap.servers is not set (the brokers to connect to)\n";
  }
  if (!config.kafka_consumer.count("group.id")) {
    problems += "  [kafka.consumer] group.id is not set (the consumer group of this service)\n";
  }
  std::string err = check_start_offset(config.start_offset);
  if (!err.empty()) problem("kafka.start_offset", err);
  if (config.checkpoint_dir.empty()) problem("checkpoint.dir", "must not be empty");
  if (config.checkpoint_interval_ms <= 0) problem("checkpoint.interval", "must be > 0");
  return problems;
}

}  // namespace

int run_live(const CommonArgs& common, const RunArgs& args) {
  Config config;
  std::shared_ptr<const Lexicon> lexicon;
  if (!load_setup(common, config, lexicon)) return 2;
  if (args.threads > 0) config.threads = args.threads;
  if (!args.state_dir.empty()) config.checkpoint_dir = args.state_dir;
  if (!args.metrics_listen.empty()) config.metrics_listen = args.metrics_listen;
  if (std::string problems = validate_live(config); !problems.empty()) {
    std::cerr << "sentistream: invalid configuration for run:\n" << problems;
    return 2;
  }
  if (auto level = parse_log_level(config.log_level)) {
    logger().configure(*level, parse_log_format(config.log_format).value_or(LogFormat::text));
  }
  // Producers live in the producer table; bootstrap.servers defaults to the consumer's.
  if (!config.kafka_producer.count("bootstrap.servers")) {
    config.kafka_producer["bootstrap.servers"] = config.kafka_consumer["bootstrap.servers"];
  }

  SignalWatcher signals;  // before any thread exists
  Logger& log = logger();
  try {
    CheckpointStore store(config.checkpoint_dir);
    std::optional<Checkpoint> restored = store.load();
    const bool has_checkpoint = restored.has_value();

    std::unique_ptr<Metrics> metrics;
    std::unique_ptr<MetricsServer> server;
    std::string listen =
        config.metrics_listen.empty() ? kDefaultMetricsListen : config.metrics_listen;
    if (listen != "off") {
      MetricsOptions mo = metrics_options(config, lexicon->marker_categories());
      mo.version = SENTISTREAM_VERSION;
      metrics = std::make_unique<Metrics>(mo);
      Metrics* m = metrics.get();
      server = std::make_unique<MetricsServer>(
          listen, [m] { return m->serialize(); },
          [] {
            return Readiness{false, "starting"};
          });
    }

    PartitionTable partitions;
    if (restored) {
      for (const auto& p : restored->partitions) partitions.restore(p.id, p.topic, p.partition);
    }
    auto log_fn = [&log](const std::string& level, const std::string& event,
                         const std::string& message) {
      log.log(parse_log_level(level).value_or(LogLevel::info), event, message);
    };

    KafkaSourceOptions so;
    so.topics = config.kafka_topics;
    so.consumer_properties = config.kafka_consumer;
    so.start_offset = config.start_offset;
    so.batch_docs = static_cast<size_t>(config.batch_docs);
    so.batch_bytes = static_cast<size_t>(config.batch_bytes);
    so.max_document_bytes = static_cast<size_t>(config.max_document_bytes);
    so.padding = parse_padding();
    so.idle_timeout_ms = config.idle_timeout_ms;
    so.linger_ms = config.batch_linger_ms;
    so.log = log_fn;
    if (metrics) {
      so.statistics_interval_ms = 5000;
      Metrics* m = metrics.get();
      so.on_statistics = [m](std::string_view json) { m->on_kafka_statistics(json); };
      so.on_lag_seconds = [m](const std::string& topic, int32_t partition, double seconds) {
        m->set_consumer_lag_seconds(topic, partition, seconds);
      };
    }
    KafkaSource source(so, partitions);
    // Runs before `source` is destroyed, also when leaving by an exception: neither a
    // late signal nor a readiness probe may reach it afterwards.
    struct Detach {
      SignalWatcher& signals;
      MetricsServer* server;
      ~Detach() {
        signals.stop();
        if (server) server->stop();
      }
    } detach{signals, server.get()};
    if (restored) {
      std::vector<PartitionOffset> offsets;
      for (const auto& p : restored->partitions) offsets.push_back({p.id, p.next_offset});
      source.set_checkpoint_offsets(offsets);
    }

    // Sinks: Kafka topics and/or files.
    std::unique_ptr<KafkaProducer> producer;
    if (!config.aggregates_topic.empty() || !config.dlq_topic.empty()) {
      Metrics* m = metrics.get();
      producer = std::make_unique<KafkaProducer>(config.kafka_producer, log_fn,
                                                 [m](const std::string& topic) {
                                                   if (m) m->record_delivery_failure(topic);
                                                 });
    }
    FanoutAggregateSink output;
    FanoutRejectSink dlq;
    if (!config.aggregates_topic.empty()) {
      output.add(make_kafka_aggregate_sink(*producer, config.aggregates_topic, config.decimals));
    }
    if (!config.output.empty()) {
      output.add(config.format == OutputFormat::csv
                     ? make_csv_sink(config.output, config.decimals, config.group_by,
                                     lexicon->marker_categories(), /*append=*/true)
                     : make_jsonl_sink(config.output, config.decimals, /*append=*/true));
    }
    if (!config.dlq_topic.empty())
      dlq.add(make_kafka_dlq_sink(*producer, config.dlq_topic, partitions,
                                  dlq_value_limit(config.kafka_producer)));
    if (!config.dlq.empty()) dlq.add(make_dlq_file_sink(config.dlq, /*append=*/true));

    LiveHooks hooks(config, store, partitions, source, output, dlq.empty() ? nullptr : &dlq,
                    metrics.get(), std::move(restored));
    if (server) {
      KafkaSource* src = &source;
      server->set_readiness([src]() -> Readiness {
        if (!src->broker_reachable()) return {false, "no Kafka broker reachable"};
        if (!src->joined()) return {false, "joining the consumer group"};
        return {true, ""};
      });
    }

    std::string topics;
    for (const auto& t : config.kafka_topics) topics += (topics.empty() ? "" : ",") + t;
    log.info("start", "live mode",
             {{"topics", topics},
              {"group", config.kafka_consumer["group.id"]},
              {"state_dir", config.checkpoint_dir},
              {"restored", has_checkpoint},
              {"aggregates_topic", config.aggregates_topic},
              {"metrics", server ? listen : std::string("off")}});
    signals.start(
        [&source, &log](int sig) {
          log.info("shutdown", std::string("signal ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                                   ": finishing batches in flight, checkpointing, committing");
          source.request_stop();
        },
        config.shutdown_timeout_ms);
    source.start();

    RunOptions options;
    options.threads = config.threads;
    options.hooks = &hooks;
    options.metrics = metrics.get();
    options.close_windows_at_end = false;
    RunStats stats;
    try {
      stats = run_pipeline(source, config, lexicon, output, dlq.empty() ? nullptr : &dlq, options);
    } catch (...) {
      source.abort();
      throw;
    }
    source.join();
    output.close();
    dlq.close();
    if (producer) producer->flush();
    log.info("shutdown", "stopped cleanly",
             {{"posts_parsed", stats.posts_parsed()},
              {"posts_rejected", stats.posts_rejected()},
              {"seconds", stats.seconds}});
    return 0;
  } catch (const CheckpointError& e) {
    log.error("checkpoint", e.what());
    return 1;
  } catch (const KafkaError& e) {
    log.error("kafka", e.what());
    return 2;
  } catch (const MetricsServerError& e) {
    log.error("metrics", e.what());
    return 2;
  } catch (const std::exception& e) {
    log.error("fatal", e.what());
    return 1;
  }
}

}  // namespace sentistream

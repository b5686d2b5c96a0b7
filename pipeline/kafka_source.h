// The live-mode source: a librdkafka KafkaConsumer in a consumer group.
//
// A dedicated consumer thread polls Kafka and stages batches (bytes + RawDocs with
// partition and offset) in a small bounded queue; the pipeline's source stage takes them
// from there. Keeping every consumer call on that one thread matters for rebalances: when
// partitions are revoked, the callback (which librdkafka runs on the polling thread) pushes
// a checkpoint request through the pipeline behind everything already staged, waits until
// the output stage has written that checkpoint, commits the covered offsets, and only
// then lets the partitions go. The pipeline's own threads never block on Kafka.
//
// Offsets are never auto-committed or auto-stored: the runner commits only offsets that a
// written checkpoint covers (request_commit), which is what makes a crash safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/kafka_common.h"
#include "pipeline/source.h"

namespace sentistream {

// Handed from a revocation (consumer thread) through the pipeline to the output stage,
// which signals it once the checkpoint is written.
struct CheckpointAck {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  bool ok = false;
  std::vector<PartitionOffset> offsets;  // what the checkpoint covers (to commit)
  void signal(bool success, std::vector<PartitionOffset> covered) {
    {
      std::lock_guard lock(mu);
      done = true;
      ok = success;
      offsets = std::move(covered);
    }
    cv.notify_all();
  }
};

struct KafkaSourceOptions {
  std::vector<std::string> topics;  // "^..." = regex
  std::map<std::string, std::string> consumer_properties;
  std::string start_offset = "earliest";  // earliest | latest | RFC 3339 time
  std::size_t batch_docs = 2048;
  std::size_t batch_bytes = 1 << 20;
  std::size_t max_document_bytes = 16u << 20;
  std::size_t padding = 64;
  int64_t idle_timeout_ms = 30000;
  int64_t linger_ms = 50;
  int64_t statistics_interval_ms = 0;  // 0 = no librdkafka statistics
  // Called on the consumer thread; never per message.
  std::function<void(std::string_view json)> on_statistics;
  // With each statistics callback, per assigned partition: how far (seconds of broker
  // time) the consumer trails the newest message — 0 when caught up.
  std::function<void(const std::string& topic, int32_t partition, double seconds)> on_lag_seconds;
  std::function<void(const std::string& level, const std::string& event,
                     const std::string& message)>
      log;
};

// Validates kafka.start_offset; returns an error message or "".
std::string check_start_offset(const std::string& value);

class KafkaSource final : public Source {
 public:
  KafkaSource(KafkaSourceOptions options, PartitionTable& partitions);
  ~KafkaSource() override;

  // Offsets restored from a checkpoint: a partition assigned later starts there instead of
  // at its committed offset. Call before start().
  void set_checkpoint_offsets(const std::vector<PartitionOffset>& offsets);
  // Subscribes and starts the consumer thread.
  void start();
  // Graceful stop (SIGTERM): stop fetching, checkpoint through the pipeline, commit,
  // leave the group, then end the stream. Safe from any thread (not from a signal handler).
  void request_stop();
  // The pipeline failed: release a waiting revocation, stop without committing.
  void abort();
  void join();

  // After a checkpoint was written (output stage): remember its offsets for re-assignment
  // and commit them asynchronously on the consumer thread.
  void checkpoint_written(const std::vector<PartitionOffset>& offsets);

  bool next(Batch& batch) override;
  std::string origin(const RawDoc& doc) const override;
  Progress progress() const override;

  // Readiness and metrics (any thread).
  bool broker_reachable() const { return broker_up_.load(); }
  bool joined() const { return joined_.load(); }
  uint64_t commits_ok() const { return commits_ok_.load(); }
  uint64_t commits_failed() const { return commits_failed_.load(); }

 private:
  struct Staged {
    std::string bytes;
    std::vector<RawDoc> docs;
    LiveInfo live;
    uint64_t payload_bytes = 0;
    bool end = false;
    void clear() {
      bytes.clear();
      docs.clear();
      live.clear();
      payload_bytes = 0;
      end = false;
    }
  };

  static void rebalance_trampoline(rd_kafka_t*, rd_kafka_resp_err_t,
                                   rd_kafka_topic_partition_list_t*, void*);
  static void commit_trampoline(rd_kafka_t*, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t*,
                                void*);
  static int stats_trampoline(rd_kafka_t*, char*, size_t, void*);
  static void error_trampoline(rd_kafka_t*, int, const char*, void*);

  void loop();
  void fill();
  void handle(rd_kafka_message_t* m);
  void check_idle();
  uint32_t partition_id(const rd_kafka_message_t* m);
  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
  void on_assign(rd_kafka_topic_partition_list_t* parts);
  bool checkpoint_through_pipeline(const std::vector<uint32_t>& revoked);
  void commit(const std::vector<PartitionOffset>& offsets, bool sync);
  void commit_pending();
  Staged* take_free();  // nullptr once aborted
  void push(Staged* s);
  void push_current();
  void log(const std::string& level, const std::string& event, const std::string& message);

  KafkaSourceOptions opts_;
  PartitionTable& partitions_;
  rd_kafka_t* rk_ = nullptr;
  std::thread thread_;
  int64_t start_timestamp_ms_ = -1;  // kafka.start_offset as a time, else -1

  // Consumer-thread state.
  Staged* cur_ = nullptr;
  bool closing_ = false;
  struct PartitionState {
    bool assigned = false;
    bool restored = false;  // in the restored checkpoint, not (yet) assigned
    bool idle = false;
    int64_t last_message_ms = 0;  // steady clock
    int64_t next_offset = -1;     // 1 + offset of the last message read, -1 = none yet
    int64_t last_broker_ms = -1;  // broker timestamp of the last message read
  };
  bool has_backlog(uint32_t id, const PartitionState& ps);
  std::vector<PartitionState> state_;  // by dense id
  struct CachedId {
    const rd_kafka_topic_t* rkt;
    int32_t partition;
    uint32_t id;
  };
  std::vector<CachedId> id_cache_;
  int64_t last_idle_check_ms_ = 0;
  int64_t now_ms_ = 0;  // steady clock, refreshed by fill() every few messages

  // Shared state.
  mutable std::mutex mu_;
  std::condition_variable ready_cv_, free_cv_;
  std::deque<Staged*> ready_;
  std::vector<Staged*> free_;
  std::vector<std::unique_ptr<Staged>> owned_;
  bool ended_ = false;
  std::map<uint32_t, int64_t> checkpoint_offsets_;  // id -> next offset
  std::vector<PartitionOffset> pending_commit_;
  std::shared_ptr<CheckpointAck> waiting_ack_;

  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> aborted_{false};
  std::atomic<bool> broker_up_{true};
  std::atomic<bool> joined_{false};
  std::atomic<uint64_t> commits_ok_{0}, commits_failed_{0};
  std::atomic<uint64_t> bytes_read_{0};
};

}  // namespace sentistream

#include "pipeline/kafka_source.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "operators/parse/timestamp.h"

namespace sentistream {

namespace {

constexpr std::size_t kStagedBatches = 4;
constexpr std::size_t kTooLargePrefix = 1024;  // bytes of an oversized message kept for the DLQ
constexpr int kIdlePollMs = 100;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string check_start_offset(const std::string& value) {
  if (value == "earliest" || value == "latest") return "";
  int64_t ms = 0;
  if (parse_detail::parse_rfc3339(value, ms)) return "";
  return "'" + value + "' is not earliest, latest or an RFC 3339 time like 2025-01-27T00:00:00Z";
}

KafkaSource::KafkaSource(KafkaSourceOptions options, PartitionTable& partitions)
    : opts_(std::move(options)), partitions_(partitions) {
  int64_t ms = 0;
  if (opts_.start_offset != "earliest" && opts_.start_offset != "latest" &&
      parse_detail::parse_rfc3339(opts_.start_offset, ms)) {
    start_timestamp_ms_ = ms;
  }
  std::map<std::string, std::string> defaults = {
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"auto.offset.reset", opts_.start_offset == "latest" ? "latest" : "earliest"},
      {"fetch.wait.max.ms", "100"},
  };
  if (opts_.statistics_interval_ms > 0) {
    defaults["statistics.interval.ms"] = std::to_string(opts_.statistics_interval_ms);
  }
  // Offsets move only with checkpoints; end-of-partition events drive idleness.
  std::map<std::string, std::string> forced = {{"enable.auto.commit", "false"},
                                               {"enable.auto.offset.store", "false"},
                                               {"enable.partition.eof", "true"}};
  rd_kafka_conf_t* conf =
      make_kafka_conf(opts_.consumer_properties, "kafka.consumer", defaults, forced);
  rd_kafka_conf_set_opaque(conf, this);
  route_kafka_logs(conf);
  rd_kafka_conf_set_rebalance_cb(conf, &KafkaSource::rebalance_trampoline);
  rd_kafka_conf_set_offset_commit_cb(conf, &KafkaSource::commit_trampoline);
  rd_kafka_conf_set_error_cb(conf, &KafkaSource::error_trampoline);
  if (opts_.on_statistics) rd_kafka_conf_set_stats_cb(conf, &KafkaSource::stats_trampoline);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    throw KafkaError(std::string("cannot create the Kafka consumer: ") + err);
  }
  rd_kafka_poll_set_consumer(rk_);  // callbacks are served by rd_kafka_consumer_poll
  for (std::size_t i = 0; i < kStagedBatches; ++i) {
    owned_.push_back(std::make_unique<Staged>());
    free_.push_back(owned_.back().get());
  }
}

KafkaSource::~KafkaSource() {
  abort();
  join();
  if (rk_) rd_kafka_destroy(rk_);
}

void KafkaSource::set_checkpoint_offsets(const std::vector<PartitionOffset>& offsets) {
  std::lock_guard lock(mu_);
  for (const auto& o : offsets) {
    checkpoint_offsets_[o.partition] = o.next_offset;
    // The restored window state knows this partition; if it is not assigned to this
    // instance again, idle_timeout lets the watermark go on without it.
    if (state_.size() <= o.partition) state_.resize(o.partition + 1);
    state_[o.partition].restored = true;
    state_[o.partition].last_message_ms = steady_ms();
  }
}

void KafkaSource::start() {
  rd_kafka_topic_partition_list_t* topics =
      rd_kafka_topic_partition_list_new(static_cast<int>(opts_.topics.size()));
  for (const auto& t : opts_.topics) {
    rd_kafka_topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err) throw KafkaError(std::string("cannot subscribe: ") + rd_kafka_err2str(err));
  thread_ = std::thread([this] { loop(); });
}

void KafkaSource::request_stop() {
  stop_requested_.store(true);
}

void KafkaSource::abort() {
  aborted_.store(true);
  std::shared_ptr<CheckpointAck> ack;
  {
    std::lock_guard lock(mu_);
    ack = waiting_ack_;
  }
  if (ack) ack->signal(false, {});
  free_cv_.notify_all();
  ready_cv_.notify_all();
}

void KafkaSource::join() {
  if (thread_.joinable()) thread_.join();
}

void KafkaSource::checkpoint_written(const std::vector<PartitionOffset>& offsets) {
  std::lock_guard lock(mu_);
  for (const auto& o : offsets) checkpoint_offsets_[o.partition] = o.next_offset;
  pending_commit_ = offsets;
}

void KafkaSource::log(const std::string& level, const std::string& event,
                      const std::string& message) {
  if (opts_.log) opts_.log(level, event, message);
}

// ---- staging queue ---------------------------------------------------------------------

KafkaSource::Staged* KafkaSource::take_free() {
  std::unique_lock lock(mu_);
  free_cv_.wait(lock, [&] { return !free_.empty() || aborted_.load(); });
  if (aborted_.load()) return nullptr;
  Staged* s = free_.back();
  free_.pop_back();
  return s;
}

void KafkaSource::push(Staged* s) {
  {
    std::lock_guard lock(mu_);
    ready_.push_back(s);
  }
  ready_cv_.notify_one();
}

// Hands the batch being filled to the pipeline (if it carries anything) and starts another.
void KafkaSource::push_current() {
  if (!cur_) return;
  if (cur_->docs.empty() && cur_->live.changes.empty()) return;
  cur_->bytes.append(opts_.padding, '\0');
  push(cur_);
  cur_ = take_free();
}

bool KafkaSource::next(Batch& batch) {
  Staged* s = nullptr;
  {
    std::unique_lock lock(mu_);
    // An empty batch after a short wait keeps the pipeline (and a single worker thread)
    // responsive while the topic is quiet.
    ready_cv_.wait_for(lock, std::chrono::milliseconds(kIdlePollMs),
                       [&] { return !ready_.empty() || aborted_.load(); });
    if (ended_ || aborted_.load()) return false;
    if (ready_.empty()) return true;
    s = ready_.front();
    ready_.pop_front();
    if (s->end) {
      ended_ = true;
      s->clear();
      free_.push_back(s);
      free_cv_.notify_one();
      return false;
    }
  }
  std::swap(batch.bytes, s->bytes);
  std::swap(batch.docs, s->docs);
  std::swap(batch.live, s->live);
  batch.counters.documents = batch.docs.size();
  batch.counters.bytes = s->payload_bytes;
  bytes_read_.fetch_add(s->payload_bytes, std::memory_order_relaxed);
  s->clear();
  {
    std::lock_guard lock(mu_);
    free_.push_back(s);
  }
  free_cv_.notify_one();
  return true;
}

std::string KafkaSource::origin(const RawDoc& doc) const {
  return partitions_.label(doc.partition) + "@" + std::to_string(doc.line);
}

Source::Progress KafkaSource::progress() const {
  Progress p;
  p.raw_bytes_read = bytes_read_.load(std::memory_order_relaxed);
  return p;
}

// ---- consumer thread -------------------------------------------------------------------

void KafkaSource::loop() {
  cur_ = take_free();
  while (cur_ && !stop_requested_.load() && !aborted_.load()) {
    fill();
    push_current();
    commit_pending();
  }
  if (cur_ && !aborted_.load()) {
    // Graceful stop: everything fetched so far is processed and checkpointed, the
    // checkpoint's offsets are committed, then the group is left cleanly.
    push_current();
    if (cur_ && checkpoint_through_pipeline({}))
      log("info", "shutdown", "final checkpoint committed");
  }
  closing_ = true;
  rd_kafka_consumer_close(rk_);  // revocation callback: just unassigns now
  joined_.store(false);
  if (!aborted_.load()) {
    Staged* end = cur_ ? cur_ : take_free();
    cur_ = nullptr;
    if (end) {
      end->clear();
      end->end = true;
      push(end);
    }
  }
}

void KafkaSource::fill() {
  now_ms_ = steady_ms();
  const int64_t deadline = now_ms_ + opts_.linger_ms;
  uint32_t polled = 0;
  while (cur_->docs.size() < opts_.batch_docs && cur_->bytes.size() < opts_.batch_bytes) {
    int timeout = cur_->docs.empty() ? kIdlePollMs
                                     : static_cast<int>(std::max<int64_t>(0, deadline - now_ms_));
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, timeout);
    if (m) {
      handle(m);
      rd_kafka_message_destroy(m);
    }
    if (!cur_) return;  // aborted during a rebalance
    // While messages flow, the clock is read every 64 messages, not per message.
    if (!m || ++polled % 64 == 0) now_ms_ = steady_ms();
    if (now_ms_ - last_idle_check_ms_ >= 100) check_idle();
    if (stop_requested_.load() || aborted_.load()) return;
    if (!m && cur_->docs.empty()) {
      // Quiet topic: hand over idleness changes now, and come back to commit.
      if (!cur_->live.changes.empty()) return;
      commit_pending();
      continue;
    }
    if (now_ms_ >= deadline) return;
  }
}

void KafkaSource::handle(rd_kafka_message_t* m) {
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    broker_up_.store(true, std::memory_order_relaxed);  // a fetch answered
    uint32_t id = partitions_.id(rd_kafka_topic_name(m->rkt), m->partition);
    if (id < state_.size() && state_[id].assigned && !state_[id].idle) {
      state_[id].idle = true;
      cur_->live.changes.push_back({id, PartitionChange::Kind::idle});
      log("debug", "partition_idle", partitions_.label(id) + " at its end offset");
    }
    return;
  }
  if (m->err) {
    log("warn", "consumer_error", rd_kafka_message_errstr(m));
    return;
  }
  broker_up_.store(true, std::memory_order_relaxed);
  uint32_t id = partition_id(m);
  if (id >= state_.size() || !state_[id].assigned) return;  // from a revoked partition
  PartitionState& ps = state_[id];
  ps.last_message_ms = now_ms_;
  ps.next_offset = m->offset + 1;
  if (ps.idle) {
    ps.idle = false;
    cur_->live.changes.push_back({id, PartitionChange::Kind::active});
  }
  RawDoc d;
  d.offset = cur_->bytes.size();
  d.line = static_cast<uint64_t>(m->offset);
  d.partition = id;
  if (m->len > opts_.max_document_bytes) {
    d.too_large = true;
    d.length = std::min<std::size_t>(kTooLargePrefix, m->len);
  } else {
    d.length = m->len;
  }
  cur_->bytes.append(static_cast<const char*>(m->payload), d.length);
  cur_->docs.push_back(d);
  cur_->payload_bytes += m->len;
  rd_kafka_timestamp_type_t type;
  int64_t ts = rd_kafka_message_timestamp(m, &type);
  if (ts >= 0 && ts < cur_->live.oldest_broker_ms) cur_->live.oldest_broker_ms = ts;
  ps.last_broker_ms = ts;
  auto& offsets = cur_->live.offsets;
  auto it = std::find_if(offsets.begin(), offsets.end(),
                         [id](const PartitionOffset& o) { return o.partition == id; });
  if (it == offsets.end()) {
    offsets.push_back({id, m->offset + 1});
  } else {
    it->next_offset = m->offset + 1;
  }
}

// The dense id of a message's partition: a short list of (topic handle, partition)
// seen by this consumer, so the per-message path takes no lock and builds no string.
uint32_t KafkaSource::partition_id(const rd_kafka_message_t* m) {
  for (const auto& e : id_cache_) {
    if (e.rkt == m->rkt && e.partition == m->partition) return e.id;
  }
  uint32_t id = partitions_.id(rd_kafka_topic_name(m->rkt), m->partition);
  id_cache_.push_back({m->rkt, m->partition, id});
  return id;
}

void KafkaSource::check_idle() {
  const int64_t now = steady_ms();
  last_idle_check_ms_ = now;
  for (uint32_t id = 0; id < state_.size(); ++id) {
    PartitionState& ps = state_[id];
    if (!(ps.assigned || ps.restored) || ps.idle ||
        now - ps.last_message_ms < opts_.idle_timeout_ms) {
      continue;
    }
    if (ps.assigned && has_backlog(id, ps)) {
      // Quiet only because other partitions' backlog (or backpressure) kept us busy:
      // messages are waiting, so it must keep holding the watermark.
      ps.last_message_ms = now;
      continue;
    }
    ps.idle = true;
    cur_->live.changes.push_back({id, PartitionChange::Kind::idle});
  }
}

// True when the broker's last known high watermark of the partition (cached from fetch
// responses, no request) is beyond what this consumer has read, or is not known yet.
bool KafkaSource::has_backlog(uint32_t id, const PartitionState& ps) {
  auto [topic, partition] = partitions_.name(id);
  int64_t low = 0, high = 0;
  if (rd_kafka_get_watermark_offsets(rk_, topic.c_str(), partition, &low, &high) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    // Not fetched yet (a slow start, a broker away): unknown is not idle. Its first
    // fetch, or the end-of-partition event, decides.
    return true;
  }
  return high > (ps.next_offset >= 0 ? ps.next_offset : low);
}

// Sends a checkpoint request through the pipeline behind everything staged so far and
// waits until the output stage wrote it; then commits what it covers. Runs on the
// consumer thread (inside a revocation callback or at shutdown).
bool KafkaSource::checkpoint_through_pipeline(const std::vector<uint32_t>& revoked) {
  push_current();
  if (!cur_) return false;
  auto ack = std::make_shared<CheckpointAck>();
  Staged* control = cur_;
  cur_ = nullptr;
  control->live.checkpoint = true;
  control->live.ack = ack;
  for (uint32_t id : revoked) control->live.changes.push_back({id, PartitionChange::Kind::removed});
  control->bytes.append(opts_.padding, '\0');
  {
    std::lock_guard lock(mu_);
    if (aborted_.load()) {  // abort() already ran and found nothing to release
      cur_ = control;
      return false;
    }
    waiting_ack_ = ack;
  }
  push(control);
  {
    std::unique_lock lock(ack->mu);
    ack->cv.wait(lock, [&] { return ack->done; });
  }
  {
    std::lock_guard lock(mu_);
    waiting_ack_.reset();
    pending_commit_.clear();  // superseded by the synchronous commit below
  }
  cur_ = take_free();
  if (!ack->ok) return false;
  commit(ack->offsets, /*sync=*/true);
  return true;
}

void KafkaSource::commit_pending() {
  std::vector<PartitionOffset> offsets;
  {
    std::lock_guard lock(mu_);
    offsets.swap(pending_commit_);
  }
  if (!offsets.empty()) commit(offsets, /*sync=*/false);
}

// Commits only partitions this consumer still owns: committing for a partition another
// member owns now would move that member's position.
void KafkaSource::commit(const std::vector<PartitionOffset>& offsets, bool sync) {
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
  for (const auto& o : offsets) {
    if (o.next_offset < 0) continue;  // known partition without messages yet
    if (o.partition >= state_.size() || !state_[o.partition].assigned) continue;
    auto [topic, partition] = partitions_.name(o.partition);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = o.next_offset;
  }
  if (list->cnt > 0) {
    rd_kafka_resp_err_t err = rd_kafka_commit(rk_, list, sync ? 0 : 1);
    // Results are counted by the offset-commit callback, which librdkafka also queues
    // for synchronous commits.
    if (sync) {
      bool failed = err != RD_KAFKA_RESP_ERR_NO_ERROR;
      for (int i = 0; i < list->cnt && !failed; ++i) failed = list->elems[i].err != 0;
      if (failed) {
        log("warn", "commit_failed",
            std::string("offset commit failed: ") + rd_kafka_err2str(err) +
                " (the checkpoint holds the offsets; a restart resumes from it)");
      }
    } else if (err) {
      log("warn", "commit_failed", std::string("offset commit failed: ") + rd_kafka_err2str(err));
    }
  }
  rd_kafka_topic_partition_list_destroy(list);
}

// ---- callbacks (consumer thread) ------------------------------------------------------

void KafkaSource::rebalance_trampoline(rd_kafka_t*, rd_kafka_resp_err_t err,
                                       rd_kafka_topic_partition_list_t* parts, void* opaque) {
  static_cast<KafkaSource*>(opaque)->on_rebalance(err, parts);
}

void KafkaSource::commit_trampoline(rd_kafka_t*, rd_kafka_resp_err_t err,
                                    rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* self = static_cast<KafkaSource*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;  // nothing to commit
  bool failed = err != RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int i = 0; parts && i < parts->cnt && !failed; ++i) failed = parts->elems[i].err != 0;
  (failed ? self->commits_failed_ : self->commits_ok_).fetch_add(1);
  if (!failed) self->broker_up_.store(true);
}

int KafkaSource::stats_trampoline(rd_kafka_t*, char* json, size_t len, void* opaque) {
  auto* self = static_cast<KafkaSource*>(opaque);
  self->opts_.on_statistics(std::string_view(json, len));
  if (self->opts_.on_lag_seconds) {
    // Runs on the consumer thread (served by rd_kafka_consumer_poll), like handle().
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    for (uint32_t id = 0; id < self->state_.size(); ++id) {
      const PartitionState& ps = self->state_[id];
      if (!ps.assigned) continue;
      double lag = 0;
      if (ps.last_broker_ms >= 0 && self->has_backlog(id, ps)) {
        lag = std::max<int64_t>(0, now - ps.last_broker_ms) / 1000.0;
      }
      auto [topic, partition] = self->partitions_.name(id);
      self->opts_.on_lag_seconds(topic, partition, lag);
    }
  }
  return 0;  // librdkafka frees the buffer
}

void KafkaSource::error_trampoline(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaSource*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) self->broker_up_.store(false);
  self->log(code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ? "warn" : "info", "kafka_error",
            std::string(rd_kafka_err2name(code)) + ": " + reason);
}

void KafkaSource::on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk_), "COOPERATIVE") == 0;
  joined_.store(true);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    on_assign(parts);
    rd_kafka_error_t* e = nullptr;
    rd_kafka_resp_err_t r = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (cooperative) {
      e = rd_kafka_incremental_assign(rk_, parts);
    } else {
      r = rd_kafka_assign(rk_, parts);
    }
    if (e) {
      log("error", "assign_failed", rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
    } else if (r) {
      log("error", "assign_failed", rd_kafka_err2str(r));
    }
    return;
  }
  if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    log("error", "rebalance_error", rd_kafka_err2str(err));
    rd_kafka_assign(rk_, nullptr);
    return;
  }
  std::vector<uint32_t> revoked;
  std::string names;
  for (int i = 0; i < parts->cnt; ++i) {
    revoked.push_back(partitions_.id(parts->elems[i].topic, parts->elems[i].partition));
    names += (names.empty() ? "" : " ") + partitions_.label(revoked.back());
  }
  if (!closing_ && !aborted_.load()) {
    // Everything consumed from these partitions must be in a checkpoint, and the
    // checkpoint's offsets committed, before another member may start reading them.
    if (checkpoint_through_pipeline(revoked)) {
      log("info", "revoked", "checkpointed and committed before revocation: " + names);
    } else {
      log("warn", "revoked", "revoked without a checkpoint (pipeline stopped): " + names);
    }
  } else {
    log("info", "revoked", names);
  }
  for (uint32_t id : revoked) {
    if (id < state_.size()) state_[id].assigned = false;
  }
  if (cooperative) {
    if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk_, parts)) {
      log("error", "unassign_failed", rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
    }
  } else {
    rd_kafka_assign(rk_, nullptr);
  }
}

// Sets each newly assigned partition's start: the checkpoint's next offset if this
// instance has one, else the committed offset (librdkafka's default when the offset is
// left INVALID), else kafka.start_offset (earliest/latest through auto.offset.reset, a
// time through offsetsForTimes).
void KafkaSource::on_assign(rd_kafka_topic_partition_list_t* parts) {
  std::vector<int64_t> checkpointed(static_cast<size_t>(parts->cnt), -1);
  {
    std::lock_guard lock(mu_);
    for (int i = 0; i < parts->cnt; ++i) {
      auto& tp = parts->elems[i];
      uint32_t id = partitions_.id(tp.topic, tp.partition);
      if (state_.size() <= id) state_.resize(id + 1);
      state_[id].assigned = true;
      state_[id].restored = false;
      state_[id].idle = false;
      state_[id].last_message_ms = steady_ms();
      state_[id].next_offset = -1;
      // Known to the window operator from now on: until its first row (or its end
      // offset, or idle_timeout) it holds the watermark back, so its first rows are not
      // late just because another partition was fetched first.
      if (cur_) cur_->live.changes.push_back({id, PartitionChange::Kind::active});
      auto it = checkpoint_offsets_.find(id);
      if (it != checkpoint_offsets_.end()) checkpointed[static_cast<size_t>(i)] = it->second;
      tp.offset = RD_KAFKA_OFFSET_INVALID;  // committed, else auto.offset.reset
    }
  }
  // The committed offsets, in one request: a checkpointed partition resumes at
  // max(committed, checkpoint) — the checkpoint when a commit was lost (its posts up to
  // there are in this state), the committed offset when another member read further
  // (those posts are not). A partition with neither starts at kafka.start_offset.
  rd_kafka_topic_partition_list_t* q = rd_kafka_topic_partition_list_copy(parts);
  const bool have_committed = rd_kafka_committed(rk_, q, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR;
  if (!have_committed) log("warn", "assign", "cannot read committed offsets");
  rd_kafka_topic_partition_list_t* by_time = rd_kafka_topic_partition_list_new(parts->cnt);
  std::string names;
  for (int i = 0; i < parts->cnt; ++i) {
    auto& tp = parts->elems[i];
    const int64_t committed = have_committed ? q->elems[i].offset : -1;
    const int64_t ckpt = checkpointed[static_cast<size_t>(i)];
    std::string how;
    if (ckpt >= 0) {
      tp.offset = std::max(ckpt, committed);
      how = "@" + std::to_string(tp.offset) + (tp.offset == ckpt ? "(checkpoint)" : "(committed)");
    } else if (committed >= 0) {
      tp.offset = committed;
      how = "@" + std::to_string(committed) + "(committed)";
    } else if (start_timestamp_ms_ >= 0 && have_committed) {
      rd_kafka_topic_partition_list_add(by_time, tp.topic, tp.partition)->offset =
          start_timestamp_ms_;
      how = "(start_offset time)";
    } else {
      how = "(" + opts_.start_offset + ")";
    }
    names += (names.empty() ? "" : " ") + std::string(tp.topic) + "[" +
             std::to_string(tp.partition) + "]" + how;
  }
  if (by_time->cnt > 0 &&
      rd_kafka_offsets_for_times(rk_, by_time, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < by_time->cnt; ++i) {
      rd_kafka_topic_partition_t* dst = rd_kafka_topic_partition_list_find(
          parts, by_time->elems[i].topic, by_time->elems[i].partition);
      // -1: no message at or after the time: start at the end.
      if (dst) {
        dst->offset =
            by_time->elems[i].offset >= 0 ? by_time->elems[i].offset : RD_KAFKA_OFFSET_END;
      }
    }
  }
  rd_kafka_topic_partition_list_destroy(by_time);
  rd_kafka_topic_partition_list_destroy(q);
  log("info", "assigned", names);
}

}  // namespace sentistream

// Batch: the unit that flows through the pipeline. The source fills the raw part, the
// parallel parse+score stage fills rows/rejects/counters, the serial stages consume them.
// Batches are recycled (clear() keeps every buffer's capacity), so steady-state replay
// allocates nothing per batch.
#pragma once

#include <array>
#include <atomic>
#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "operators/post.h"
#include "operators/window/window.h"

namespace sentistream {

// One JSON document inside Batch::bytes.
struct RawDoc {
  uint64_t offset = 0;  // into Batch::bytes
  uint64_t length = 0;
  uint64_t line = 0;       // 1-based line in its input; live mode: the Kafka offset
  uint32_t input = 0;      // index into the source's input names
  uint32_t partition = 0;  // source partition (live: dense Kafka partition id; replay: 0)
  bool too_large = false;  // skipped by the source; `length` bytes of prefix kept for the DLQ
};

// A rejected document or post, with enough to write a DLQ entry.
struct Reject {
  uint32_t doc = 0;         // index into Batch::docs
  int64_t post_index = -1;  // position inside an API response, -1 = whole document
  RejectReason reason = RejectReason::invalid_json;
  std::string detail;
};

// Index of BatchCounters::scored: platform x score language (kScoreLangs) x label.
inline constexpr size_t kScoredSlots = kPlatformCount * kScoreLangs.size() * 3;
constexpr size_t scored_slot(Platform p, uint8_t score_lang, Label l) {
  const size_t lang = score_lang < kScoreLangs.size() ? score_lang : 0;  // never out of range
  return (static_cast<size_t>(p) * kScoreLangs.size() + lang) * 3 + static_cast<size_t>(l);
}

struct BatchCounters {
  uint64_t documents = 0;
  uint64_t bytes = 0;
  std::array<uint64_t, kPlatformCount> parsed{};        // posts per platform
  std::array<uint64_t, kRejectReasonCount> rejected{};  // by reason
  std::array<uint64_t, 3> labels{};                     // by Label
  std::array<uint64_t, kMaxMarkerCategories> marker_posts{};
  std::array<uint64_t, kScoredSlots> scored{};  // by scored_slot(), for posts_scored_total

  void add(const BatchCounters& o) {
    documents += o.documents;
    bytes += o.bytes;
    for (size_t i = 0; i < parsed.size(); ++i) parsed[i] += o.parsed[i];
    for (size_t i = 0; i < rejected.size(); ++i) rejected[i] += o.rejected[i];
    for (size_t i = 0; i < labels.size(); ++i) labels[i] += o.labels[i];
    for (size_t i = 0; i < marker_posts.size(); ++i) marker_posts[i] += o.marker_posts[i];
    for (size_t i = 0; i < scored.size(); ++i) scored[i] += o.scored[i];
  }
};

// Live mode: what the Kafka source tells the serial stages about a batch, and the
// checkpoint the window stage hands to the output stage. Empty in replay.
struct PartitionOffset {
  uint32_t partition = 0;  // dense id (RawDoc::partition)
  int64_t next_offset = 0;
};
struct PartitionChange {
  enum class Kind : uint8_t { idle, active, removed };
  uint32_t partition = 0;
  Kind kind = Kind::idle;
};
struct CheckpointAck;  // defined by the live runner: a revocation waits on it
struct LiveInfo {
  std::vector<PartitionOffset> offsets;  // per partition: 1 + last offset in this batch
  std::vector<PartitionChange> changes;  // applied by the window stage before the rows
  int64_t oldest_broker_ms = INT64_MAX;  // oldest message timestamp, for latency metrics
  bool checkpoint = false;               // force a checkpoint after this batch
  std::shared_ptr<CheckpointAck> ack;    // signalled once that checkpoint is committed
  // Filled by the window stage when it snapshots after this batch:
  bool has_snapshot = false;
  std::string snapshot;
  std::vector<PartitionOffset> snapshot_offsets;
  void clear() {
    offsets.clear();
    changes.clear();
    oldest_broker_ms = INT64_MAX;
    checkpoint = false;
    ack.reset();
    has_snapshot = false;
    snapshot.clear();
    snapshot_offsets.clear();
  }
};

struct Batch {
  // Stage handoff marker: each stage loads it (acquire) on entry and stores it (release)
  // on exit. oneTBB already orders the stages; this makes that ordering visible to
  // ThreadSanitizer, which cannot see inside the uninstrumented TBB library. Once per
  // batch, never per post.
  std::atomic<uint32_t> handoff{0};
  uint64_t seq = 0;
  int64_t read_ns = 0;        // steady-clock time the source filled it (metrics only, else 0)
  bool end_of_input = false;  // set on a (possibly empty) last batch
  std::string bytes;          // documents back to back, then simdjson padding
  std::vector<RawDoc> docs;

  RowBatch rows;
  std::vector<Reject> rejects;
  BatchCounters counters;

  // Filled by the window stage for the output stage.
  std::vector<WindowAggregate> closed;
  std::vector<LateRow> late;

  LiveInfo live;

  void clear() {
    end_of_input = false;
    bytes.clear();
    docs.clear();
    rows.clear();
    rejects.clear();
    counters = {};
    closed.clear();
    late.clear();
    live.clear();
  }
};

}  // namespace sentistream

// Batch: the unit that flows through the pipeline. The source fills the raw part, the
// parallel parse+score stage fills rows/rejects/counters, the serial stages consume them.
// Batches are recycled (clear() keeps every buffer's capacity), so steady-state replay
// allocates nothing per batch.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "operators/post.h"
#include "operators/window/window.h"

namespace sentistream {

// One JSON document inside Batch::bytes.
struct RawDoc {
  uint64_t offset = 0;  // into Batch::bytes
  uint64_t length = 0;
  uint64_t line = 0;       // 1-based line where the document starts in its input
  uint32_t input = 0;      // index into the source's input names
  bool too_large = false;  // skipped by the source; `length` bytes of prefix kept for the DLQ
};

// A rejected document or post, with enough to write a DLQ entry.
struct Reject {
  uint32_t doc = 0;         // index into Batch::docs
  int64_t post_index = -1;  // position inside an API response, -1 = whole document
  RejectReason reason = RejectReason::invalid_json;
  std::string detail;
};

struct BatchCounters {
  uint64_t documents = 0;
  uint64_t bytes = 0;
  std::array<uint64_t, kPlatformCount> parsed{};        // posts per platform
  std::array<uint64_t, kRejectReasonCount> rejected{};  // by reason
  std::array<uint64_t, 3> labels{};                     // by Label
  std::array<uint64_t, kMaxMarkerCategories> marker_posts{};

  void add(const BatchCounters& o) {
    documents += o.documents;
    bytes += o.bytes;
    for (size_t i = 0; i < parsed.size(); ++i) parsed[i] += o.parsed[i];
    for (size_t i = 0; i < rejected.size(); ++i) rejected[i] += o.rejected[i];
    for (size_t i = 0; i < labels.size(); ++i) labels[i] += o.labels[i];
    for (size_t i = 0; i < marker_posts.size(); ++i) marker_posts[i] += o.marker_posts[i];
  }
};

struct Batch {
  // Stage handoff marker: each stage loads it (acquire) on entry and stores it (release)
  // on exit. oneTBB already orders the stages; this makes that ordering visible to
  // ThreadSanitizer, which cannot see inside the uninstrumented TBB library. Once per
  // batch, never per post.
  std::atomic<uint32_t> handoff{0};
  uint64_t seq = 0;
  bool end_of_input = false;  // set on a (possibly empty) last batch
  std::string bytes;          // documents back to back, then simdjson padding
  std::vector<RawDoc> docs;

  RowBatch rows;
  std::vector<Reject> rejects;
  BatchCounters counters;

  // Filled by the window stage for the output stage.
  std::vector<WindowAggregate> closed;
  std::vector<LateRow> late;

  void clear() {
    end_of_input = false;
    bytes.clear();
    docs.clear();
    rows.clear();
    rejects.clear();
    counters = {};
    closed.clear();
    late.clear();
  }
};

}  // namespace sentistream

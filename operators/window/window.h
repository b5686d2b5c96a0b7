// Event-time windowing: window specs, per-batch rows, and the WindowOperator that turns
// rows into WindowAggregates.
//
// The operator is pure: no clocks, no threads, no I/O. It is fed batches in input order
// by one thread (the pipeline's serial window stage). Everything it computes is exact
// and independent of how the input was cut into batches: sums are fixed-point integers,
// lateness and window closing are decided per row in input order, sketches are fed in
// input order.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "operators/post.h"

namespace sentistream {

// Parses "90s", "5m", "1h", "2d", "250ms", "0s" into milliseconds; nullopt if malformed.
std::optional<int64_t> parse_duration_ms(std::string_view text);
// Formats milliseconds back to the shortest unit that is exact ("1h", "90s", "250ms").
std::string format_duration(int64_t ms);

// A window spec: "1m" (tumbling) or "1h/5m" (hopping: size 1h, slide 5m).
struct WindowSpec {
  std::string name;  // as written in config, used in output ("1m", "1h/5m")
  int64_t size_ms = 0;
  int64_t slide_ms = 0;  // == size_ms for tumbling
};
// Parses a spec; on error returns nullopt and sets *error to a message.
std::optional<WindowSpec> parse_window_spec(std::string_view text, std::string* error);

// Grouping dimensions, in the order they appear in output keys.
enum class Dimension : uint8_t { platform = 0, lang, topic, region };
std::string_view to_string(Dimension d);
std::optional<Dimension> parse_dimension(std::string_view name);

struct WindowConfig {
  std::vector<WindowSpec> specs;
  std::vector<Dimension> group_by;        // key fields, in this order
  std::vector<std::string> marker_names;  // marker category names, index = bit
  int64_t max_out_of_orderness_ms = 0;    // watermark = max event time - this
  int64_t allowed_lateness_ms = 0;        // state kept this long after window end
  int top_hashtags = 10;                  // top-N hashtags reported per aggregate
  int hashtag_capacity = 100;             // Space-Saving counters per window state
};

// One scored post, reduced to what windowing needs. Produced by the parallel stage.
struct PostRow {
  int64_t event_ms = 0;
  int64_t compound_micro = 0;  // round(compound * 1e6)
  int64_t weight = 1;          // engagement weight: 1 + likes + reposts + replies
  uint64_t author_hash = 0;    // 64-bit hash of author id (0 = unknown author)
  uint32_t group = 0;          // index into RowBatch::group_keys
  uint32_t hashtag_begin = 0;  // range in RowBatch::hashtags
  uint32_t hashtag_count = 0;
  uint32_t doc = 0;          // index of the source document in the raw batch (for DLQ)
  uint32_t partition = 0;    // source partition (Kafka partition; replay: 0)
  uint16_t marker_mask = 0;  // bit i set: the post hit marker category i
  Label label = Label::neutral;
};
// Fits in the padding the struct had before `partition` was added: rows stay 56 bytes.
static_assert(sizeof(PostRow) <= 56, "PostRow grew: keep the hot-path row compact");

// Rows of one input batch, in input order, plus the strings they reference. A batch may
// mix rows of several source partitions (PostRow::partition).
// Reused across batches (clear() keeps capacity).
struct RowBatch {
  std::vector<PostRow> rows;
  // Distinct group keys of this batch: values of WindowConfig::group_by, joined by '\x1f'.
  std::vector<std::string> group_keys;
  std::string hashtag_bytes;                            // concatenated hashtags
  std::vector<std::pair<uint32_t, uint32_t>> hashtags;  // (offset, length) into bytes
  void clear() {
    rows.clear();
    group_keys.clear();
    hashtag_bytes.clear();
    hashtags.clear();
  }
};

// One output record (DESIGN.md "Output schema").
struct WindowAggregate {
  std::string spec;  // WindowSpec::name
  int64_t start_ms = 0, end_ms = 0;
  std::vector<std::pair<Dimension, std::string>> key;
  int64_t count = 0;
  double mean = 0, stddev = 0;  // of compound, population stddev
  int64_t positive = 0, neutral = 0, negative = 0;
  struct Marker {
    std::string name;
    int64_t posts = 0;
    double rate = 0;  // posts / count
  };
  std::vector<Marker> markers;  // one per marker category, in lexicon order
  double engagement_weighted_mean = 0;
  int64_t authors_approx = 0;
  std::vector<std::pair<std::string, int64_t>> top_hashtags;  // count desc, then name asc
  int64_t late = 0;  // posts added after the window's first emission (within lateness)
  uint32_t revision = 0;
  bool final = true;
};

// Row indices the operator dropped as too late, so the caller can count / DLQ them.
struct LateRow {
  uint32_t row;  // index into RowBatch::rows
};

class WindowOperator {
 public:
  explicit WindowOperator(WindowConfig config);
  ~WindowOperator();
  WindowOperator(const WindowOperator&) = delete;
  WindowOperator& operator=(const WindowOperator&) = delete;

  // Adds a batch in input order. Windows whose end the watermark passes are appended to
  // `closed` in a deterministic order (end, spec order, start, key). Rows older than
  // watermark - allowed_lateness (at pane granularity) are dropped and listed in `late`.
  void add(const RowBatch& batch, std::vector<WindowAggregate>& closed, std::vector<LateRow>& late);

  // Marks a partition finished (end of file / end offset): it no longer holds the
  // watermark back. When every known partition has ended, the watermark may advance to
  // the largest partition watermark (end of input). A later row of the partition makes it
  // active again.
  void end_partition(uint32_t partition, std::vector<WindowAggregate>& closed);

  // Live mode: an idle partition (no data for idle_timeout) does not hold the watermark
  // back; its next row (or idle = false) makes it active again. With no partition active
  // (all idle or ended) the watermark goes to the furthest partition's. Unknown partitions
  // are ignored, except that idle = false registers an unknown partition without rows:
  // it then holds the watermark until its first row (live mode: a newly assigned
  // partition whose first messages have not arrived yet).
  void set_partition_idle(uint32_t partition, bool idle, std::vector<WindowAggregate>& closed);

  // Live mode: the partition was revoked (rebalance). Its watermark is forgotten; a later
  // row of it starts it afresh. Windows already holding its rows are unaffected.
  void remove_partition(uint32_t partition, std::vector<WindowAggregate>& closed);

  // Appends a versioned, checksummed binary snapshot of the complete state (see
  // README.md "Snapshots"). Cost is linear in the state size.
  void save(std::string& out) const;
  // Replaces the state with a snapshot written by save() under an identical WindowConfig.
  // Throws std::runtime_error (state unchanged) on a different config, a different
  // format version, truncation or corruption.
  void restore(std::string_view bytes);

  // End of input: closes every open window (final = true).
  void flush(std::vector<WindowAggregate>& closed);

  int64_t watermark_ms() const;  // INT64_MIN before any row
  std::size_t open_windows() const;
  std::size_t state_bytes() const;  // approximate
  int64_t late_rows() const;

  const WindowConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentistream

// Accumulator: the state of one (pane, group), fed one row at a time; Summarizer: turns
// the accumulators of one group's panes into a WindowAggregate's statistics.
//
// All sums are integers (compound in micro-units), so merging panes is exact and the
// result does not depend on how rows were batched. Floating point appears only in the
// final division, done the same way every time.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "operators/post.h"
#include "operators/window/hyperloglog.h"
#include "operators/window/space_saving.h"
#include "operators/window/window.h"

namespace sentistream::window_internal {

__extension__ typedef __int128 int128;

inline constexpr int64_t kCompoundScale = 1'000'000;

struct Accumulator {
  int64_t count = 0;
  int64_t sum = 0;                  // sum of compound_micro
  int128 sum_sq = 0;                // sum of compound_micro^2
  std::array<int64_t, 3> labels{};  // indexed by Label (negative, neutral, positive)
  std::array<int64_t, kMaxMarkerCategories> markers{};  // posts per marker category
  int128 sum_weight = 0;
  int128 sum_weighted = 0;  // sum of weight * compound_micro
  HyperLogLog authors;
  SpaceSaving hashtags;  // fed by the operator, which owns the hashtag ids

  // Everything but the hashtags. compound_micro is clamped to [-1e6, 1e6] (its documented
  // range) so no input can overflow the sums.
  void add(const PostRow& row) {
    const int64_t c = std::clamp<int64_t>(row.compound_micro, -kCompoundScale, kCompoundScale);
    ++count;
    sum += c;
    sum_sq += static_cast<int128>(c) * c;
    const auto label = static_cast<std::size_t>(row.label);
    ++labels[label < labels.size() ? label : 1];
    for (uint32_t m = row.marker_mask; m != 0; m &= m - 1) ++markers[__builtin_ctz(m)];
    sum_weight += row.weight;
    sum_weighted += static_cast<int128>(row.weight) * c;
    if (row.author_hash != 0) authors.add(row.author_hash);
  }

  // Back to empty, keeping allocations (HLL registers, Space-Saving arrays). The caller
  // releases the hashtag ids first.
  void reset();
  std::size_t heap_bytes() const;
};

// Hints the cache to fetch `a` (not its sketches).
void prefetch(const Accumulator* a);

struct SummaryContext {
  const std::vector<std::string>* marker_names = nullptr;
  const std::vector<std::string>* hashtag_display = nullptr;  // indexed by hashtag id
  std::size_t top_hashtags = 0;
  std::size_t hashtag_capacity = 0;
};

class Summarizer {
 public:
  // Fills count .. top_hashtags of `out` from the accumulators of one group, one per pane
  // (in pane order). Leaves spec, window, key, late, revision and final alone.
  void summarize(const Accumulator* const* accs, std::size_t n, const SummaryContext& ctx,
                 WindowAggregate& out);

 private:
  HyperLogLog::Registers registers_{};  // all zero between calls
  std::vector<uint16_t> touched_;       // registers_ made non-zero by a sparse merge
  std::vector<const SpaceSaving*> summaries_;
  SpaceSavingMerger merger_;
  std::vector<MergedItem> items_;
};

}  // namespace sentistream::window_internal

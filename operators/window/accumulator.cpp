#include "operators/window/accumulator.h"

#include <cmath>

namespace sentistream::window_internal {

void Accumulator::reset() {
  count = 0;
  sum = 0;
  sum_sq = 0;
  labels.fill(0);
  markers.fill(0);
  sum_weight = 0;
  sum_weighted = 0;
  authors.reset();
  hashtags.clear();
}

std::size_t Accumulator::heap_bytes() const {
  return authors.heap_bytes() + hashtags.bytes();
}

void prefetch(const Accumulator* a) {
  const char* p = reinterpret_cast<const char*>(a);
  for (std::size_t off = 0; off < sizeof(Accumulator); off += 64) __builtin_prefetch(p + off);
}

void Summarizer::summarize(const Accumulator* const* accs, std::size_t n, const SummaryContext& ctx,
                           WindowAggregate& out) {
  int64_t count = 0;
  int64_t sum = 0;
  int128 sum_sq = 0;
  std::array<int64_t, 3> labels{};
  std::array<int64_t, kMaxMarkerCategories> markers{};
  int128 sum_weight = 0;
  int128 sum_weighted = 0;
  const HyperLogLog* only_hll = nullptr;
  std::size_t hll_count = 0;
  summaries_.clear();
  // The panes' states are usually cold (a window reads many panes, each once): fetch a
  // few accumulators ahead, and each one's sketches before the loops that read them.
  constexpr std::size_t kAhead = 4;
  for (std::size_t i = 0; i < std::min(n, kAhead); ++i) prefetch(accs[i]);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) prefetch(accs[i + kAhead]);
    const Accumulator& a = *accs[i];
    a.authors.prefetch();
    a.hashtags.prefetch();
    count += a.count;
    sum += a.sum;
    sum_sq += a.sum_sq;
    for (std::size_t k = 0; k < labels.size(); ++k) labels[k] += a.labels[k];
    for (std::size_t k = 0; k < markers.size(); ++k) markers[k] += a.markers[k];
    sum_weight += a.sum_weight;
    sum_weighted += a.sum_weighted;
    if (!a.authors.empty()) {
      only_hll = &a.authors;
      ++hll_count;
    }
    if (!a.hashtags.empty()) summaries_.push_back(&a.hashtags);
  }

  out.count = count;
  out.negative = labels[static_cast<std::size_t>(Label::negative)];
  out.neutral = labels[static_cast<std::size_t>(Label::neutral)];
  out.positive = labels[static_cast<std::size_t>(Label::positive)];
  out.mean = 0;
  out.stddev = 0;
  if (count > 0) {
    const long double n_ld = static_cast<long double>(count);
    out.mean = static_cast<double>(static_cast<long double>(sum) / n_ld / kCompoundScale);
    // n * sum(x^2) - sum(x)^2 is exact in 128 bits and >= 0; the clamp is belt and braces.
    const int128 spread = static_cast<int128>(count) * sum_sq - static_cast<int128>(sum) * sum;
    long double variance = static_cast<long double>(spread) / (n_ld * n_ld) /
                           (static_cast<long double>(kCompoundScale) * kCompoundScale);
    if (variance < 0) variance = 0;
    out.stddev = static_cast<double>(std::sqrt(variance));
  }

  out.markers.clear();
  const std::size_t marker_count =
      std::min<std::size_t>(ctx.marker_names->size(), kMaxMarkerCategories);
  out.markers.reserve(marker_count);
  for (std::size_t k = 0; k < marker_count; ++k) {
    WindowAggregate::Marker m;
    m.name = (*ctx.marker_names)[k];
    m.posts = markers[k];
    m.rate = count > 0 ? static_cast<double>(m.posts) / static_cast<double>(count) : 0.0;
    out.markers.push_back(std::move(m));
  }

  out.engagement_weighted_mean =
      sum_weight == 0 ? 0.0
                      : static_cast<double>(static_cast<long double>(sum_weighted) /
                                            static_cast<long double>(sum_weight) / kCompoundScale);

  if (hll_count == 0) {
    out.authors_approx = 0;
  } else if (hll_count == 1) {
    out.authors_approx = only_hll->estimate_self();
  } else {
    // registers_ is all zero here. Sparse sketches are merged register by register,
    // listing the registers that become non-zero; one dense sketch makes the whole merge
    // dense. Either way registers_ is zeroed again afterwards.
    // At most kRegisters distinct indices are kept, plus one slot for the branch-free
    // write of an index that is not kept.
    if (touched_.size() < HyperLogLog::kRegisters + 1) touched_.resize(HyperLogLog::kRegisters + 1);
    uint16_t* const touched = touched_.data();
    std::size_t n_touched = 0;
    bool dense = false;
    for (std::size_t i = 0; i < n; ++i) {
      const HyperLogLog& h = accs[i]->authors;
      if (h.empty()) continue;
      if (dense || !h.sparse()) {
        dense = true;
        h.merge_into(registers_);
        continue;
      }
      const uint32_t* list = h.sparse_list();
      for (std::size_t k = 0, m = h.sparse_size(); k < m; ++k) {
        const uint32_t e = list[k];
        const auto idx = static_cast<uint16_t>(e >> 8);
        const uint8_t reg = registers_[idx];
        touched[n_touched] = idx;  // kept only if the register was zero (branch-free)
        n_touched += reg == 0;
        registers_[idx] = std::max(reg, static_cast<uint8_t>(e & 0xff));
      }
    }
    if (dense) {
      out.authors_approx = HyperLogLog::estimate(registers_);
      registers_.fill(0);
    } else {
      out.authors_approx = HyperLogLog::estimate_sparse(registers_, touched, n_touched);
      for (std::size_t k = 0; k < n_touched; ++k) registers_[touched[k]] = 0;
    }
  }

  out.top_hashtags.clear();
  if (ctx.top_hashtags == 0 || summaries_.empty()) return;
  const std::vector<std::string>& display = *ctx.hashtag_display;
  merger_.merge(summaries_.data(), summaries_.size(), ctx.hashtag_capacity, display.size(), items_);
  const auto before = [&display](const MergedItem& a, const MergedItem& b) {
    if (a.count != b.count) return a.count > b.count;
    return display[a.id] < display[b.id];
  };
  const std::size_t top = std::min(ctx.top_hashtags, items_.size());
  std::partial_sort(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(top), items_.end(),
                    before);
  out.top_hashtags.reserve(top);
  for (std::size_t i = 0; i < top; ++i) {
    out.top_hashtags.emplace_back(display[items_[i].id], items_[i].count);
  }
}

}  // namespace sentistream::window_internal

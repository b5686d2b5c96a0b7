#include "operators/window/space_saving.h"

#include <algorithm>
#include <bit>

namespace sentistream::window_internal {

std::size_t SpaceSaving::find(uint32_t id) const {
  if (index_.empty()) {
    const std::size_t n = ids_.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (ids_[i] == id) return i;
    }
    return n;
  }
  const std::size_t mask = index_.size() - 1;
  for (std::size_t s = home(id);; s = (s + 1) & mask) {
    const uint32_t slot = index_[s];
    if (slot == 0) return ids_.size();
    if (ids_[slot - 1] == id) return slot - 1;
  }
}

void SpaceSaving::index_insert(uint32_t id, uint32_t position) {
  const std::size_t mask = index_.size() - 1;
  std::size_t s = home(id);
  while (index_[s] != 0) s = (s + 1) & mask;
  index_[s] = position + 1;
}

void SpaceSaving::index_erase(uint32_t id) {
  const std::size_t mask = index_.size() - 1;
  std::size_t s = home(id);
  while (ids_[index_[s] - 1] != id) s = (s + 1) & mask;
  std::size_t hole = s;  // backward-shift deletion
  for (std::size_t j = (s + 1) & mask; index_[j] != 0; j = (j + 1) & mask) {
    const std::size_t h = home(ids_[index_[j] - 1]);
    const bool movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
    if (movable) {
      index_[hole] = index_[j];
      hole = j;
    }
  }
  index_[hole] = 0;
}

void SpaceSaving::build_index(std::size_t capacity) {
  const std::size_t slots = std::bit_ceil(std::max<std::size_t>(2 * capacity, 64));
  index_.assign(slots, 0);
  index_shift_ = 32 - static_cast<uint32_t>(std::countr_zero(slots));
  for (std::size_t i = 0; i < ids_.size(); ++i) index_insert(ids_[i], static_cast<uint32_t>(i));
}

void SpaceSaving::start_min_tracking() {
  min_ = *std::min_element(counts_.begin(), counts_.end());
  at_min_ = static_cast<std::size_t>(std::count(counts_.begin(), counts_.end(), min_));
  cursor_ = 0;
  tracking_ = true;
}

// No counter holds `min_` any more; every counter is >= min_ + 1 and at least one (the
// one just incremented) holds it.
void SpaceSaving::level_up() {
  ++min_;
  at_min_ = static_cast<std::size_t>(std::count(counts_.begin(), counts_.end(), min_));
  cursor_ = 0;
}

SpaceSaving::AddResult SpaceSaving::add(uint32_t id, std::size_t capacity) {
  const std::size_t n = ids_.size();
  const std::size_t i = find(id);
  if (i < n) {
    if (tracking_ && counts_[i] == min_) {
      ++counts_[i];
      if (--at_min_ == 0) level_up();
    } else {
      ++counts_[i];
    }
    return {false, kNone};
  }
  if (n < capacity) {
    ids_.push_back(id);
    counts_.push_back(1);
    if (!index_.empty()) {
      index_insert(id, static_cast<uint32_t>(n));
    } else if (n + 1 > kLinearMax) {
      build_index(capacity);
    }
    return {true, kNone};
  }
  if (n == 0) return {false, kNone};  // capacity 0
  if (!tracking_) start_min_tracking();
  // Within one min level counters only leave the level, so the first counter at the
  // level is at or after the cursor: this is "the first counter with the smallest count".
  while (counts_[cursor_] != min_) ++cursor_;
  const std::size_t victim = cursor_;
  const uint32_t evicted = ids_[victim];
  if (!index_.empty()) index_erase(evicted);
  ids_[victim] = id;
  if (!index_.empty()) index_insert(id, static_cast<uint32_t>(victim));
  ++counts_[victim];
  if (--at_min_ == 0) level_up();
  return {true, evicted};
}

int64_t SpaceSaving::min_count() const {
  if (tracking_) return min_;
  return counts_.empty() ? 0 : *std::min_element(counts_.begin(), counts_.end());
}

void SpaceSaving::clear() {
  ids_.clear();
  counts_.clear();
  if (!index_.empty()) index_.clear();  // keeps capacity; rebuilt (assign) when needed
  tracking_ = false;
}

std::string SpaceSaving::restore(const uint32_t* ids, const int64_t* counts, std::size_t n,
                                 bool tracking, std::size_t capacity) {
  if (n > capacity) return "more counters than hashtag_capacity";
  if (tracking && (n == 0 || n != capacity)) return "minimum tracked on a summary that is not full";
  clear();
  for (std::size_t i = 0; i < n; ++i) {
    if (counts[i] < 1 || counts[i] > (int64_t{1} << 62)) return "counter out of range";
    if (find(ids[i]) != ids_.size()) return "repeated hashtag id";
    ids_.push_back(ids[i]);
    counts_.push_back(counts[i]);
    if (!index_.empty()) {
      index_insert(ids[i], static_cast<uint32_t>(i));
    } else if (ids_.size() > kLinearMax) {
      build_index(capacity);
    }
  }
  if (tracking) {
    start_min_tracking();
    // The first counter holding the minimum: add() scans forward from the cursor to it.
    while (counts_[cursor_] != min_) ++cursor_;
  }
  return {};
}

void SpaceSavingMerger::merge(const SpaceSaving* const* summaries, std::size_t n,
                              std::size_t capacity, std::size_t id_limit,
                              std::vector<MergedItem>& out) {
  out.clear();
  if (n == 1) {
    const SpaceSaving& s = *summaries[0];
    for (std::size_t i = 0; i < s.size(); ++i) out.push_back({s.id(i), s.count(i)});
    return;
  }
  if (sum_of_id_.size() < id_limit) {
    sum_of_id_.resize(id_limit, 0);
    covered_of_id_.resize(id_limit, 0);
  }
  // Per id: the sum of its counts (>= 1 once seen: counters start at 1, so 0 = unseen)
  // and the bounds of the full summaries holding it. Items are listed in first-seen order.
  int64_t* const sums = sum_of_id_.data();
  int64_t* const covered = covered_of_id_.data();
  int64_t total_bound = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const SpaceSaving& s = *summaries[k];
    const std::size_t size = s.size();
    const bool full = capacity > 0 && size >= capacity;
    const int64_t bound = full ? s.min_count() : 0;
    total_bound += bound;
    const uint32_t* ids = s.ids();
    const int64_t* counts = s.counts();
    for (std::size_t i = 0; i < size; ++i) {
      const uint32_t id = ids[i];
      if (sums[id] == 0) out.push_back({id, 0});
      sums[id] += counts[i];
      covered[id] += bound;
    }
  }
  for (MergedItem& item : out) {
    // Summaries that lack the item could each have seen it up to their min count.
    item.count = sums[item.id] + (total_bound - covered[item.id]);
    sums[item.id] = 0;
    covered[item.id] = 0;
  }
}

}  // namespace sentistream::window_internal

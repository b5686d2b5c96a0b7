// Space-Saving heavy-hitter summary (Metwally et al. 2005) over interned hashtag ids.
//
// At most `capacity` counters; an unseen item replaces the first counter (lowest index)
// with the smallest count and continues from that count, so every count is an upper
// bound and any item with true frequency > n / capacity is present.
//
// Cost per item: a linear scan while the summary is small, then a small open-addressing
// index (id -> counter); the smallest count is tracked incrementally (how many counters
// hold it, and a cursor to the first of them), so an eviction is O(1) amortised instead
// of a scan. No allocation once the arrays reached their size; clear() keeps capacity.
//
// Items are fed in row order, so the summary (including which counter is evicted on
// ties) is a pure function of the input order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sentistream::window_internal {

class SpaceSaving {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  struct AddResult {
    bool inserted;     // `id` took a new counter: the caller takes a reference to it
    uint32_t evicted;  // id that lost its counter (kNone if none): the caller drops it
  };

  AddResult add(uint32_t id, std::size_t capacity);

  std::size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }
  uint32_t id(std::size_t i) const { return ids_[i]; }
  int64_t count(std::size_t i) const { return counts_[i]; }
  const uint32_t* ids() const { return ids_.data(); }
  const int64_t* counts() const { return counts_.data(); }
  // Smallest count: when the summary is full, the most any absent item can have had.
  int64_t min_count() const;

  // Cache hint: the counters (what a merge reads).
  void prefetch() const {
    const std::size_t n = ids_.size();
    const char* ids = reinterpret_cast<const char*>(ids_.data());
    const char* counts = reinterpret_cast<const char*>(counts_.data());
    for (std::size_t off = 0; off < n * sizeof(uint32_t); off += 64) __builtin_prefetch(ids + off);
    for (std::size_t off = 0; off < n * sizeof(int64_t); off += 64)
      __builtin_prefetch(counts + off);
  }

  void clear();

  // Snapshot support. Whether the minimum is tracked (the summary is full and has evicted
  // since its last clear()); the minimum itself, how many counters hold it and the
  // cursor are recomputed on restore, which changes no later eviction (the cursor only
  // skips counters known not to hold the minimum).
  bool tracking() const { return tracking_; }
  // Replaces the counters (position order). Returns a description of the problem, or an
  // empty string: ids must be distinct, counts >= 1, n <= capacity, tracking only if full.
  std::string restore(const uint32_t* ids, const int64_t* counts, std::size_t n, bool tracking,
                      std::size_t capacity);

  std::size_t bytes() const {
    return ids_.capacity() * sizeof(uint32_t) + counts_.capacity() * sizeof(int64_t) +
           index_.capacity() * sizeof(uint32_t);
  }

 private:
  static constexpr std::size_t kLinearMax = 16;  // build the index beyond this size

  std::size_t find(uint32_t id) const;
  std::size_t home(uint32_t id) const {
    return static_cast<std::size_t>((id * 0x9E3779B1u) >> index_shift_);
  }
  void index_insert(uint32_t id, uint32_t position);
  void index_erase(uint32_t id);
  void build_index(std::size_t capacity);
  void start_min_tracking();
  void level_up();

  std::vector<uint32_t> ids_;
  std::vector<int64_t> counts_;
  std::vector<uint32_t> index_;  // counter position + 1, 0 = empty; power-of-two size
  uint32_t index_shift_ = 32;
  // Min tracking, valid once the summary is full (it then stays full until clear()).
  bool tracking_ = false;
  int64_t min_ = 0;         // smallest count
  std::size_t at_min_ = 0;  // counters holding it
  std::size_t cursor_ = 0;  // no counter before this one holds `min_`
};

// Merges several summaries of disjoint sub-streams (the panes of a window) into one list
// of (id, count) upper bounds. For each item: the sum of its counts where present, plus,
// for every full summary that lacks it, that summary's min count (the most it can have
// had there). The result does not depend on the order of the summaries. Holds its
// scratch space, so merging allocates nothing once warm.
struct MergedItem {
  uint32_t id;
  int64_t count;
};

class SpaceSavingMerger {
 public:
  // `id_limit`: every id is below it. `out` is cleared, then filled in no particular
  // order (callers sort for output).
  void merge(const SpaceSaving* const* summaries, std::size_t n, std::size_t capacity,
             std::size_t id_limit, std::vector<MergedItem>& out);

 private:
  std::vector<int64_t> sum_of_id_;      // by id: sum of counts so far; 0 between merges
  std::vector<int64_t> covered_of_id_;  // by id: bounds of full summaries holding it
};

}  // namespace sentistream::window_internal

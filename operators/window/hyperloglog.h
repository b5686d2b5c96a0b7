// HyperLogLog distinct counter for author hashes (precision 12: 4096 one-byte registers,
// standard error ~1.6%). Registers are allocated on the first add, so states that never
// see an author cost one pointer; a reset keeps the allocation for reuse.
//
// Merging is a register-wise max, which is exact and order-free, so window estimates do
// not depend on how rows were split into panes or batches.
//
// Sparse tracking: while at most kSparseMax registers are non-zero, their indices are
// listed (in the order they became non-zero), so merging, estimating and resetting a
// sparse sketch touch only those registers instead of all 4096. This changes no result:
// merging is a max, and the estimate's sum is computed exactly (see estimate()).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace sentistream::window_internal {

class HyperLogLog {
 public:
  static constexpr int kPrecision = 12;
  static constexpr std::size_t kRegisters = std::size_t{1} << kPrecision;
  static constexpr std::size_t kSparseMax = 192;  // listed non-zero registers, at most
  using Registers = std::array<uint8_t, kRegisters>;

  // `hash` should be a 64-bit hash; it is mixed again here so weak upstream hashes (such
  // as the identity hash of numeric ids) still spread over the registers.
  void add(uint64_t hash) {
    if (!active_) activate();
    const uint64_t h = mix(hash);
    const std::size_t index = static_cast<std::size_t>(h >> (64 - kPrecision));
    const uint64_t rest = h << kPrecision;
    const uint8_t rank =
        rest == 0 ? uint8_t{64 - kPrecision + 1} : static_cast<uint8_t>(__builtin_clzll(rest) + 1);
    uint8_t& reg = storage_->registers[index];
    if (rank > reg) {
      if (listed_ <= kSparseMax) note(index, reg, rank);
      reg = rank;
    }
  }

  bool empty() const { return !active_; }
  void reset() { active_ = false; }
  bool allocated() const { return storage_ != nullptr; }
  std::size_t heap_bytes() const { return storage_ ? sizeof(Storage) : 0; }
  // True when the non-zero registers are listed (sparse_list / sparse_size): entries
  // (index << 8 | value), one per non-zero register, in no meaningful order.
  bool sparse() const { return listed_ <= kSparseMax; }
  const uint32_t* sparse_list() const { return storage_->list.data(); }
  std::size_t sparse_size() const { return listed_; }

  // Cache hint: the sparse list (all a sparse sketch's merge reads).
  void prefetch() const {
    if (!active_ || listed_ > kSparseMax) return;
    const char* p = reinterpret_cast<const char*>(storage_->list.data());
    for (std::size_t off = 0; off < listed_ * sizeof(uint32_t); off += 64)
      __builtin_prefetch(p + off);
  }

  // Snapshot support: the state is inactive (empty), sparse (the listed entries, in list
  // order) or dense (the registers). restore_sparse takes entries with distinct register
  // indices and non-zero values <= kMaxRank; restore_dense registers <= kMaxRank.
  static constexpr uint8_t kMaxRank = 64 - kPrecision + 1;
  void restore_sparse(const uint32_t* entries, std::size_t n);
  void restore_dense(const Registers& registers);

  // Register-wise max into `into` (which must start zeroed or hold other registers).
  void merge_into(Registers& into) const;
  const Registers* registers() const { return active_ ? &storage_->registers : nullptr; }

  // Cardinality estimate: the raw HLL estimate with linear counting for small ranges
  // (Flajolet et al. 2007; the large-range correction is not needed with 64-bit hashes).
  static int64_t estimate(const Registers& registers);
  // The same estimate, bit for bit, when exactly the `n` registers listed in `nonzero`
  // (distinct indices) are non-zero.
  static int64_t estimate_sparse(const Registers& registers, const uint16_t* nonzero,
                                 std::size_t n);
  // estimate() of this sketch's registers (which must be active).
  int64_t estimate_self() const;

 private:
  static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
  }
  void activate();
  static int64_t finish(double sum, std::size_t zeros);
  // Sparse bookkeeping of register `index` going from `old` to `rank` (> old).
  void note(std::size_t index, uint8_t old, uint8_t rank) {
    Storage& s = *storage_;
    const uint32_t entry = static_cast<uint32_t>(index) << 8 | rank;
    if (old != 0) {
      for (std::size_t i = 0;; ++i) {
        if ((s.list[i] >> 8) == index) {
          s.list[i] = entry;
          return;
        }
      }
    }
    if (listed_ < kSparseMax) s.list[listed_] = entry;
    ++listed_;  // kSparseMax + 1: dense, the list is no longer kept
  }

  struct Storage {
    std::array<uint32_t, kSparseMax> list{};  // the first listed_ entries are valid
    Registers registers{};
  };
  std::unique_ptr<Storage> storage_;
  bool active_ = false;
  uint32_t listed_ = 0;  // non-zero registers while <= kSparseMax; kSparseMax + 1: dense
};

}  // namespace sentistream::window_internal

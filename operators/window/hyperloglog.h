// HyperLogLog distinct counter for author hashes (precision 12: 4096 one-byte registers,
// standard error ~1.6%). Registers are allocated on the first add, so states that never
// see an author cost one pointer; a reset keeps the allocation for reuse.
//
// Merging is a register-wise max, which is exact and order-free, so window estimates do
// not depend on how rows were split into panes or batches.
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
    uint8_t& reg = (*registers_)[index];
    if (rank > reg) reg = rank;
  }

  bool empty() const { return !active_; }
  void reset() { active_ = false; }
  bool allocated() const { return registers_ != nullptr; }

  // Register-wise max into `into` (which must start zeroed or hold other registers).
  void merge_into(Registers& into) const;
  const Registers* registers() const { return active_ ? registers_.get() : nullptr; }

  // Cardinality estimate: the raw HLL estimate with linear counting for small ranges
  // (Flajolet et al. 2007; the large-range correction is not needed with 64-bit hashes).
  static int64_t estimate(const Registers& registers);

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

  std::unique_ptr<Registers> registers_;
  bool active_ = false;
};

}  // namespace sentistream::window_internal

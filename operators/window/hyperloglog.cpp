#include "operators/window/hyperloglog.h"

#include <algorithm>
#include <cmath>

namespace sentistream::window_internal {

namespace {

// The estimate's sum of 2^-r over all registers was defined as a sequential double sum
// in register order. When every register is <= kExactRank, each partial sum is a
// multiple of 2^-kExactRank below 2^12 + 1, i.e. fits in 53 bits of mantissa, so that
// sequential sum is exact and equals the integer sum of 2^(kExactRank - r) scaled by
// 2^-kExactRank, whatever the order. Larger registers (probability ~2^-40 per hash) use
// the sequential sum itself.
constexpr int kExactRank = 40;

const std::array<double, 66>& inverse_powers() {
  // 2^-r for every possible register value.
  static const auto table = [] {
    std::array<double, 66> t{};
    for (int r = 0; r < 66; ++r) t[r] = std::ldexp(1.0, -r);
    return t;
  }();
  return table;
}

constexpr std::array<uint64_t, 256> kScaled = [] {
  std::array<uint64_t, 256> t{};
  for (int r = 0; r <= kExactRank; ++r) t[r] = uint64_t{1} << (kExactRank - r);
  return t;
}();

double sequential_sum(const HyperLogLog::Registers& registers) {
  const auto& inv = inverse_powers();
  double sum = 0;
  for (const uint8_t r : registers) sum += inv[r];  // register order, as defined
  return sum;
}

}  // namespace

void HyperLogLog::activate() {
  if (!storage_) {
    storage_ = std::make_unique<Storage>();
  } else if (listed_ <= kSparseMax) {
    for (std::size_t i = 0; i < listed_; ++i) storage_->registers[storage_->list[i] >> 8] = 0;
  } else {
    storage_->registers.fill(0);
  }
  listed_ = 0;
  active_ = true;
}

void HyperLogLog::restore_sparse(const uint32_t* entries, std::size_t n) {
  activate();
  for (std::size_t i = 0; i < n; ++i) {
    storage_->list[i] = entries[i];
    storage_->registers[entries[i] >> 8] = static_cast<uint8_t>(entries[i] & 0xff);
  }
  listed_ = static_cast<uint32_t>(n);
}

void HyperLogLog::restore_dense(const Registers& registers) {
  activate();
  storage_->registers = registers;
  listed_ = kSparseMax + 1;
}

void HyperLogLog::merge_into(Registers& into) const {
  if (!active_) return;
  const Registers& mine = storage_->registers;
  if (listed_ <= kSparseMax) {
    for (std::size_t i = 0; i < listed_; ++i) {
      const uint32_t e = storage_->list[i];
      uint8_t& reg = into[e >> 8];
      reg = std::max(reg, static_cast<uint8_t>(e & 0xff));
    }
    return;
  }
  for (std::size_t i = 0; i < kRegisters; ++i) into[i] = std::max(into[i], mine[i]);  // vectorises
}

int64_t HyperLogLog::finish(double sum, std::size_t zeros) {
  constexpr double m = static_cast<double>(kRegisters);
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double estimate = alpha * m * m / sum;
  if (estimate <= 2.5 * m && zeros != 0) {
    estimate = m * std::log(m / static_cast<double>(zeros));  // linear counting
  }
  return std::llround(estimate);
}

int64_t HyperLogLog::estimate(const Registers& registers) {
  uint64_t scaled = 0;  // sum of 2^(kExactRank - r) while every r <= kExactRank
  std::size_t zeros = 0;
  uint8_t max_rank = 0;
  for (const uint8_t r : registers) {
    scaled += kScaled[r];
    zeros += r == 0;
    max_rank = std::max(max_rank, r);
  }
  if (zeros == kRegisters) return 0;
  const double sum = max_rank <= kExactRank ? std::ldexp(static_cast<double>(scaled), -kExactRank)
                                            : sequential_sum(registers);
  return finish(sum, zeros);
}

int64_t HyperLogLog::estimate_sparse(const Registers& registers, const uint16_t* nonzero,
                                     std::size_t n) {
  if (n == 0) return 0;
  const std::size_t zeros = kRegisters - n;
  uint64_t scaled = static_cast<uint64_t>(zeros) << kExactRank;
  for (std::size_t i = 0; i < n; ++i) {
    const uint8_t r = registers[nonzero[i]];
    if (r > kExactRank) return finish(sequential_sum(registers), zeros);
    scaled += kScaled[r];
  }
  return finish(std::ldexp(static_cast<double>(scaled), -kExactRank), zeros);
}

int64_t HyperLogLog::estimate_self() const {
  const Storage& s = *storage_;
  if (listed_ > kSparseMax) return estimate(s.registers);
  if (listed_ == 0) return 0;
  const std::size_t zeros = kRegisters - listed_;
  uint64_t scaled = static_cast<uint64_t>(zeros) << kExactRank;
  for (std::size_t i = 0; i < listed_; ++i) {
    const uint32_t r = s.list[i] & 0xff;
    if (r > kExactRank) return finish(sequential_sum(s.registers), zeros);
    scaled += kScaled[r];
  }
  return finish(std::ldexp(static_cast<double>(scaled), -kExactRank), zeros);
}

}  // namespace sentistream::window_internal

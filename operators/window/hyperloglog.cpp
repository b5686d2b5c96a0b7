#include "operators/window/hyperloglog.h"

#include <algorithm>
#include <cmath>

namespace sentistream::window_internal {

void HyperLogLog::activate() {
  if (!registers_) registers_ = std::make_unique<Registers>();
  registers_->fill(0);
  active_ = true;
}

void HyperLogLog::merge_into(Registers& into) const {
  if (!active_) return;
  const Registers& mine = *registers_;
  for (std::size_t i = 0; i < kRegisters; ++i) into[i] = std::max(into[i], mine[i]);  // vectorises
}

int64_t HyperLogLog::estimate(const Registers& registers) {
  // 2^-r for every possible register value, so the sum is exact in the same order every
  // time (deterministic to the last bit).
  static const auto kInversePowers = [] {
    std::array<double, 66> table{};
    for (int r = 0; r < 66; ++r) table[r] = std::ldexp(1.0, -r);
    return table;
  }();
  constexpr double m = static_cast<double>(kRegisters);
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double sum = 0;
  std::size_t zeros = 0;
  for (const uint8_t r : registers) {
    sum += kInversePowers[r];
    zeros += r == 0;
  }
  if (zeros == kRegisters) return 0;
  double estimate = alpha * m * m / sum;
  if (estimate <= 2.5 * m && zeros != 0) {
    estimate = m * std::log(m / static_cast<double>(zeros));  // linear counting
  }
  return std::llround(estimate);
}

}  // namespace sentistream::window_internal

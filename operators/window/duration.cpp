// Durations as written in config: one integer and one unit ("250ms", "90s", "5m", "1h",
// "2d"). No sign, no spaces, no compound forms ("1h30m"): window arithmetic wants exact
// integers, and one unit per value keeps specs readable.
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "operators/window/window.h"

namespace sentistream {

namespace {

struct Unit {
  std::string_view suffix;
  int64_t ms;
};
// Largest first: format_duration picks the first unit that divides exactly.
constexpr std::array<Unit, 5> kUnits = {{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

}  // namespace

std::optional<int64_t> parse_duration_ms(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits == text.size()) return std::nullopt;
  int64_t value = 0;
  const char* first = text.data();
  auto [ptr, ec] = std::from_chars(first, first + digits, value);
  if (ec != std::errc() || ptr != first + digits) return std::nullopt;
  const std::string_view suffix = text.substr(digits);
  for (const Unit& unit : kUnits) {
    if (suffix != unit.suffix) continue;
    if (value > std::numeric_limits<int64_t>::max() / unit.ms) return std::nullopt;
    return value * unit.ms;
  }
  return std::nullopt;
}

std::string format_duration(int64_t ms) {
  if (ms == 0) return "0s";
  if (ms == std::numeric_limits<int64_t>::min()) return std::to_string(ms) + "ms";
  for (const Unit& unit : kUnits) {
    if (ms % unit.ms == 0) return std::to_string(ms / unit.ms) + std::string(unit.suffix);
  }
  return std::to_string(ms) + "ms";  // unreachable: 1 ms divides everything
}

}  // namespace sentistream

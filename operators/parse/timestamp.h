// Date-time parsing and formatting for the parse operator: hand-written, locale-free,
// no timezone database (every input format carries its own UTC offset). All results are
// milliseconds since the Unix epoch, UTC. Functions return false on anything malformed or
// out of range (month 13, Feb 30, hour 24, offset +24:00 ...) and leave `ms` untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sentistream::parse_detail {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
// m in [1, 12], d in [1, 31]; no validation.
constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Inverse of days_from_civil.
constexpr CivilDate civil_from_days(int64_t z) noexcept {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

constexpr bool is_leap_year(int64_t y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned days_in_month(int64_t y, unsigned m) noexcept {
  constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

// Twitter v1.1 / Weibo form "Wed Oct 10 20:19:24 +0000 2018" (exactly 30 bytes).
// The weekday must be a valid English abbreviation but is not cross-checked against the
// date (it is redundant; the date wins). Offsets up to ±23:59 are honoured.
bool parse_twitter_time(std::string_view s, int64_t& ms) noexcept;

// RFC 3339 "2019-06-04T23:12:08.000Z": 'T', 't' or ' ' between date and time, optional
// fraction of any length (truncated to ms), 'Z'/'z' or ±hh:mm required. Second 60 (a leap
// second) is accepted and counts as the first second of the next minute, as POSIX does.
bool parse_rfc3339(std::string_view s, int64_t& ms) noexcept;

// An integer timestamp: |v| >= 1e11 is taken as milliseconds, smaller values as seconds
// (1e11 s is the year 5138; 1e11 ms is March 1973, before any social-media post).
bool epoch_number_to_ms(int64_t v, int64_t& ms) noexcept;

// Largest RFC 3339 output of format_rfc3339 ("-YYYY..." never: years outside 0000..9999
// are not representable and return 0).
inline constexpr std::size_t kRfc3339MaxBytes = 24;  // "2025-01-29T10:00:00.123Z"

// Writes ms as "YYYY-MM-DDTHH:MM:SSZ", or with ".mmmZ" when ms % 1000 != 0. Returns the
// number of bytes written to out (kRfc3339MaxBytes available), 0 when the year is outside
// 0000..9999.
std::size_t format_rfc3339(int64_t ms, char* out) noexcept;

}  // namespace sentistream::parse_detail

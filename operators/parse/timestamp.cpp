#include "operators/parse/timestamp.h"

namespace sentistream::parse_detail {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

// n ASCII digits at p as an unsigned number; false if any byte is not a digit.
inline bool digits(const char* p, int n, unsigned& out) noexcept {
  unsigned v = 0;
  for (int i = 0; i < n; ++i) {
    const unsigned d = static_cast<unsigned char>(p[i]) - unsigned{'0'};
    if (d > 9) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

// Three-letter English names, compared case-sensitively as the APIs write them.
inline int month_from_abbrev(const char* p) noexcept {
  static constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  for (int i = 0; i < 12; ++i) {
    if (p[0] == kMonths[3 * i] && p[1] == kMonths[3 * i + 1] && p[2] == kMonths[3 * i + 2]) {
      return i + 1;
    }
  }
  return 0;
}

inline bool is_weekday_abbrev(const char* p) noexcept {
  static constexpr char kDays[] = "MonTueWedThuFriSatSun";
  for (int i = 0; i < 7; ++i) {
    if (p[0] == kDays[3 * i] && p[1] == kDays[3 * i + 1] && p[2] == kDays[3 * i + 2]) {
      return true;
    }
  }
  return false;
}

// Validates the calendar fields and combines them. offset_min is east of UTC (+0800 = 480).
inline bool combine(int64_t year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                    unsigned second, unsigned millis, int offset_min, int64_t& ms) noexcept {
  if (month < 1 || month > 12) return false;
  if (day < 1 || day > days_in_month(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  const int64_t days = days_from_civil(year, month, day);
  const int64_t secs_of_day = int64_t{hour} * 3600 + int64_t{minute} * 60 + second;
  ms = days * kMsPerDay + secs_of_day * 1000 + millis - int64_t{offset_min} * 60'000;
  return true;
}

}  // namespace

bool parse_twitter_time(std::string_view s, int64_t& ms) noexcept {
  // 0         1         2
  // 012345678901234567890123456789
  // Wed Oct 10 20:19:24 +0000 2018
  if (s.size() != 30) return false;
  const char* p = s.data();
  if (p[3] != ' ' || p[7] != ' ' || p[10] != ' ' || p[13] != ':' || p[16] != ':' || p[19] != ' ' ||
      p[25] != ' ') {
    return false;
  }
  if (!is_weekday_abbrev(p)) return false;
  const int month = month_from_abbrev(p + 4);
  if (month == 0) return false;
  unsigned day, hour, minute, second, off_h, off_m, year;
  if (!digits(p + 8, 2, day) || !digits(p + 11, 2, hour) || !digits(p + 14, 2, minute) ||
      !digits(p + 17, 2, second) || !digits(p + 21, 2, off_h) || !digits(p + 23, 2, off_m) ||
      !digits(p + 26, 4, year)) {
    return false;
  }
  if (p[20] != '+' && p[20] != '-') return false;
  if (off_h > 23 || off_m > 59) return false;
  int offset = static_cast<int>(off_h * 60 + off_m);
  if (p[20] == '-') offset = -offset;
  return combine(year, static_cast<unsigned>(month), day, hour, minute, second, 0, offset, ms);
}

bool parse_rfc3339(std::string_view s, int64_t& ms) noexcept {
  // 2019-06-04T23:12:08[.000](Z|+08:00)
  if (s.size() < 20) return false;
  const char* p = s.data();
  const char* end = p + s.size();
  unsigned year, month, day, hour, minute, second;
  if (!digits(p, 4, year) || p[4] != '-' || !digits(p + 5, 2, month) || p[7] != '-' ||
      !digits(p + 8, 2, day)) {
    return false;
  }
  if (p[10] != 'T' && p[10] != 't' && p[10] != ' ') return false;
  if (!digits(p + 11, 2, hour) || p[13] != ':' || !digits(p + 14, 2, minute) || p[16] != ':' ||
      !digits(p + 17, 2, second)) {
    return false;
  }
  p += 19;
  unsigned millis = 0;
  if (*p == '.') {
    ++p;
    const char* frac = p;
    unsigned scale = 100;
    while (p < end && static_cast<unsigned>(*p - '0') <= 9) {
      millis += scale * static_cast<unsigned>(*p - '0');
      scale /= 10;
      ++p;
    }
    if (p == frac) return false;  // "." without digits
  }
  if (p >= end) return false;  // the offset is mandatory
  int offset = 0;
  if (*p == 'Z' || *p == 'z') {
    ++p;
  } else if (*p == '+' || *p == '-') {
    unsigned off_h, off_m;
    if (end - p != 6 || !digits(p + 1, 2, off_h) || p[3] != ':' || !digits(p + 4, 2, off_m)) {
      return false;
    }
    if (off_h > 23 || off_m > 59) return false;
    offset = static_cast<int>(off_h * 60 + off_m);
    if (*p == '-') offset = -offset;
    p += 6;
  } else {
    return false;
  }
  if (p != end) return false;
  return combine(year, month, day, hour, minute, second, millis, offset, ms);
}

bool epoch_number_to_ms(int64_t v, int64_t& ms) noexcept {
  constexpr int64_t kSecondsLimit = 100'000'000'000;  // 1e11
  // Years beyond 9999 in either unit are not timestamps of posts.
  constexpr int64_t kMaxMs = 253'402'300'800'000;  // 10000-01-01T00:00:00Z
  if (v > -kSecondsLimit && v < kSecondsLimit) {
    ms = v * 1000;
    return true;
  }
  if (v >= kMaxMs || v <= -kMaxMs) return false;
  ms = v;
  return true;
}

std::size_t format_rfc3339(int64_t ms, char* out) noexcept {
  int64_t days = ms / kMsPerDay;
  int64_t rem = ms % kMsPerDay;
  if (rem < 0) {
    rem += kMsPerDay;
    --days;
  }
  const CivilDate date = civil_from_days(days);
  if (date.year < 0 || date.year > 9999) return 0;
  const auto secs = static_cast<unsigned>(rem / 1000);
  const auto millis = static_cast<unsigned>(rem % 1000);
  auto put2 = [](char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  const auto y = static_cast<unsigned>(date.year);
  put2(out, y / 100);
  put2(out + 2, y % 100);
  out[4] = '-';
  put2(out + 5, date.month);
  out[7] = '-';
  put2(out + 8, date.day);
  out[10] = 'T';
  put2(out + 11, secs / 3600);
  out[13] = ':';
  put2(out + 14, secs / 60 % 60);
  out[16] = ':';
  put2(out + 17, secs % 60);
  std::size_t n = 19;
  if (millis != 0) {
    out[19] = '.';
    out[20] = static_cast<char>('0' + millis / 100);
    out[21] = static_cast<char>('0' + millis / 10 % 10);
    out[22] = static_cast<char>('0' + millis % 10);
    n = 23;
  }
  out[n++] = 'Z';
  return n;
}

}  // namespace sentistream::parse_detail

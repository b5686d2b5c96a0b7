#include "pipeline/encode.h"

#include "operators/parse/canonical.h"

#include <cmath>
#include <cstdio>

namespace sentistream {

namespace {

// Howard Hinnant's civil-from-days algorithm (public domain description).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

void append_csv_field(std::string_view text, std::string& out) {
  bool quote = text.find_first_of(",\"\n\r") != std::string_view::npos;
  if (!quote) {
    out.append(text);
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

void append_rfc3339(int64_t ms, std::string& out) {
  int64_t days = floor_div(ms, 86400000);
  int64_t rem = ms - days * 86400000;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[48];
  int secs = static_cast<int>(rem / 1000);
  int millis = static_cast<int>(rem % 1000);
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d",
                        static_cast<long long>(y), m, d, secs / 3600, secs / 60 % 60, secs % 60);
  out.append(buf, static_cast<size_t>(n));
  if (millis != 0) {
    n = std::snprintf(buf, sizeof buf, ".%03d", millis);
    out.append(buf, static_cast<size_t>(n));
  }
  out += 'Z';
}

void append_json_string(std::string_view text, std::string& out) {
  append_json_text(text, out);
}

void append_fixed(double value, int decimals, std::string& out) {
  if (!std::isfinite(value)) value = 0;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string_view s(buf, static_cast<size_t>(n));
  // "-0.0000" -> "0.0000": a rounding artefact, not a sign.
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string_view::npos) s.remove_prefix(1);
  out.append(s);
}

void append_aggregate_json(const WindowAggregate& a, int decimals, std::string& out) {
  out += "{\"window\":{\"start\":\"";
  append_rfc3339(a.start_ms, out);
  out += "\",\"end\":\"";
  append_rfc3339(a.end_ms, out);
  out += "\",\"spec\":";
  append_json_string(a.spec, out);
  out += "},\"key\":{";
  for (size_t i = 0; i < a.key.size(); ++i) {
    if (i) out += ',';
    append_json_string(to_string(a.key[i].first), out);
    out += ':';
    append_json_string(a.key[i].second, out);
  }
  out += "},\"count\":";
  out += std::to_string(a.count);
  out += ",\"sentiment\":{\"mean\":";
  append_fixed(a.mean, decimals, out);
  out += ",\"stddev\":";
  append_fixed(a.stddev, decimals, out);
  out += ",\"positive\":" + std::to_string(a.positive);
  out += ",\"neutral\":" + std::to_string(a.neutral);
  out += ",\"negative\":" + std::to_string(a.negative);
  out += "},\"markers\":{";
  for (size_t i = 0; i < a.markers.size(); ++i) {
    if (i) out += ',';
    append_json_string(a.markers[i].name, out);
    out += ":{\"posts\":" + std::to_string(a.markers[i].posts) + ",\"rate\":";
    append_fixed(a.markers[i].rate, decimals, out);
    out += '}';
  }
  out += "},\"engagement_weighted_mean\":";
  append_fixed(a.engagement_weighted_mean, decimals, out);
  out += ",\"authors_approx\":" + std::to_string(a.authors_approx);
  out += ",\"top_hashtags\":[";
  for (size_t i = 0; i < a.top_hashtags.size(); ++i) {
    if (i) out += ',';
    out += '[';
    append_json_string(a.top_hashtags[i].first, out);
    out += ',' + std::to_string(a.top_hashtags[i].second) + ']';
  }
  out += "],\"late\":" + std::to_string(a.late);
  out += ",\"revision\":" + std::to_string(a.revision);
  out += a.final ? ",\"final\":true}\n" : ",\"final\":false}\n";
}

void append_csv_header(const std::vector<Dimension>& group_by,
                       const std::vector<std::string>& markers, std::string& out) {
  out += "window_start,window_end,spec";
  for (Dimension d : group_by) {
    out += ',';
    out += to_string(d);
  }
  out += ",count,mean,stddev,positive,neutral,negative";
  for (const auto& m : markers) out += "," + m + "_posts," + m + "_rate";
  out += ",engagement_weighted_mean,authors_approx,top_hashtags,late,revision,final\n";
}

void append_aggregate_csv(const WindowAggregate& a, int decimals, std::string& out) {
  append_rfc3339(a.start_ms, out);
  out += ',';
  append_rfc3339(a.end_ms, out);
  out += ',';
  append_csv_field(a.spec, out);
  for (const auto& kv : a.key) {
    out += ',';
    append_csv_field(kv.second, out);
  }
  out += ',' + std::to_string(a.count) + ',';
  append_fixed(a.mean, decimals, out);
  out += ',';
  append_fixed(a.stddev, decimals, out);
  out += ',' + std::to_string(a.positive) + ',' + std::to_string(a.neutral) + ',' +
         std::to_string(a.negative);
  for (const auto& m : a.markers) {
    out += ',' + std::to_string(m.posts) + ',';
    append_fixed(m.rate, decimals, out);
  }
  out += ',';
  append_fixed(a.engagement_weighted_mean, decimals, out);
  out += ',' + std::to_string(a.authors_approx) + ',';
  std::string tags;  // "tag:count|tag:count"
  for (size_t i = 0; i < a.top_hashtags.size(); ++i) {
    if (i) tags += '|';
    tags += a.top_hashtags[i].first + ':' + std::to_string(a.top_hashtags[i].second);
  }
  append_csv_field(tags, out);
  out += ',' + std::to_string(a.late) + ',' + std::to_string(a.revision) +
         (a.final ? ",true\n" : ",false\n");
}

void append_aggregate_key(const WindowAggregate& a, std::string& out) {
  out += a.spec;
  out += '|';
  append_rfc3339(a.start_ms, out);
  for (const auto& kv : a.key) {
    out += '|';
    out += to_string(kv.first);
    out += '=';
    out += kv.second;
  }
}

}  // namespace sentistream

// Window operator: durations and specs, panes and windows, watermarks and lateness,
// revisions, sketches, exactness, and independence from batch boundaries. Rows are made
// by hand; no parser or scorer is involved.
#include <doctest/doctest.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "operators/window/accumulator.h"
#include "operators/window/hyperloglog.h"
#include "operators/window/snapshot.h"
#include "operators/window/space_saving.h"
#include "operators/window/window.h"

using namespace sentistream;

namespace {

constexpr int64_t kSec = 1000;
constexpr int64_t kMin = 60 * kSec;

struct Row {
  Row(int64_t time = 0, std::string group_key = "weibo") : t(time), key(std::move(group_key)) {}
  int64_t t;
  std::string key;  // group key (values joined by '\x1f')
  int64_t compound_micro = 0;
  Label label = Label::neutral;
  uint16_t markers = 0;
  int64_t weight = 1;
  uint64_t author = 0;
  std::vector<std::string> tags;
};

// Rows with their partitions, in input order: one batch may mix partitions.
RowBatch make_mixed_batch(const std::vector<std::pair<uint32_t, Row>>& rows) {
  RowBatch batch;
  std::map<std::string, uint32_t> keys;
  for (const auto& [partition, r] : rows) {
    auto [it, inserted] = keys.try_emplace(r.key, static_cast<uint32_t>(batch.group_keys.size()));
    if (inserted) batch.group_keys.push_back(r.key);
    PostRow p;
    p.event_ms = r.t;
    p.compound_micro = r.compound_micro;
    p.weight = r.weight;
    p.author_hash = r.author;
    p.group = it->second;
    p.hashtag_begin = static_cast<uint32_t>(batch.hashtags.size());
    p.hashtag_count = static_cast<uint32_t>(r.tags.size());
    p.marker_mask = r.markers;
    p.label = r.label;
    p.partition = partition;
    for (const std::string& tag : r.tags) {
      batch.hashtags.emplace_back(static_cast<uint32_t>(batch.hashtag_bytes.size()),
                                  static_cast<uint32_t>(tag.size()));
      batch.hashtag_bytes += tag;
    }
    batch.rows.push_back(p);
  }
  return batch;
}

RowBatch make_batch(const std::vector<Row>& rows, uint32_t partition = 0) {
  std::vector<std::pair<uint32_t, Row>> tagged;
  tagged.reserve(rows.size());
  for (const Row& r : rows) tagged.emplace_back(partition, r);
  return make_mixed_batch(tagged);
}

WindowConfig make_config(std::vector<std::string> specs, int64_t ooo = 0, int64_t lateness = 0) {
  WindowConfig c;
  for (const std::string& s : specs) {
    std::string error;
    auto spec = parse_window_spec(s, &error);
    REQUIRE_MESSAGE(spec.has_value(), error);
    c.specs.push_back(*spec);
  }
  c.group_by = {Dimension::platform};
  c.marker_names = {"pride", "rivalry", "sarcasm"};
  c.max_out_of_orderness_ms = ooo;
  c.allowed_lateness_ms = lateness;
  return c;
}

// Concatenates strings and integers (appends, avoiding GCC 12's -Wrestrict false positive
// on chains of operator+).
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string s;
  const auto put = [&s](const auto& part) {
    if constexpr (std::is_integral_v<std::decay_t<decltype(part)>>) {
      s += std::to_string(part);
    } else {
      s += part;
    }
  };
  (put(parts), ...);
  return s;
}

std::string num(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return std::string(buf, end);
}

// Every field, so equal strings mean equal aggregates.
std::string serialise(const WindowAggregate& a) {
  std::string s = cat(a.spec, " [", a.start_ms, ",", a.end_ms, ")");
  for (const auto& [d, v] : a.key) s += cat(" ", to_string(d), "=", v);
  s += cat(" n=", a.count, " mean=", num(a.mean), " sd=", num(a.stddev));
  s += cat(" +", a.positive, " ~", a.neutral, " -", a.negative);
  for (const auto& m : a.markers) s += cat(" ", m.name, ":", m.posts, "/", num(m.rate));
  s += cat(" ewm=", num(a.engagement_weighted_mean), " authors=", a.authors_approx);
  s += " tags=";
  for (const auto& [tag, n] : a.top_hashtags) s += cat(tag, ":", n, ",");
  s += cat(" late=", a.late, " rev=", a.revision, " final=", a.final ? "1" : "0");
  return s;
}

struct Output {
  std::vector<WindowAggregate> closed;
  std::vector<uint32_t> late;  // row indices of the batch just added

  void add(WindowOperator& op, const std::vector<Row>& rows, uint32_t partition = 0) {
    std::vector<LateRow> dropped;
    op.add(make_batch(rows, partition), closed, dropped);
    late.clear();
    for (const LateRow& l : dropped) late.push_back(l.row);
  }
};

const WindowAggregate* find(const std::vector<WindowAggregate>& v, const std::string& spec,
                            int64_t start, const std::string& key = "weibo", uint32_t rev = 0) {
  for (const WindowAggregate& a : v) {
    if (a.spec == spec && a.start_ms == start && a.revision == rev && !a.key.empty() &&
        a.key[0].second == key) {
      return &a;
    }
  }
  return nullptr;
}

}  // namespace

// ---------------------------------------------------------------- durations and specs

TEST_CASE("parse_duration_ms accepts one integer and one unit") {
  CHECK(parse_duration_ms("250ms") == 250);
  CHECK(parse_duration_ms("90s") == 90'000);
  CHECK(parse_duration_ms("5m") == 300'000);
  CHECK(parse_duration_ms("1h") == 3'600'000);
  CHECK(parse_duration_ms("2d") == 172'800'000);
  CHECK(parse_duration_ms("0s") == 0);
  for (const char* bad : {"", "5", "m", "-5m", "+5m", "5 m", " 5m", "1h30m", "5M", "5min", "1.5h",
                          "99999999999999999999s", "9223372036854775807d"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_duration_ms(bad).has_value());
  }
}

TEST_CASE("format_duration picks the largest exact unit") {
  CHECK(format_duration(250) == "250ms");
  CHECK(format_duration(1500) == "1500ms");
  CHECK(format_duration(90'000) == "90s");
  CHECK(format_duration(5'400'000) == "90m");
  CHECK(format_duration(3'600'000) == "1h");
  CHECK(format_duration(172'800'000) == "2d");
  CHECK(format_duration(0) == "0s");
  for (int64_t ms : {1, 999, 1000, 61'000, 3'600'000, 86'400'000 * 7}) {
    CHECK(parse_duration_ms(format_duration(ms)) == ms);
  }
}

TEST_CASE("parse_window_spec: tumbling and hopping") {
  std::string error;
  auto t = parse_window_spec("1m", &error);
  REQUIRE(t);
  CHECK(t->name == "1m");
  CHECK(t->size_ms == kMin);
  CHECK(t->slide_ms == kMin);
  auto h = parse_window_spec("1h/5m", &error);
  REQUIRE(h);
  CHECK(h->name == "1h/5m");
  CHECK(h->size_ms == 60 * kMin);
  CHECK(h->slide_ms == 5 * kMin);
  auto same = parse_window_spec("5m/5m", &error);
  REQUIRE(same);
  CHECK(same->slide_ms == same->size_ms);
}

TEST_CASE("parse_window_spec: errors name the spec and the values") {
  const auto error_of = [](std::string_view text) {
    std::string error;
    CHECK_FALSE(parse_window_spec(text, &error).has_value());
    return error;
  };
  CHECK(error_of("1h/7m") == "window spec '1h/7m': slide 7m does not divide size 1h");
  CHECK(error_of("5m/1h") == "window spec '5m/1h': slide 1h is larger than size 5m");
  CHECK(error_of("0s") == "window spec '0s': size must be greater than 0");
  CHECK(error_of("1h/0s") == "window spec '1h/0s': slide must be greater than 0");
  CHECK(error_of("1x").find("'1x' is not a duration") != std::string::npos);
  CHECK(error_of("1h/").find("'' is not a duration") != std::string::npos);
  CHECK(error_of("1h/5m/1m").find("SIZE/SLIDE") != std::string::npos);
  CHECK(error_of("").find("empty") != std::string::npos);
  CHECK_FALSE(parse_window_spec("nope", nullptr).has_value());  // error is optional
}

TEST_CASE("dimensions round-trip") {
  for (Dimension d : {Dimension::platform, Dimension::lang, Dimension::topic, Dimension::region}) {
    CHECK(parse_dimension(to_string(d)) == d);
  }
  CHECK(to_string(Dimension::lang) == "lang");
  CHECK_FALSE(parse_dimension("Platform").has_value());
  CHECK_FALSE(parse_dimension("").has_value());
}

TEST_CASE("invalid configs are rejected at construction") {
  WindowConfig c = make_config({"1m"});
  c.allowed_lateness_ms = -1;
  CHECK_THROWS_AS(WindowOperator{c}, std::invalid_argument);
  WindowConfig none;
  CHECK_THROWS_AS(WindowOperator{none}, std::invalid_argument);
  WindowConfig bad = make_config({"1m"});
  bad.specs[0].slide_ms = 7 * kSec;
  CHECK_THROWS_AS(WindowOperator{bad}, std::invalid_argument);
}

// ---------------------------------------------------------------- windows

TEST_CASE("tumbling windows close when the watermark passes their end") {
  WindowOperator op(make_config({"1m"}));
  CHECK(op.watermark_ms() == INT64_MIN);
  Output out;
  out.add(op, {{0}, {10 * kSec}, {59'999}});
  CHECK(out.closed.empty());
  CHECK(op.watermark_ms() == 59'999);
  CHECK(op.open_windows() == 1);
  out.add(op, {{60 * kSec}});  // watermark = 60s = end of [0, 60s)
  REQUIRE(out.closed.size() == 1);
  CHECK(out.closed[0].spec == "1m");
  CHECK(out.closed[0].start_ms == 0);
  CHECK(out.closed[0].end_ms == kMin);
  CHECK(out.closed[0].count == 3);
  CHECK(out.closed[0].revision == 0);
  CHECK(out.closed[0].final);
  CHECK(out.closed[0].late == 0);
  REQUIRE(out.closed[0].key.size() == 1);
  CHECK(out.closed[0].key[0] == std::pair<Dimension, std::string>{Dimension::platform, "weibo"});
  out.add(op, {{61 * kSec}, {125 * kSec}});
  REQUIRE(out.closed.size() == 2);
  CHECK(out.closed[1].start_ms == kMin);
  CHECK(out.closed[1].count == 2);
  op.flush(out.closed);
  REQUIRE(out.closed.size() == 3);
  CHECK(out.closed[2].start_ms == 2 * kMin);
  CHECK(out.closed[2].count == 1);
  CHECK(out.closed[2].final);
  CHECK(op.open_windows() == 0);
  CHECK(op.late_rows() == 0);
}

TEST_CASE("hopping windows count every row in every window that contains it") {
  WindowOperator op(make_config({"1m/20s"}));
  std::mt19937_64 rng(7);
  std::vector<Row> rows;
  int64_t t = -3 * kMin;
  for (int i = 0; i < 2000; ++i) {
    t += static_cast<int64_t>(rng() % 700);
    rows.push_back({t});
  }
  Output out;
  out.add(op, rows);
  op.flush(out.closed);
  std::map<int64_t, int64_t> expected;  // start -> count
  for (const Row& r : rows) {
    const int64_t newest = (r.t >= 0 ? r.t / (20 * kSec) : (r.t - 20 * kSec + 1) / (20 * kSec));
    for (int k = 0; k < 3; ++k) ++expected[(newest - k) * 20 * kSec];
  }
  REQUIRE(out.closed.size() == expected.size());
  for (const WindowAggregate& a : out.closed) {
    CAPTURE(a.start_ms);
    CHECK(a.end_ms - a.start_ms == kMin);
    CHECK(a.count == expected[a.start_ms]);
    CHECK(a.final);
  }
}

TEST_CASE("several specs at once: order by end, spec, start, key; groups sum to rows") {
  WindowConfig c = make_config({"1m", "5m", "2m/30s"});
  c.group_by = {Dimension::platform, Dimension::lang};
  WindowOperator op(c);
  const std::vector<std::string> keys = {"weibo\x1fzh",
                                         "twitter\x1f"
                                         "en",
                                         "weibo\x1f"
                                         "en",
                                         "twitter\x1fzh", "twitter\x1f"};
  std::mt19937_64 rng(11);
  std::vector<Row> rows;
  int64_t t = 0;
  for (int i = 0; i < 3000; ++i) {
    t += static_cast<int64_t>(rng() % 400);
    rows.push_back({t, keys[rng() % keys.size()]});
  }
  Output out;
  for (std::size_t i = 0; i < rows.size(); i += 100) {
    out.add(op, std::vector<Row>(rows.begin() + i, rows.begin() + std::min(rows.size(), i + 100)));
  }
  op.flush(out.closed);

  const auto spec_index = [&](const std::string& name) {
    for (std::size_t i = 0; i < c.specs.size(); ++i) {
      if (c.specs[i].name == name) return i;
    }
    return c.specs.size();
  };
  const auto order = [&](const WindowAggregate& a) {
    std::vector<std::string> values;
    for (const auto& kv : a.key) values.push_back(kv.second);
    return std::make_tuple(a.end_ms, spec_index(a.spec), a.start_ms, values);
  };
  for (std::size_t i = 1; i < out.closed.size(); ++i) {
    CHECK(order(out.closed[i - 1]) < order(out.closed[i]));
  }
  // Keys hold both dimensions, in group_by order; an empty value stays a value.
  bool saw_empty_lang = false;
  for (const WindowAggregate& a : out.closed) {
    REQUIRE(a.key.size() == 2);
    CHECK(a.key[0].first == Dimension::platform);
    CHECK(a.key[1].first == Dimension::lang);
    saw_empty_lang |= a.key[0].second == "twitter" && a.key[1].second.empty();
  }
  CHECK(saw_empty_lang);
  // Per window, counts over groups equal the rows in the window; per tumbling spec, all rows.
  std::map<std::pair<std::string, int64_t>, int64_t> per_window;
  std::map<std::string, int64_t> per_spec;
  for (const WindowAggregate& a : out.closed) {
    per_window[{a.spec, a.start_ms}] += a.count;
    per_spec[a.spec] += a.count;
  }
  for (const auto& [w, count] : per_window) {
    const WindowSpec& spec = c.specs[spec_index(w.first)];
    const int64_t expected = std::count_if(rows.begin(), rows.end(), [&](const Row& r) {
      return r.t >= w.second && r.t < w.second + spec.size_ms;
    });
    CHECK(count == expected);
  }
  CHECK(per_spec["1m"] == static_cast<int64_t>(rows.size()));
  CHECK(per_spec["5m"] == static_cast<int64_t>(rows.size()));
  CHECK(per_spec["2m/30s"] == 4 * static_cast<int64_t>(rows.size()));
}

TEST_CASE("negative timestamps use floor division") {
  WindowOperator op(make_config({"1m"}));
  Output out;
  out.add(op, {{-60'001}, {-60'000}, {-59'999}, {-1}, {0}});
  op.flush(out.closed);
  REQUIRE(out.closed.size() == 3);
  CHECK(out.closed[0].start_ms == -2 * kMin);
  CHECK(out.closed[0].end_ms == -kMin);
  CHECK(out.closed[0].count == 1);
  CHECK(out.closed[1].start_ms == -kMin);
  CHECK(out.closed[1].end_ms == 0);
  CHECK(out.closed[1].count == 3);
  CHECK(out.closed[2].start_ms == 0);
  CHECK(out.closed[2].count == 1);
}

// ---------------------------------------------------------------- watermark and lateness

TEST_CASE("out-of-order rows within max_out_of_orderness are accepted") {
  WindowOperator op(make_config({"1m"}, /*ooo=*/30 * kSec));
  Output out;
  out.add(op, {{0}, {50 * kSec}, {20 * kSec}, {65 * kSec}, {40 * kSec}});
  CHECK(op.watermark_ms() == 35 * kSec);
  CHECK(out.closed.empty());
  CHECK(out.late.empty());
  out.add(op, {{100 * kSec}});  // watermark 70s
  REQUIRE(out.closed.size() == 1);
  CHECK(out.closed[0].count == 4);
  CHECK(op.late_rows() == 0);
}

TEST_CASE("late rows are dropped and reported by batch row index") {
  WindowOperator op(make_config({"1m"}));
  Output out;
  out.add(op, {{0}, {70 * kSec}, {30 * kSec}, {65 * kSec}, {59 * kSec}});
  CHECK(out.late == std::vector<uint32_t>{2, 4});
  CHECK(op.late_rows() == 2);
  REQUIRE(out.closed.size() == 1);
  CHECK(out.closed[0].count == 1);  // [0, 60s) closed before the late rows arrived
  out.add(op, {{61 * kSec}, {1 * kSec}});
  CHECK(out.late == std::vector<uint32_t>{1});
  CHECK(op.late_rows() == 3);
  op.flush(out.closed);
  REQUIRE(out.closed.size() == 2);
  CHECK(out.closed[1].count == 3);  // 70s, 65s, 61s
  // After flush everything is late: the input has ended.
  out.add(op, {{500 * kSec}});
  CHECK(out.late == std::vector<uint32_t>{0});
  CHECK(op.watermark_ms() == INT64_MAX);
}

TEST_CASE("lateness is decided at pane granularity") {
  // Panes of 30s: a row in [30s, 60s) is late once the watermark reaches 60s, even though
  // the window [30s, 90s) containing it is still open.
  WindowOperator op(make_config({"1m/30s"}));
  Output out;
  out.add(op, {{70 * kSec}, {45 * kSec}, {61 * kSec}});
  CHECK(out.late == std::vector<uint32_t>{1});
}

TEST_CASE("allowed lateness: revisions, final flags and the late field") {
  WindowOperator op(make_config({"1m"}, 0, /*lateness=*/2 * kMin));
  Output out;
  out.add(op, {{10 * kSec, "a"}, {20 * kSec, "b"}, {70 * kSec, "a"}});
  REQUIRE(out.closed.size() == 2);  // [0, 60s) for a and b, first emission, not final
  CHECK(serialise(out.closed[0]).find("platform=a n=1") != std::string::npos);
  for (const WindowAggregate& a : out.closed) {
    CHECK(a.revision == 0);
    CHECK_FALSE(a.final);
    CHECK(a.late == 0);
  }
  CHECK(op.open_windows() == 2);  // [0, 60s) retained, [60s, 120s) pending

  // Within lateness: added to [0, 60s); re-emitted when the watermark reaches 120s, the
  // pane boundary after their arrival (watermark 70s).
  out.closed.clear();
  out.add(op, {{30 * kSec, "a"}, {40 * kSec, "a"}, {50 * kSec, "c"}, {115 * kSec, "a"}});
  CHECK(out.late.empty());
  CHECK(out.closed.empty());
  out.add(op, {{125 * kSec, "a"}});
  REQUIRE(out.closed.size() == 3);
  // end 60s first: re-emissions of a (revision 1) and c (never emitted: revision 0).
  CHECK(out.closed[0].start_ms == 0);
  CHECK(out.closed[0].key[0].second == "a");
  CHECK(out.closed[0].count == 3);
  CHECK(out.closed[0].revision == 1);
  CHECK(out.closed[0].late == 2);
  CHECK_FALSE(out.closed[0].final);
  CHECK(out.closed[1].key[0].second == "c");
  CHECK(out.closed[1].revision == 0);
  CHECK(out.closed[1].late == 1);
  CHECK_FALSE(out.closed[1].final);
  // then the first emission of [60s, 120s).
  CHECK(out.closed[2].start_ms == kMin);
  CHECK(out.closed[2].count == 2);
  CHECK(out.closed[2].revision == 0);

  // Watermark 185s >= 60s + 2m: [0, 60s) is purged with a final emission per group.
  out.closed.clear();
  out.add(op, {{185 * kSec, "a"}});
  REQUIRE(out.closed.size() == 4);
  const WindowAggregate* a = find(out.closed, "1m", 0, "a", 2);
  const WindowAggregate* b = find(out.closed, "1m", 0, "b", 1);
  const WindowAggregate* cc = find(out.closed, "1m", 0, "c", 1);
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(cc);
  CHECK(a->final);
  CHECK(a->late == 2);
  CHECK(b->final);
  CHECK(b->late == 0);
  CHECK(cc->final);
  CHECK(out.closed[3].start_ms == 2 * kMin);  // first emission of [120s, 180s)
  CHECK_FALSE(out.closed[3].final);

  // Beyond lateness: dropped.
  out.closed.clear();
  out.add(op, {{50 * kSec, "a"}, {100 * kSec, "a"}});
  CHECK(out.late == std::vector<uint32_t>{0});
  op.flush(out.closed);
  // [60s,120s) updated (revision 1 final, late 1), [120s,180s) revision 1 final,
  // [180s,240s) revision 0 final.
  REQUIRE(out.closed.size() == 3);
  CHECK(out.closed[0].start_ms == kMin);
  CHECK(out.closed[0].count == 3);
  CHECK(out.closed[0].revision == 1);
  CHECK(out.closed[0].late == 1);
  CHECK(out.closed[1].revision == 1);
  CHECK(out.closed[2].revision == 0);
  for (const WindowAggregate& w : out.closed) CHECK(w.final);
  CHECK(op.open_windows() == 0);
}

TEST_CASE("a window first emitted at or after its purge time is emitted once, final") {
  WindowOperator op(make_config({"1m"}, 0, 1 * kMin));
  Output out;
  out.add(op, {{10 * kSec}, {10 * kMin}});
  REQUIRE(out.closed.size() == 1);
  CHECK(out.closed[0].revision == 0);
  CHECK(out.closed[0].final);
}

TEST_CASE("re-emission waits for the next pane boundary, and the purge absorbs it") {
  // Lateness 90s is not a multiple of the pane: the purge of [0, 60s) at 150s comes
  // before the pane boundary at 180s that would re-emit it.
  WindowOperator op(make_config({"1m"}, 0, 90 * kSec));
  Output out;
  out.add(op, {{10 * kSec}, {125 * kSec}, {20 * kSec}});
  REQUIRE(out.closed.size() == 1);  // [0, 60s) at watermark 125s; 20s is within lateness
  out.closed.clear();
  out.add(op, {{151 * kSec}});
  REQUIRE(out.closed.size() == 1);
  CHECK(out.closed[0].start_ms == 0);
  CHECK(out.closed[0].count == 2);
  CHECK(out.closed[0].revision == 1);  // one emission that is both the update and final
  CHECK(out.closed[0].late == 1);
  CHECK(out.closed[0].final);
}

TEST_CASE("partitions: the watermark is the minimum over active partitions") {
  WindowOperator op(make_config({"1m"}));
  Output out;
  out.add(op, {{10 * kSec}, {70 * kSec}}, 0);
  CHECK(op.watermark_ms() == 70 * kSec);
  REQUIRE(out.closed.size() == 1);  // only partition 0 seen so far
  out.closed.clear();
  out.add(op, {{65 * kSec}}, 1);
  CHECK(op.watermark_ms() == 70 * kSec);  // never goes back
  out.add(op, {{130 * kSec}}, 0);
  CHECK(op.watermark_ms() == 70 * kSec);  // partition 1 holds it at 65s
  CHECK(out.closed.empty());
  out.add(op, {{100 * kSec}}, 1);
  CHECK(op.watermark_ms() == 100 * kSec);
  CHECK(out.closed.empty());
  op.end_partition(1, out.closed);  // partition 0 alone: 130s
  CHECK(op.watermark_ms() == 130 * kSec);
  REQUIRE(out.closed.size() == 1);
  CHECK(out.closed[0].start_ms == kMin);
  CHECK(out.closed[0].count == 3);  // 70s, 65s, 100s
  op.end_partition(0, out.closed);  // none active: no one holds back, nothing new known
  CHECK(op.watermark_ms() == 130 * kSec);
  op.end_partition(7, out.closed);  // never seen: no effect
  // A partition that comes back holds the watermark again.
  out.add(op, {{140 * kSec}}, 1);
  out.add(op, {{300 * kSec}}, 0);
  CHECK(op.watermark_ms() == 140 * kSec);
}

TEST_CASE("a lagging new partition does not move the watermark back, and catches up") {
  WindowOperator op(make_config({"1m"}));
  Output out;
  out.add(op, {{200 * kSec}}, 0);
  out.add(op, {{10 * kSec}, {20 * kSec}}, 1);  // behind the watermark: late
  CHECK(out.late.size() == 2);
  CHECK(op.watermark_ms() == 200 * kSec);
  out.add(op, {{300 * kSec}}, 0);
  CHECK(op.watermark_ms() == 200 * kSec);  // partition 1 holds it (at 20s)
  out.add(op, {{250 * kSec}}, 1);
  CHECK(op.watermark_ms() == 250 * kSec);
}

// ---------------------------------------------------------------- determinism

namespace {

struct Run {
  std::vector<std::string> lines;
  std::vector<uint64_t> late;  // global row indices
  int64_t late_rows = 0;
};

// Rows in input order, each with its partition; `end_at[i]` ends a partition after row i.
struct Stream {
  std::vector<std::pair<uint32_t, Row>> rows;
  std::map<std::size_t, uint32_t> end_after;
};

Stream make_stream(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  const std::vector<std::string> keys = {"weibo", "twitter", "other", "weibo2", "x"};
  const std::vector<std::string> vocab = {
      "DeepSeek", "deepseek", "DEEPSEEK", "AI", "ai", "厉害了我的国", "NVDA", "OpenAI", "tech",
      "china",    "a1",       "a2",       "a3", "a4", "a5",           "a6",   "a7"};
  Stream s;
  int64_t clock[3] = {0, 0, 0};
  uint32_t partition = 0;
  for (int i = 0; i < n; ++i) {
    if (rng() % 40 == 0) partition = static_cast<uint32_t>(rng() % 3);
    int64_t& c = clock[partition];
    c += static_cast<int64_t>(rng() % 900);
    Row r;
    r.t = c - static_cast<int64_t>(rng() % 8000);  // out of order, sometimes late
    if (rng() % 50 == 0) r.t -= 120 * kSec;        // within or beyond lateness
    r.key = keys[rng() % keys.size()];
    r.compound_micro = static_cast<int64_t>(rng() % 2'000'001) - 1'000'000;
    r.label = static_cast<Label>(rng() % 3);
    r.markers = static_cast<uint16_t>(rng() % 8);
    r.weight = 1 + static_cast<int64_t>(rng() % 100);
    r.author = rng() % 5 == 0 ? 0 : 1 + rng() % 400;
    const int ntags = static_cast<int>(rng() % 4);
    for (int k = 0; k < ntags; ++k) {
      // Skewed: low indices much more frequent.
      const std::size_t a = rng() % vocab.size(), b = rng() % vocab.size();
      r.tags.push_back(vocab[std::min(a, b)]);
    }
    s.rows.emplace_back(partition, r);
    if (i == n / 2) s.end_after[static_cast<std::size_t>(i)] = 2;
  }
  return s;
}

WindowConfig determinism_config() {
  WindowConfig c = make_config({"1m", "5m/1m", "10s"}, 5 * kSec, 30 * kSec);
  c.hashtag_capacity = 4;  // small: evictions and id reuse happen all the time
  c.top_hashtags = 3;
  return c;
}

// Feeds `s` in batches of at most `batch_size` rows; batches mix partitions (each row
// carries its own), and end where a partition ends.
Run run_stream(const Stream& s, std::size_t batch_size) {
  WindowOperator op(determinism_config());
  std::vector<WindowAggregate> closed;
  std::vector<LateRow> late;
  Run run;
  std::size_t i = 0;
  while (i < s.rows.size()) {
    std::vector<std::pair<uint32_t, Row>> rows;
    const std::size_t first = i;
    while (i < s.rows.size() && rows.size() < batch_size) {
      rows.push_back(s.rows[i]);
      const bool ends = s.end_after.count(i) != 0;
      ++i;
      if (ends) break;
    }
    late.clear();
    op.add(make_mixed_batch(rows), closed, late);
    for (const LateRow& l : late) run.late.push_back(first + l.row);
    if (auto it = s.end_after.find(i - 1); it != s.end_after.end()) {
      op.end_partition(it->second, closed);
    }
  }
  op.flush(closed);
  for (const WindowAggregate& a : closed) run.lines.push_back(serialise(a));
  run.late_rows = op.late_rows();
  return run;
}

}  // namespace

TEST_CASE("the same rows in batches of 1, 3, 64 or all give identical output") {
  const Stream s = make_stream(42, 20'000);
  const Run reference = run_stream(s, s.rows.size());
  REQUIRE(reference.lines.size() > 100);
  CHECK(reference.late_rows > 0);
  CHECK(reference.late.size() == static_cast<std::size_t>(reference.late_rows));
  bool saw_revision = false, saw_tags = false, saw_late = false;
  for (const std::string& line : reference.lines) {
    saw_revision |= line.find(" rev=1 ") != std::string::npos;
    saw_late |= line.find(" late=0 ") == std::string::npos;
    saw_tags |= line.find("tags= ") == std::string::npos;
  }
  CHECK(saw_revision);
  CHECK(saw_tags);
  CHECK(saw_late);
  for (std::size_t batch : {std::size_t{1}, std::size_t{3}, std::size_t{64}}) {
    CAPTURE(batch);
    const Run run = run_stream(s, batch);
    CHECK(run.late == reference.late);
    REQUIRE(run.lines.size() == reference.lines.size());
    for (std::size_t i = 0; i < run.lines.size(); ++i) {
      if (run.lines[i] != reference.lines[i]) {
        CAPTURE(i);
        CHECK(run.lines[i] == reference.lines[i]);
        break;
      }
    }
  }
}

namespace {

// A deliberately naive model of the documented rules: keeps every accepted row, enumerates
// windows from rows, and recomputes aggregates by brute force at every emission point.
class ReferenceModel {
 public:
  explicit ReferenceModel(const WindowConfig& c) : c_(c) {
    for (const WindowSpec& s : c.specs) pane_ = std::gcd(pane_, std::gcd(s.size_ms, s.slide_ms));
  }

  void add(uint32_t partition, const Row& r, std::vector<std::string>& out, bool& late) {
    Part& p = parts_[partition];
    p.active = true;
    const int64_t pane_end = floor_div(r.t, pane_) * pane_ + pane_;
    late = wm_ != INT64_MIN && pane_end <= sub(wm_, c_.allowed_lateness_ms);
    if (!late) {
      rows_.push_back({r.t, r.key, r.compound_micro});
      for (uint32_t s = 0; s < c_.specs.size(); ++s) {
        const WindowSpec& spec = c_.specs[s];
        for (int64_t st = floor_div(r.t, spec.slide_ms) * spec.slide_ms; st + spec.size_ms > r.t;
             st -= spec.slide_ms) {
          const Win w{st + spec.size_ms, s};
          if (w.first > wm_) {
            state_.try_emplace(w, 0);
            continue;
          }
          state_.try_emplace(w, 1);  // emitted already, or empty when the watermark passed
          Meta& m = meta_[{w, r.key}];
          ++m.late;
          m.dirty = true;
          redo_at_ = std::min(redo_at_, (floor_div(wm_, pane_) + 1) * pane_);
        }
      }
    }
    p.max = std::max(p.max, r.t);
    advance(out);
  }

  void end_partition(uint32_t partition, std::vector<std::string>& out) {
    if (parts_.count(partition)) parts_[partition].active = false;
    advance(out);
  }

  void flush(std::vector<std::string>& out) {
    wm_ = INT64_MAX;
    emit(out);
  }

 private:
  using Win = std::pair<int64_t, uint32_t>;  // end, spec
  struct Part {
    int64_t max = INT64_MIN;
    bool active = true;
  };
  struct Meta {
    bool emitted = false, dirty = false;
    uint32_t rev = 0;
    int64_t late = 0;
  };
  struct Accepted {
    int64_t t;
    std::string key;
    int64_t c;
  };

  static int64_t floor_div(int64_t a, int64_t b) {
    return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
  }
  static int64_t sub(int64_t a, int64_t b) { return a < INT64_MIN + b ? INT64_MIN : a - b; }
  static int64_t add(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

  void advance(std::vector<std::string>& out) {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    bool any = false;
    for (const auto& [id, p] : parts_) {
      hi = std::max(hi, sub(p.max, c_.max_out_of_orderness_ms));
      if (p.active) {
        any = true;
        lo = std::min(lo, sub(p.max, c_.max_out_of_orderness_ms));
      }
    }
    const int64_t raw = any ? lo : hi;
    if (raw > wm_) {
      wm_ = raw;
      emit(out);
    }
  }

  void emit(std::vector<std::string>& out) {
    struct Rec {
      int64_t end;
      uint32_t spec;
      std::string key, line;
    };
    std::vector<Rec> recs;
    const bool redo = wm_ >= redo_at_;
    for (auto& [w, st] : state_) {
      if (st == 2) continue;
      const WindowSpec& spec = c_.specs[w.second];
      const int64_t start = w.first - spec.size_ms;
      std::map<std::string, std::pair<int64_t, int64_t>> groups;  // key -> count, sum
      for (const Accepted& a : rows_) {
        if (a.t >= start && a.t < w.first) {
          auto& g = groups[a.key];
          ++g.first;
          g.second += a.c;
        }
      }
      const auto line = [&](const std::string& key, uint32_t rev, int64_t late, bool final) {
        const auto& g = groups[key];
        return cat(spec.name, " [", start, ",", w.first, ") ", key, " n=", g.first,
                   " sum=", g.second, " late=", late, " rev=", rev, " final=", final ? "1" : "0");
      };
      const bool purge = add(w.first, c_.allowed_lateness_ms) <= wm_;
      if (st == 0 && w.first <= wm_) {
        for (const auto& [key, g] : groups) {
          recs.push_back({w.first, w.second, key, line(key, 0, 0, purge)});
          if (!purge) meta_[{w, key}] = Meta{true, false, 0, 0};
        }
        st = purge ? 2 : 1;
      } else if (st == 1 && (purge || redo)) {
        for (const auto& [key, g] : groups) {
          Meta& m = meta_[{w, key}];
          if (!purge && !m.dirty) continue;
          m.rev = m.emitted ? m.rev + 1 : 0;
          m.emitted = true;
          m.dirty = false;
          recs.push_back({w.first, w.second, key, line(key, m.rev, m.late, purge)});
        }
        if (purge) st = 2;
      }
    }
    if (redo) redo_at_ = INT64_MAX;
    std::stable_sort(recs.begin(), recs.end(), [](const Rec& a, const Rec& b) {
      return std::tie(a.end, a.spec, a.key) < std::tie(b.end, b.spec, b.key);
    });
    for (Rec& r : recs) out.push_back(std::move(r.line));
  }

  WindowConfig c_;
  int64_t pane_ = 0;
  int64_t wm_ = INT64_MIN;
  int64_t redo_at_ = INT64_MAX;
  std::map<uint32_t, Part> parts_;
  std::vector<Accepted> rows_;
  std::map<Win, int> state_;  // 0 pending, 1 retained, 2 purged
  std::map<std::pair<Win, std::string>, Meta> meta_;
};

std::string brief(const WindowAggregate& a) {
  const int64_t sum = std::llround(a.mean * 1e6 * static_cast<double>(a.count));
  return cat(a.spec, " [", a.start_ms, ",", a.end_ms, ") ", a.key[0].second, " n=", a.count,
             " sum=", sum, " late=", a.late, " rev=", a.revision, " final=", a.final ? "1" : "0");
}

}  // namespace

TEST_CASE("the operator agrees with a brute-force model of the rules") {
  struct Case {
    std::vector<std::string> specs;
    int64_t ooo, lateness;
  };
  const std::vector<Case> cases = {
      {{"1m"}, 0, 0},
      {{"1m"}, 5 * kSec, 45 * kSec},
      {{"1m", "2m/20s"}, 3 * kSec, 90 * kSec},
      {{"30s", "1m/10s", "90s/45s"}, 0, 70 * kSec},
      {{"5m/1m"}, 10 * kSec, 0},
  };
  for (std::size_t ci = 0; ci < cases.size(); ++ci) {
    for (uint64_t seed : {1u, 2u, 3u}) {
      CAPTURE(ci);
      CAPTURE(seed);
      WindowConfig c = make_config(cases[ci].specs, cases[ci].ooo, cases[ci].lateness);
      const Stream s = make_stream(seed * 1000 + ci, 1500);
      ReferenceModel ref(c);
      std::vector<std::string> expected;
      std::vector<uint64_t> expected_late;
      WindowOperator op(c);
      std::vector<WindowAggregate> closed;
      std::vector<LateRow> late;
      std::vector<uint64_t> got_late;
      for (std::size_t i = 0; i < s.rows.size(); ++i) {
        Row r = s.rows[i].second;
        r.compound_micro %= 1000;  // small, so sum = mean * n survives the double round trip
        bool is_late = false;
        ref.add(s.rows[i].first, r, expected, is_late);
        if (is_late) expected_late.push_back(i);
        late.clear();
        op.add(make_batch({r}, s.rows[i].first), closed, late);
        if (!late.empty()) got_late.push_back(i);
        if (auto it = s.end_after.find(i); it != s.end_after.end()) {
          ref.end_partition(it->second, expected);
          op.end_partition(it->second, closed);
        }
      }
      ref.flush(expected);
      op.flush(closed);
      CHECK(got_late == expected_late);
      int revs = 0;
      for (const std::string& e : expected) revs += e.find(" rev=0 ") == std::string::npos;
      CHECK(!expected_late.empty());
      CHECK((revs > 0) == (cases[ci].lateness > 0));  // the cases exercise revisions
      std::vector<std::string> got;
      for (const WindowAggregate& a : closed) got.push_back(brief(a));
      REQUIRE(got.size() == expected.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        if (got[i] != expected[i]) {
          CAPTURE(i);
          CHECK(got[i] == expected[i]);
          break;
        }
      }
    }
  }
}

// ---------------------------------------------------------------- statistics

TEST_CASE("mean, stddev and engagement-weighted mean are exact") {
  WindowOperator op(make_config({"1m"}));
  std::mt19937_64 rng(3);
  std::vector<Row> rows;
  for (int i = 0; i < 5000; ++i) {
    Row r{static_cast<int64_t>(rng() % kMin)};
    r.compound_micro = static_cast<int64_t>(rng() % 2'000'001) - 1'000'000;
    r.weight = 1 + static_cast<int64_t>(rng() % 1000);
    r.label = static_cast<Label>(i % 3);
    r.markers = static_cast<uint16_t>(i % 5 == 0 ? 0b101 : 0b010);
    rows.push_back(r);
  }
  Output out;
  out.add(op, rows);
  op.flush(out.closed);
  REQUIRE(out.closed.size() == 1);
  const WindowAggregate& a = out.closed[0];
  long double sum = 0, wsum = 0, w = 0;
  for (const Row& r : rows) {
    sum += r.compound_micro / 1e6L;
    wsum += static_cast<long double>(r.weight) * r.compound_micro / 1e6L;
    w += r.weight;
  }
  const long double mean = sum / rows.size();
  long double var = 0;
  for (const Row& r : rows)
    var += (r.compound_micro / 1e6L - mean) * (r.compound_micro / 1e6L - mean);
  var /= rows.size();
  CHECK(a.count == 5000);
  CHECK(std::fabs(a.mean - static_cast<double>(mean)) < 1e-15);
  CHECK(std::fabs(a.stddev - static_cast<double>(std::sqrt(var))) < 1e-15);
  CHECK(std::fabs(a.engagement_weighted_mean - static_cast<double>(wsum / w)) < 1e-15);
  CHECK(a.negative == 1667);
  CHECK(a.neutral == 1667);
  CHECK(a.positive == 1666);
  REQUIRE(a.markers.size() == 3);
  CHECK(a.markers[0].name == "pride");
  CHECK(a.markers[0].posts == 1000);
  CHECK(a.markers[0].rate == doctest::Approx(0.2));
  CHECK(a.markers[1].posts == 4000);
  CHECK(a.markers[2].posts == 1000);
  CHECK(a.authors_approx == 0);  // all authors unknown (hash 0)
}

TEST_CASE("stddev of identical values is exactly zero") {
  WindowOperator op(make_config({"1m"}));
  std::vector<Row> rows(1000, Row{kSec});
  for (Row& r : rows) r.compound_micro = 333'333;
  Output out;
  out.add(op, rows);
  op.flush(out.closed);
  REQUIRE(out.closed.size() == 1);
  CHECK(out.closed[0].mean == 0.333333);
  CHECK(out.closed[0].stddev == 0.0);
}

TEST_CASE("hopping windows merge panes exactly: equal to a tumbling window over the same rows") {
  WindowConfig c = make_config({"2m/30s", "2m"});
  WindowOperator op(c);
  std::mt19937_64 rng(5);
  std::vector<Row> rows;
  for (int i = 0; i < 3000; ++i) {
    Row r{static_cast<int64_t>(i) * 40};  // 0 .. 120s, in order
    r.compound_micro = static_cast<int64_t>(rng() % 2'000'001) - 1'000'000;
    r.author = 1 + rng() % 2000;
    r.tags = {i % 3 == 0 ? "x" : "y"};
    rows.push_back(r);
  }
  Output out;
  out.add(op, rows);
  op.flush(out.closed);
  const WindowAggregate* hop = find(out.closed, "2m/30s", 0);
  const WindowAggregate* tumble = find(out.closed, "2m", 0);
  REQUIRE(hop);
  REQUIRE(tumble);
  std::string h = serialise(*hop), t = serialise(*tumble);
  h = h.substr(h.find(" n="));
  t = t.substr(t.find(" n="));
  CHECK(h == t);
}

TEST_CASE("HyperLogLog: within 3% at 100k, near exact for small sets") {
  using window_internal::HyperLogLog;
  HyperLogLog hll;
  CHECK(hll.empty());
  std::mt19937_64 rng(99);
  for (int n : {1, 2, 10, 100, 1000}) {
    HyperLogLog small;
    for (int i = 0; i < n; ++i) {
      small.add(static_cast<uint64_t>(i) + 1);  // weak "hashes": consecutive ids
      small.add(static_cast<uint64_t>(i) + 1);  // duplicates do not count
    }
    const int64_t e = HyperLogLog::estimate(*small.registers());
    CAPTURE(n);
    CHECK(std::abs(e - n) <= (n <= 100 ? 1 : n * 3 / 100));
  }
  for (int i = 0; i < 100'000; ++i) hll.add(rng());
  const int64_t e = HyperLogLog::estimate(*hll.registers());
  CHECK(std::abs(e - 100'000) < 3'000);

  // Through the operator: 100k distinct authors over 10 panes of a hopping window, each
  // seen twice.
  WindowOperator op(make_config({"10m/1m"}));
  std::vector<Row> rows;
  for (int i = 0; i < 200'000; ++i) {
    Row r{static_cast<int64_t>(i) * 3};  // 0 .. 600s
    r.author = static_cast<uint64_t>(i % 100'000) * 7919 + 1;
    rows.push_back(r);
  }
  Output out;
  out.add(op, rows);
  op.flush(out.closed);
  const WindowAggregate* w = find(out.closed, "10m/1m", 0);
  REQUIRE(w);
  CHECK(w->count == 200'000);
  CHECK(std::abs(w->authors_approx - 100'000) < 3'000);
}

namespace hll_reference {

using window_internal::HyperLogLog;

// The estimate as originally defined: a sequential double sum of 2^-r in register order.
int64_t estimate(const HyperLogLog::Registers& registers) {
  constexpr double m = static_cast<double>(HyperLogLog::kRegisters);
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double sum = 0;
  std::size_t zeros = 0;
  for (const uint8_t r : registers) {
    sum += std::ldexp(1.0, -static_cast<int>(r));
    zeros += r == 0;
  }
  if (zeros == HyperLogLog::kRegisters) return 0;
  double e = alpha * m * m / sum;
  if (e <= 2.5 * m && zeros != 0) e = m * std::log(m / static_cast<double>(zeros));
  return std::llround(e);
}

constexpr uint64_t inverse(uint64_t odd) {  // modular inverse mod 2^64 (Newton)
  uint64_t x = odd;
  for (int i = 0; i < 6; ++i) x *= 2 - odd * x;
  return x;
}

// A hash whose re-mixed value lands in register `index` with rank `rank` (1 .. 53).
uint64_t hash_for(std::size_t index, int rank) {
  uint64_t h = static_cast<uint64_t>(index) << 52;
  if (rank <= 52) h |= uint64_t{1} << (52 - rank);
  h ^= h >> 33;  // undo mix(): x ^= x >> 33 is its own inverse
  h *= inverse(0xc4ceb9fe1a85ec53ULL);
  h ^= h >> 33;
  h *= inverse(0xff51afd7ed558ccdULL);
  h ^= h >> 33;
  return h;
}

}  // namespace hll_reference

TEST_CASE("HyperLogLog: estimates equal the sequential definition bit for bit") {
  using window_internal::HyperLogLog;
  std::mt19937_64 rng(4242);
  // Register arrays built directly, dense and sparse, with small and huge ranks.
  for (std::size_t nonzero : {0, 1, 7, 191, 192, 193, 1000, 4096}) {
    for (int max_rank : {5, 40, 41, 53}) {
      CAPTURE(nonzero);
      CAPTURE(max_rank);
      HyperLogLog::Registers regs{};
      std::vector<std::size_t> order(HyperLogLog::kRegisters);
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::shuffle(order.begin(), order.end(), rng);
      std::vector<uint16_t> listed;
      for (std::size_t i = 0; i < nonzero; ++i) {
        regs[order[i]] = static_cast<uint8_t>(1 + rng() % static_cast<uint64_t>(max_rank));
        listed.push_back(static_cast<uint16_t>(order[i]));
      }
      if (nonzero > 0) regs[order[0]] = static_cast<uint8_t>(max_rank);
      const int64_t want = hll_reference::estimate(regs);
      CHECK(HyperLogLog::estimate(regs) == want);
      CHECK(HyperLogLog::estimate_sparse(regs, listed.data(), listed.size()) == want);
    }
  }
  // Sketches growing past the sparse limit, with and without a huge rank, reused after
  // reset() (a reused sketch must equal a fresh one).
  HyperLogLog reused;
  for (int round = 0; round < 3; ++round) {
    for (const bool huge : {false, true}) {
      reused.reset();
      HyperLogLog fresh;
      for (int i = 0; i < 400; ++i) {
        const uint64_t h = huge && i == 3 ? hll_reference::hash_for(77, 53) : rng();
        reused.add(h);
        fresh.add(h);
        if (i % 7 == 0) fresh.add(h);  // duplicates change nothing
        if (i < 10 || (i > 180 && i < 200) || i % 37 == 0) {
          CAPTURE(i);
          REQUIRE(*reused.registers() == *fresh.registers());
          const int64_t want = hll_reference::estimate(*fresh.registers());
          CHECK(fresh.estimate_self() == want);
          CHECK(reused.estimate_self() == want);
          HyperLogLog::Registers merged{};
          fresh.merge_into(merged);
          CHECK(merged == *fresh.registers());
        }
      }
    }
    // A sparse round that raises a register already listed.
    reused.reset();
    reused.add(hll_reference::hash_for(5, 2));
    reused.add(hll_reference::hash_for(9, 1));
    reused.add(hll_reference::hash_for(5, 44));
    reused.add(hll_reference::hash_for(5, 3));
    CHECK(reused.sparse_size() == 2);
    CHECK((*reused.registers())[5] == 44);
    CHECK(reused.estimate_self() == hll_reference::estimate(*reused.registers()));
  }
}

TEST_CASE("Summarizer: merged authors and hashtags match a reference merge") {
  using window_internal::Accumulator;
  using window_internal::HyperLogLog;
  using window_internal::SpaceSaving;
  std::mt19937_64 rng(777);
  const std::vector<std::string> markers = {"a", "b"};
  std::vector<std::string> display;
  for (int i = 0; i < 300; ++i) display.push_back(cat("t", i));
  window_internal::SummaryContext ctx;
  ctx.marker_names = &markers;
  ctx.hashtag_display = &display;
  ctx.top_hashtags = 300;
  ctx.hashtag_capacity = 20;
  window_internal::Summarizer summarizer;
  for (int trial = 0; trial < 60; ++trial) {
    CAPTURE(trial);
    const std::size_t panes = 1 + rng() % 12;
    std::vector<Accumulator> accs(panes);
    for (Accumulator& a : accs) {
      const int rows = static_cast<int>(rng() % 4 == 0 ? rng() % 600 : rng() % 40);
      for (int r = 0; r < rows; ++r) {
        PostRow row;
        row.compound_micro = static_cast<int64_t>(rng() % 2'000'001) - 1'000'000;
        row.author_hash = rng() % 5 == 0 ? 0 : rng() % 3000 + 1;
        if (rng() % 50 == 0)
          row.author_hash = hll_reference::hash_for(rng() % 4096, 41 + rng() % 13);
        a.add(row);
        a.hashtags.add(static_cast<uint32_t>(std::min(rng() % 300, rng() % 300)), 20);
      }
    }
    // Reference: dense register max and the sequential estimate; the textbook merge.
    HyperLogLog::Registers regs{};
    bool any = false;
    for (const Accumulator& a : accs) {
      if (a.authors.empty()) continue;
      any = true;
      for (std::size_t i = 0; i < regs.size(); ++i)
        regs[i] = std::max(regs[i], (*a.authors.registers())[i]);
    }
    std::map<uint32_t, int64_t> sums, covered;
    int64_t total_bound = 0;
    std::vector<uint32_t> seen;
    for (const Accumulator& a : accs) {
      const SpaceSaving& s = a.hashtags;
      const int64_t bound = s.size() >= 20 ? s.min_count() : 0;
      total_bound += bound;
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (!sums.count(s.id(i))) seen.push_back(s.id(i));
        sums[s.id(i)] += s.count(i);
        covered[s.id(i)] += bound;
      }
    }
    std::vector<std::pair<std::string, int64_t>> top;
    for (const uint32_t id : seen) {
      const int64_t c = accs.size() == 1 ? sums[id] : sums[id] + total_bound - covered[id];
      top.emplace_back(display[id], c);
    }
    std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::vector<const Accumulator*> ptrs;
    for (const Accumulator& a : accs) ptrs.push_back(&a);
    WindowAggregate out;
    summarizer.summarize(ptrs.data(), ptrs.size(), ctx, out);
    CHECK(out.authors_approx == (any ? hll_reference::estimate(regs) : 0));
    CHECK(out.top_hashtags == top);
  }
}

TEST_CASE("Summarizer: sparse sketches that together fill every register") {
  using window_internal::Accumulator;
  using window_internal::HyperLogLog;
  const std::vector<std::string> markers;
  const std::vector<std::string> display;
  window_internal::SummaryContext ctx;
  ctx.marker_names = &markers;
  ctx.hashtag_display = &display;
  window_internal::Summarizer summarizer;
  for (const int panes : {22, 40}) {  // 190 registers each: every register, then overlaps
    CAPTURE(panes);
    std::vector<Accumulator> accs(static_cast<std::size_t>(panes));
    HyperLogLog::Registers regs{};
    for (int k = 0; k < panes; ++k) {
      for (int j = 0; j < 190; ++j) {
        const std::size_t index = static_cast<std::size_t>(k * 190 + j) % HyperLogLog::kRegisters;
        const int rank = 1 + (k + j) % 12;
        PostRow row;
        row.author_hash = hll_reference::hash_for(index, rank);
        accs[static_cast<std::size_t>(k)].add(row);
        regs[index] = std::max(regs[index], static_cast<uint8_t>(rank));
      }
      REQUIRE(accs[static_cast<std::size_t>(k)].authors.sparse());
    }
    std::vector<const Accumulator*> ptrs;
    for (const Accumulator& a : accs) ptrs.push_back(&a);
    WindowAggregate out;
    summarizer.summarize(ptrs.data(), ptrs.size(), ctx, out);
    CHECK(out.authors_approx == hll_reference::estimate(regs));
    // The scratch registers are clean again: a single small merge is unaffected.
    summarizer.summarize(ptrs.data(), 2, ctx, out);
    HyperLogLog::Registers two{};
    accs[0].authors.merge_into(two);
    accs[1].authors.merge_into(two);
    CHECK(out.authors_approx == hll_reference::estimate(two));
  }
}

TEST_CASE("Space-Saving finds the top hashtags of a skewed stream") {
  WindowConfig c = make_config({"1m"});
  c.hashtag_capacity = 50;
  c.top_hashtags = 5;
  WindowOperator op(c);
  // Tag i (1..500) appears floor(20000 / i^1.3) times, shuffled.
  std::vector<std::string> stream;
  std::map<std::string, int64_t> truth;
  for (int i = 1; i <= 500; ++i) {
    const int n = static_cast<int>(20000.0 / std::pow(i, 1.3));
    for (int k = 0; k < n; ++k) stream.push_back(cat("t", i));
    truth[cat("t", i)] = n;
  }
  std::shuffle(stream.begin(), stream.end(), std::mt19937_64(1));
  std::vector<Row> rows;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    Row r{static_cast<int64_t>(i % kMin)};
    r.tags = {stream[i]};
    rows.push_back(r);
  }
  Output out;
  out.add(op, rows);
  op.flush(out.closed);
  REQUIRE(out.closed.size() == 1);
  const auto& top = out.closed[0].top_hashtags;
  REQUIRE(top.size() == 5);
  const int64_t bound = static_cast<int64_t>(stream.size()) / c.hashtag_capacity;
  for (int i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(top[i].first == cat("t", i + 1));
    CHECK(top[i].second >= truth[top[i].first]);          // an upper bound...
    CHECK(top[i].second - truth[top[i].first] <= bound);  // ...off by at most n / capacity
  }
}

TEST_CASE("Space-Saving merge: exact when summaries are not full, order-free") {
  using window_internal::MergedItem;
  using window_internal::SpaceSaving;
  using window_internal::SpaceSavingMerger;
  SpaceSaving a, b;
  for (uint32_t id : {1u, 2u, 1u, 3u}) a.add(id, 3);
  for (uint32_t id : {2u, 2u, 4u}) b.add(id, 3);  // not full
  SpaceSavingMerger merger;
  std::vector<MergedItem> items;
  const SpaceSaving* ab[] = {&a, &b};
  merger.merge(ab, 2, 3, /*id_limit=*/10, items);
  std::map<uint32_t, int64_t> got;
  for (const MergedItem& m : items) got[m.id] = m.count;
  // a is full (3 counters, min 1): items absent from a may have had 1 there.
  CHECK(got == std::map<uint32_t, int64_t>{{1, 2}, {2, 3}, {3, 1}, {4, 2}});
  const SpaceSaving* ba[] = {&b, &a};
  std::vector<MergedItem> reversed;
  merger.merge(ba, 2, 3, /*id_limit=*/10, reversed);
  std::map<uint32_t, int64_t> got2;
  for (const MergedItem& m : reversed) got2[m.id] = m.count;
  CHECK(got == got2);
}

TEST_CASE("Space-Saving matches the textbook algorithm counter for counter") {
  // Reference: linear scans, evict the first counter with the smallest count.
  struct Naive {
    std::vector<std::pair<uint32_t, int64_t>> c;
    void add(uint32_t id, std::size_t cap) {
      for (auto& e : c) {
        if (e.first == id) {
          ++e.second;
          return;
        }
      }
      if (c.size() < cap) {
        c.emplace_back(id, 1);
        return;
      }
      std::size_t m = 0;
      for (std::size_t i = 1; i < c.size(); ++i) {
        if (c[i].second < c[m].second) m = i;
      }
      c[m] = {id, c[m].second + 1};
    }
  };
  for (std::size_t cap :
       {std::size_t{1}, std::size_t{5}, std::size_t{16}, std::size_t{17}, std::size_t{100}}) {
    for (uint32_t vocab : {10u, 300u, 5000u}) {
      CAPTURE(cap);
      CAPTURE(vocab);
      std::mt19937_64 rng(cap * 31 + vocab);
      window_internal::SpaceSaving fast;
      Naive naive;
      for (int round = 0; round < 2; ++round) {  // the second round runs after clear()
        fast.clear();
        naive.c.clear();
        for (int i = 0; i < 20000; ++i) {
          const uint32_t id = static_cast<uint32_t>(std::min(rng() % vocab, rng() % vocab));
          fast.add(id, cap);
          naive.add(id, cap);
        }
        REQUIRE(fast.size() == naive.c.size());
        bool same = true;
        for (std::size_t i = 0; i < fast.size(); ++i) {
          same &= fast.id(i) == naive.c[i].first && fast.count(i) == naive.c[i].second;
        }
        CHECK(same);
        int64_t min = INT64_MAX;
        for (const auto& e : naive.c) min = std::min(min, e.second);
        CHECK(fast.min_count() == min);
      }
    }
  }
}

TEST_CASE("hashtags fold ASCII case and keep the first spelling") {
  WindowConfig c = make_config({"1m"});
  c.top_hashtags = 10;
  WindowOperator op(c);
  Row r1{1}, r2{2}, r3{3}, r4{4};
  r1.tags = {"DeepSeek", "厉害了我的国"};
  r2.tags = {"deepseek"};
  r3.tags = {"DEEPSEEK", "Ai"};
  r4.tags = {"AI", "厉害了我的国"};
  Output out;
  out.add(op, {r1, r2, r3, r4});
  op.flush(out.closed);
  REQUIRE(out.closed.size() == 1);
  using Tags = std::vector<std::pair<std::string, int64_t>>;
  CHECK(out.closed[0].top_hashtags == Tags{{"DeepSeek", 3}, {"Ai", 2}, {"厉害了我的国", 2}});
}

TEST_CASE("hashtags longer than 64 bytes fold ASCII case too") {
  WindowConfig c = make_config({"1m"});
  c.top_hashtags = 10;
  WindowOperator op(c);
  const std::string base(63, 'x');
  Row r1{1}, r2{2}, r3{3};
  r1.tags = {base + "Ab", base + "Q"};  // 65 and 64 bytes
  r2.tags = {base + "aB", base + "q"};
  r3.tags = {base + "AB" + std::string(100, 'Z'), base + "ab" + std::string(100, 'z')};
  Output out;
  out.add(op, {r1, r2, r3});
  op.flush(out.closed);
  REQUIRE(out.closed.size() == 1);
  using Tags = std::vector<std::pair<std::string, int64_t>>;
  CHECK(out.closed[0].top_hashtags ==
        Tags{{base + "AB" + std::string(100, 'Z'), 2}, {base + "Ab", 2}, {base + "Q", 2}});
}

TEST_CASE("authors: unknown (0) is not counted, duplicates count once") {
  WindowOperator op(make_config({"1m"}));
  std::vector<Row> rows;
  for (int i = 0; i < 90; ++i) {
    Row r{i};
    r.author = static_cast<uint64_t>(i % 30);  // 0 .. 29, 0 = unknown
    rows.push_back(r);
  }
  Output out;
  out.add(op, rows);
  op.flush(out.closed);
  REQUIRE(out.closed.size() == 1);
  CHECK(out.closed[0].authors_approx == 29);
}

TEST_CASE("no grouping dimensions: one group with an empty key") {
  WindowConfig c = make_config({"1m"});
  c.group_by.clear();
  WindowOperator op(c);
  Output out;
  RowBatch batch = make_batch({{1, ""}, {2, ""}});
  std::vector<LateRow> late;
  op.add(batch, out.closed, late);
  op.flush(out.closed);
  REQUIRE(out.closed.size() == 1);
  CHECK(out.closed[0].key.empty());
  CHECK(out.closed[0].count == 2);
}

// ---------------------------------------------------------------- memory

TEST_CASE("state stays bounded by open windows, not by rows") {
  WindowConfig c = make_config({"1m", "10m/1m"}, 10 * kSec, 2 * kMin);
  c.hashtag_capacity = 20;
  WindowOperator op(c);
  std::mt19937_64 rng(8);
  std::vector<WindowAggregate> closed;
  std::vector<LateRow> late;
  std::size_t bytes_after_warmup = 0, max_open = 0, max_bytes = 0;
  int64_t t = 0;
  for (int b = 0; b < 250; ++b) {
    std::vector<Row> rows;
    for (int i = 0; i < 1000; ++i) {
      t += 60;  // a thousand rows a minute
      Row r{t - static_cast<int64_t>(rng() % 5000), cat("k", rng() % 10)};
      r.author = rng();
      r.tags = {cat("tag", rng() % 100'000)};  // always new tags
      rows.push_back(r);
    }
    closed.clear();
    late.clear();
    op.add(make_batch(rows), closed, late);
    max_open = std::max(max_open, op.open_windows());
    if (b == 80) bytes_after_warmup = op.state_bytes();
    if (b > 80) max_bytes = std::max(max_bytes, op.state_bytes());
  }
  // 1m: ~3 retained + 1 pending; 10m/1m: ~10 pending + 3 retained.
  CHECK(max_open <= 20);
  CHECK(max_bytes < bytes_after_warmup * 3 / 2);
  op.flush(closed);
  CHECK(op.open_windows() == 0);
}

// ---------------------------------------------------------------- live partitions

TEST_CASE("rows of one batch carry their own partitions") {
  WindowOperator op(make_config({"1m"}));
  std::vector<WindowAggregate> closed;
  std::vector<LateRow> late;
  // Partition 1 lags: the watermark is its 65s, not partition 0's 130s.
  op.add(make_mixed_batch(
             {{0, Row{10 * kSec}}, {1, Row{5 * kSec}}, {0, Row{130 * kSec}}, {1, Row{65 * kSec}}}),
         closed, late);
  CHECK(op.watermark_ms() == 65 * kSec);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].start_ms == 0);
  CHECK(closed[0].count == 2);
  CHECK(late.empty());
}

TEST_CASE("an idle partition stops holding the watermark back; its next row holds it again") {
  WindowOperator op(make_config({"1m"}));
  Output out;
  out.add(op, {{5 * kSec}}, 1);
  out.add(op, {{10 * kSec}, {130 * kSec}}, 0);
  out.add(op, {{20 * kSec}}, 1);
  CHECK(op.watermark_ms() == 20 * kSec);
  CHECK(out.closed.empty());
  op.set_partition_idle(1, true, out.closed);  // partition 0 alone: 130s
  CHECK(op.watermark_ms() == 130 * kSec);
  REQUIRE(out.closed.size() == 1);
  CHECK(out.closed[0].start_ms == 0);
  CHECK(out.closed[0].count == 3);
  out.closed.clear();
  // The idle partition's next row makes it active: it holds the watermark at 140s.
  out.add(op, {{140 * kSec}}, 1);
  out.add(op, {{300 * kSec}}, 0);
  CHECK(op.watermark_ms() == 140 * kSec);
  // idle = false re-activates too (after another idle spell).
  op.set_partition_idle(1, true, out.closed);
  CHECK(op.watermark_ms() == 300 * kSec);
  op.set_partition_idle(1, false, out.closed);
  out.add(op, {{400 * kSec}}, 0);
  CHECK(op.watermark_ms() == 300 * kSec);      // partition 1 (at 140s) holds; never moves back
  op.set_partition_idle(9, true, out.closed);  // unknown: no effect
  CHECK(op.watermark_ms() == 300 * kSec);
  out.add(op, {{500 * kSec}}, 1);
  CHECK(op.watermark_ms() == 400 * kSec);
  // Activating an unknown partition (just assigned) registers it: it holds the watermark
  // until its first row arrives.
  op.set_partition_idle(5, false, out.closed);
  out.add(op, {{600 * kSec}}, 0);
  out.add(op, {{600 * kSec}}, 1);
  CHECK(op.watermark_ms() == 400 * kSec);
  out.add(op, {{550 * kSec}}, 5);
  CHECK(op.watermark_ms() == 550 * kSec);
}

TEST_CASE("with no partition active (idle or ended) the watermark goes as far as any got") {
  for (const bool ended : {false, true}) {
    CAPTURE(ended);
    WindowOperator op(make_config({"1m"}));
    Output out;
    out.add(op, {{100 * kSec}}, 0);
    out.add(op, {{200 * kSec}}, 1);
    CHECK(op.watermark_ms() == 100 * kSec);
    if (ended) {
      op.end_partition(0, out.closed);
      op.end_partition(1, out.closed);
      CHECK(op.watermark_ms() == 200 * kSec);  // end of input: as far as any partition got
    } else {
      op.set_partition_idle(1, true, out.closed);
      CHECK(op.watermark_ms() == 100 * kSec);  // partition 0 alone
      op.set_partition_idle(0, true, out.closed);
      CHECK(op.watermark_ms() == 200 * kSec);  // all caught up: nobody holds it back
      out.add(op, {{500 * kSec}}, 1);          // partition 1 active again, alone
      CHECK(op.watermark_ms() == 500 * kSec);
      op.set_partition_idle(1, true, out.closed);
      op.end_partition(0, out.closed);
      CHECK(op.watermark_ms() == 500 * kSec);
    }
  }
  // A mix of idle and ended partitions with none active: as far as any got.
  WindowOperator op(make_config({"1m"}));
  Output out;
  out.add(op, {{50 * kSec}}, 2);
  out.add(op, {{100 * kSec}}, 0);
  out.add(op, {{300 * kSec}}, 1);
  CHECK(op.watermark_ms() == 50 * kSec);
  op.set_partition_idle(2, true, out.closed);
  CHECK(op.watermark_ms() == 100 * kSec);
  op.end_partition(1, out.closed);
  CHECK(op.watermark_ms() == 100 * kSec);  // partition 0 alone
  op.set_partition_idle(0, true, out.closed);
  CHECK(op.watermark_ms() == 300 * kSec);
  // A registered partition without rows that goes idle releases it the same way.
  WindowOperator op2(make_config({"1m"}));
  Output out2;
  op2.set_partition_idle(7, false, out2.closed);  // assigned, no rows yet
  out2.add(op2, {{100 * kSec}}, 0);
  CHECK(op2.watermark_ms() < 0);  // partition 7 holds it
  op2.set_partition_idle(7, true, out2.closed);
  CHECK(op2.watermark_ms() == 100 * kSec);
}

TEST_CASE("a removed partition is forgotten; its later rows start it afresh") {
  WindowOperator op(make_config({"1m"}));
  Output out;
  out.add(op, {{100 * kSec}}, 0);
  out.add(op, {{50 * kSec}}, 1);
  out.add(op, {{40 * kSec}}, 2);
  CHECK(op.watermark_ms() == 100 * kSec);  // the first row set it; never moves back
  out.add(op, {{200 * kSec}}, 0);
  out.add(op, {{150 * kSec}}, 2);
  CHECK(op.watermark_ms() == 100 * kSec);  // partition 1 holds it at 50s
  op.remove_partition(1, out.closed);
  CHECK(op.watermark_ms() == 150 * kSec);  // min of partitions 0 and 2
  op.remove_partition(1, out.closed);      // twice: no effect
  op.remove_partition(2, out.closed);
  CHECK(op.watermark_ms() == 200 * kSec);
  out.add(op, {{60 * kSec}}, 1);  // back with no history: its row is late
  CHECK(out.late.size() == 1);
  out.add(op, {{300 * kSec}}, 0);
  CHECK(op.watermark_ms() == 200 * kSec);  // partition 1 (at 60s) holds it
  out.add(op, {{250 * kSec}}, 1);
  CHECK(op.watermark_ms() == 250 * kSec);
  op.remove_partition(0, out.closed);
  op.remove_partition(1, out.closed);
  out.add(op, {{1000 * kSec}}, 0);  // no partition left: a fresh one, alone
  CHECK(op.watermark_ms() == 1000 * kSec);
}

// ---------------------------------------------------------------- snapshots

namespace {

// One step of a live-like run: a batch of rows (mixing partitions), or a partition event.
struct Step {
  enum Kind { rows, idle, active, end, remove } kind = rows;
  uint32_t partition = 0;
  std::vector<std::pair<uint32_t, Row>> batch;
};

struct LiveStream {
  WindowConfig config;
  std::vector<Step> steps;
};

// Rows over 4 partitions with per-partition clocks, interleaved a few rows at a time;
// out of order (some beyond allowed lateness); hashtags from a vocabulary larger than
// hashtag_capacity; authors from a range wide enough for dense HyperLogLogs when
// `dense_authors`. Batches of random size; now and then a partition goes idle, comes
// back, ends or is revoked.
LiveStream make_live_stream(uint64_t seed, WindowConfig config, int n, int64_t max_step,
                            bool dense_authors) {
  std::mt19937_64 rng(seed);
  const std::vector<std::string> keys = {"weibo", "twitter", "weibo", "other", "x\x1fy"};
  LiveStream s;
  s.config = std::move(config);
  int64_t clock[4] = {1'700'000'000'000, 1'700'000'000'000, 1'700'000'000'000, 1'700'000'000'000};
  int quiet[4] = {0, 0, 0, 0};  // rows to go before an idle or ended partition speaks again
  uint32_t partition = 0;
  Step batch;
  std::size_t batch_size = 1 + rng() % 150;
  for (int i = 0; i < n; ++i) {
    if (rng() % 6 == 0) partition = static_cast<uint32_t>(rng() % 4);
    for (int k = 0; k < 4 && quiet[partition] > 0; ++k) partition = (partition + 1) % 4;
    for (int& q : quiet) q = std::max(0, q - 1);
    int64_t& c = clock[partition];
    c += static_cast<int64_t>(rng() % static_cast<uint64_t>(max_step));
    Row r;
    r.t = c - static_cast<int64_t>(rng() % 8000);
    if (rng() % 60 == 0) r.t -= static_cast<int64_t>(rng() % (3 * kMin));
    r.key = keys[rng() % keys.size()];
    r.compound_micro = static_cast<int64_t>(rng() % 2'000'001) - 1'000'000;
    r.label = static_cast<Label>(rng() % 3);
    r.markers = static_cast<uint16_t>(rng() % 16);
    r.weight = 1 + static_cast<int64_t>(rng() % 1000);
    r.author = rng() % 7 == 0 ? 0 : 1 + rng() % (dense_authors ? 100'000 : 300);
    const int ntags = static_cast<int>(rng() % 4);
    for (int k = 0; k < ntags; ++k) {
      const uint64_t a = rng() % 60, b = rng() % 60;  // skewed towards low numbers
      r.tags.push_back(cat(rng() % 2 == 0 ? "Tag" : "tag", std::min(a, b)));
    }
    batch.batch.emplace_back(partition, std::move(r));
    if (batch.batch.size() >= batch_size) {
      s.steps.push_back(std::move(batch));
      batch = Step{};
      batch_size = 1 + rng() % 150;
      const uint64_t event = rng() % 40;
      const auto p = static_cast<uint32_t>(rng() % 4);
      if (event < 3) s.steps.push_back({Step::idle, p, {}});
      if (event == 3) s.steps.push_back({Step::active, p, {}});
      if (event == 4) s.steps.push_back({Step::end, p, {}});
      if (event == 5 && rng() % 3 == 0) s.steps.push_back({Step::remove, p, {}});
      if (event < 3 || event == 4) quiet[p] = 100 + static_cast<int>(rng() % 600);
    }
  }
  if (!batch.batch.empty()) s.steps.push_back(std::move(batch));
  return s;
}

struct LiveRun {
  std::vector<std::string> lines;  // every closed aggregate, serialised in full
  std::vector<std::string> late;   // step:row of every late row
  int64_t late_rows = 0;
};

void run_steps(WindowOperator& op, const LiveStream& s, std::size_t from, std::size_t to,
               LiveRun& run) {
  std::vector<WindowAggregate> closed;
  std::vector<LateRow> late;
  for (std::size_t i = from; i < to; ++i) {
    const Step& step = s.steps[i];
    switch (step.kind) {
      case Step::rows:
        late.clear();
        op.add(make_mixed_batch(step.batch), closed, late);
        for (const LateRow& l : late) run.late.push_back(cat(i, ":", l.row));
        break;
      case Step::idle:
        op.set_partition_idle(step.partition, true, closed);
        break;
      case Step::active:
        op.set_partition_idle(step.partition, false, closed);
        break;
      case Step::end:
        op.end_partition(step.partition, closed);
        break;
      case Step::remove:
        op.remove_partition(step.partition, closed);
        break;
    }
  }
  for (const WindowAggregate& a : closed) run.lines.push_back(serialise(a));
}

LiveRun run_uninterrupted(const LiveStream& s) {
  WindowOperator op(s.config);
  LiveRun run;
  run_steps(op, s, 0, s.steps.size(), run);
  std::vector<WindowAggregate> closed;
  op.flush(closed);
  for (const WindowAggregate& a : closed) run.lines.push_back(serialise(a));
  run.late_rows = op.late_rows();
  return run;
}

// Runs steps [0, cut), saves, restores into a new operator, runs the rest and flushes.
LiveRun run_with_restart(const LiveStream& s, std::size_t cut, std::string* snapshot) {
  LiveRun run;
  std::string bytes;
  {
    WindowOperator before(s.config);
    run_steps(before, s, 0, cut, run);
    before.save(bytes);
  }
  WindowOperator after(s.config);
  after.restore(bytes);
  std::string again;
  after.save(again);
  CHECK(again == bytes);  // save(restore(save(x))) == save(x)
  run_steps(after, s, cut, s.steps.size(), run);
  std::vector<WindowAggregate> closed;
  after.flush(closed);
  for (const WindowAggregate& a : closed) run.lines.push_back(serialise(a));
  run.late_rows = after.late_rows();
  if (snapshot != nullptr) *snapshot = std::move(bytes);
  return run;
}

void check_same(const LiveRun& got, const LiveRun& expected) {
  CHECK(got.late == expected.late);
  CHECK(got.late_rows == expected.late_rows);
  REQUIRE(got.lines.size() == expected.lines.size());
  for (std::size_t i = 0; i < got.lines.size(); ++i) {
    if (got.lines[i] != expected.lines[i]) {
      CAPTURE(i);
      CHECK(got.lines[i] == expected.lines[i]);
      break;
    }
  }
}

WindowConfig snapshot_config(std::vector<std::string> specs) {
  WindowConfig c = make_config(std::move(specs), 5 * kSec, 40 * kSec);
  c.group_by = {Dimension::platform, Dimension::lang};
  c.hashtag_capacity = 8;  // far fewer than the 60 tags: Space-Saving evicts all the time
  c.top_hashtags = 4;
  return c;
}

}  // namespace

TEST_CASE("snapshot: save, restore into a new operator and continue = an uninterrupted run") {
  struct Case {
    std::vector<std::string> specs;
    int n;
    int64_t max_step;
    bool dense_authors;
  };
  const std::vector<Case> cases = {
      {{"1m", "5m/1m", "10s"}, 6000, 400, false},  // 10s panes, many emissions, sparse sketches
      {{"1m", "3m/1m"}, 16000, 200, true},         // 1m panes holding dense HyperLogLogs
  };
  for (std::size_t ci = 0; ci < cases.size(); ++ci) {
    CAPTURE(ci);
    const LiveStream s = make_live_stream(100 + ci, snapshot_config(cases[ci].specs), cases[ci].n,
                                          cases[ci].max_step, cases[ci].dense_authors);
    const LiveRun reference = run_uninterrupted(s);
    // The stream exercises what the snapshot must carry.
    REQUIRE(reference.lines.size() > 50);
    CHECK(reference.late_rows > 0);
    bool saw_revision = false, saw_late = false;
    for (const std::string& line : reference.lines) {
      saw_revision |= line.find(" rev=1 ") != std::string::npos;
      saw_late |= line.find(" late=0 ") == std::string::npos;
    }
    CHECK(saw_revision);
    CHECK(saw_late);
    // Cuts at both ends, spread over the run, and right after partition events (so the
    // snapshot holds idle, ended and removed partitions).
    std::vector<std::size_t> cuts = {0, 1, s.steps.size() - 1, s.steps.size()};
    for (std::size_t k = 1; k < 8; ++k) cuts.push_back(s.steps.size() * k / 8);
    std::size_t after_events = 0;
    for (std::size_t i = 1; i < s.steps.size() && after_events < 8; ++i) {
      if (s.steps[i - 1].kind != Step::rows) {
        cuts.push_back(i);
        ++after_events;
      }
    }
    CHECK(after_events >= 4);
    std::size_t largest = 0;
    for (const std::size_t cut : cuts) {
      CAPTURE(cut);
      std::string snapshot;
      check_same(run_with_restart(s, cut, &snapshot), reference);
      largest = std::max(largest, snapshot.size());
    }
    MESSAGE("case ", ci, ": ", s.steps.size(), " steps, largest snapshot ", largest, " bytes");
  }
}

TEST_CASE("snapshot: a dense sketch and an evicting summary survive the round trip") {
  // One (pane, group) with > 192 authors (dense HyperLogLog) and a full Space-Saving
  // summary that has evicted (min tracking on): the restored operator must evict the same
  // counters afterwards.
  WindowConfig c = make_config({"1m"});
  c.hashtag_capacity = 3;
  c.top_hashtags = 3;
  std::vector<Row> first, second;
  for (int i = 0; i < 400; ++i) {
    Row r{i * 10};
    r.author = 1 + static_cast<uint64_t>(i);
    r.tags = {cat("t", i % 7)};
    first.push_back(r);
  }
  for (int i = 0; i < 50; ++i) {
    Row r{5000 + i};
    r.author = 7;
    r.tags = {cat("t", (i * 3) % 5), "new"};
    second.push_back(r);
  }
  WindowOperator a(c);
  Output out_a;
  out_a.add(a, first);
  std::string bytes;
  a.save(bytes);
  WindowOperator b(c);
  b.restore(bytes);
  Output out_b;
  out_a.add(a, second);
  out_b.add(b, second);
  a.flush(out_a.closed);
  b.flush(out_b.closed);
  REQUIRE(out_a.closed.size() == 1);
  REQUIRE(out_b.closed.size() == 1);
  CHECK(out_a.closed[0].authors_approx > 300);
  CHECK(out_a.closed[0].top_hashtags.size() == 3);
  CHECK(serialise(out_b.closed[0]) == serialise(out_a.closed[0]));
}

TEST_CASE("snapshot: restore under a different config fails and names the difference") {
  WindowConfig c = make_config({"1m", "1h"}, 5 * kSec, 30 * kSec);
  WindowOperator op(c);
  Output out;
  out.add(op, {{10 * kSec}, {20 * kSec}});
  std::string bytes;
  op.save(bytes);

  const auto message = [&bytes](const WindowConfig& other) -> std::string {
    WindowOperator target(other);
    try {
      target.restore(bytes);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "(no error)";
  };
  const auto contains = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };

  const std::string specs = message(make_config({"1m"}, 5 * kSec, 30 * kSec));
  CHECK_MESSAGE(
      contains(specs, "checkpoint was written with window specs [1m, 1h], config now has [1m]"),
      specs);
  WindowConfig lateness = c;
  lateness.allowed_lateness_ms = kMin;
  const std::string late_msg = message(lateness);
  CHECK_MESSAGE(contains(late_msg, "allowed_lateness 30s, config now has 1m"), late_msg);
  CHECK(!contains(late_msg, "window specs"));  // only what differs
  WindowConfig several = c;
  several.group_by = {Dimension::platform, Dimension::lang};
  several.marker_names = {"pride"};
  several.hashtag_capacity = 50;
  several.top_hashtags = 5;
  several.max_out_of_orderness_ms = 0;
  const std::string all = message(several);
  CHECK_MESSAGE(contains(all, "group_by [platform], config now has [platform, lang]"), all);
  CHECK_MESSAGE(
      contains(all, "marker categories [pride, rivalry, sarcasm], config now has [pride]"), all);
  CHECK_MESSAGE(contains(all, "hashtag_capacity 100, config now has 50"), all);
  CHECK_MESSAGE(contains(all, "top_hashtags 10, config now has 5"), all);
  CHECK_MESSAGE(contains(all, "max_out_of_orderness 5s, config now has 0s"), all);
  CHECK(message(c) == "(no error)");
}

TEST_CASE("snapshot: truncated or corrupted bytes fail cleanly and change nothing") {
  const LiveStream s = make_live_stream(7, snapshot_config({"1m", "2m/30s"}), 1500, 300, false);
  WindowOperator op(s.config);
  LiveRun ignored;
  run_steps(op, s, 0, s.steps.size() / 2, ignored);
  std::string bytes;
  op.save(bytes);
  REQUIRE(bytes.size() > 1000);

  WindowOperator target(s.config);
  std::string fresh;
  target.save(fresh);
  const auto fails = [&target](std::string_view b) {
    try {
      target.restore(b);
    } catch (const std::runtime_error& e) {
      return std::string(e.what()).rfind("window checkpoint: ", 0) == 0;
    }
    return false;
  };
  std::mt19937_64 rng(5);
  std::vector<std::size_t> lengths = {0, 1, 8, 31, 32, 33, bytes.size() - 1};
  for (int i = 0; i < 100; ++i) lengths.push_back(rng() % bytes.size());
  for (const std::size_t n : lengths) {
    CAPTURE(n);
    CHECK(fails(std::string_view(bytes).substr(0, n)));
  }
  CHECK(fails(bytes + "x"));
  for (int i = 0; i < 200; ++i) {
    std::string flipped = bytes;
    const std::size_t at = rng() % flipped.size();
    flipped[at] = static_cast<char>(flipped[at] ^ (1 << (rng() % 8)));
    CAPTURE(at);
    CHECK(fails(flipped));
  }
  std::string other_version = bytes;
  other_version[8] = 2;
  CHECK(fails(other_version));
  // Nothing above changed the target.
  std::string after;
  target.save(after);
  CHECK(after == fresh);
  target.restore(bytes);
  std::string restored;
  target.save(restored);
  CHECK(restored == bytes);
}

TEST_CASE("snapshot: a corrupted payload with a valid checksum is rejected or harmless") {
  // Beyond the checksum, restore validates structure (counts, ids, ranges, reference
  // counts). Bytes that pass must still give an operator that runs without crashing
  // (this test matters most under the address/undefined sanitizers).
  const LiveStream s = make_live_stream(11, snapshot_config({"1m", "2m/30s"}), 800, 300, false);
  WindowOperator op(s.config);
  LiveRun ignored;
  run_steps(op, s, 0, s.steps.size() / 2, ignored);
  std::string bytes;
  op.save(bytes);
  constexpr std::size_t kHeader = 32;
  std::mt19937_64 rng(9);
  int rejected = 0;
  for (int i = 0; i < 400; ++i) {
    std::string b = bytes;
    const std::size_t at = kHeader + rng() % (b.size() - kHeader);
    b[at] = static_cast<char>(b[at] ^ (1 << (rng() % 8)));
    const uint64_t sum = window_internal::snapshot_checksum(std::string_view(b).substr(kHeader));
    for (int k = 0; k < 8; ++k) b[24 + k] = static_cast<char>(sum >> (8 * k));
    WindowOperator target(s.config);
    try {
      target.restore(b);
    } catch (const std::runtime_error&) {
      ++rejected;
      continue;
    }
    LiveRun rest;
    run_steps(target, s, s.steps.size() / 2, s.steps.size(), rest);
    std::vector<WindowAggregate> closed;
    target.flush(closed);
  }
  MESSAGE(rejected, " of 400 corrupted snapshots rejected");
  CHECK(rejected > 100);
}

TEST_CASE("snapshot: size and time for 1h of 1000 posts/s over 6 groups" * doctest::skip()) {
  // Not run by default (3.6M rows); run with --no-skip to print the figures. The
  // restored operator's output is checked against the original's.
  WindowConfig c = make_config({"1m", "1h/5m"}, 5 * kSec, kMin);
  c.group_by = {Dimension::platform, Dimension::lang};
  c.marker_names = {"pride", "rivalry", "self_reliance", "sarcasm"};
  WindowOperator op(c);
  std::mt19937_64 rng(2025);
  const std::vector<std::string> keys = {"weibo\x1fzh",
                                         "weibo\x1f"
                                         "en",
                                         "twitter\x1f"
                                         "en",
                                         "twitter\x1fzh",
                                         "other\x1fja",
                                         "other\x1fund"};
  std::vector<WindowAggregate> closed;
  std::vector<LateRow> late;
  const int64_t start = 1'738'000'000'000;
  for (int second = 0; second < 3600; ++second) {
    std::vector<Row> rows;
    for (int i = 0; i < 1000; ++i) {
      Row r{start + second * kSec + i - static_cast<int64_t>(rng() % 3000), keys[rng() % 6]};
      r.compound_micro = static_cast<int64_t>(rng() % 2'000'001) - 1'000'000;
      r.author = 1 + std::min(rng() % 200'000, rng() % 200'000);
      r.tags = {cat("tag", std::min(rng() % 5000, rng() % 5000))};
      rows.push_back(std::move(r));
    }
    op.add(make_batch(rows), closed, late);
  }
  // Wall and CPU time (the CPU figure is what counts on a shared, loaded machine).
  std::string bytes;
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  op.save(bytes);
  const auto t1 = std::chrono::steady_clock::now();
  const std::clock_t c1 = std::clock();
  WindowOperator restored(c);
  restored.restore(bytes);
  const auto t2 = std::chrono::steady_clock::now();
  const std::clock_t c2 = std::clock();
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  const auto cpu_ms = [](std::clock_t d) {
    return 1000.0 * static_cast<double>(d) / CLOCKS_PER_SEC;
  };
  MESSAGE("state_bytes ", op.state_bytes(), ", open windows ", op.open_windows(), ", snapshot ",
          bytes.size(), " bytes; save ", ms(t1 - t0), " ms wall / ", cpu_ms(c1 - c0),
          " ms cpu; restore ", ms(t2 - t1), " ms wall / ", cpu_ms(c2 - c1), " ms cpu");
  std::vector<WindowAggregate> a, b;
  op.flush(a);
  restored.flush(b);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(serialise(a[i]) == serialise(b[i]));
}

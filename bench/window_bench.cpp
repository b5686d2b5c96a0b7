// bench_window: WindowOperator throughput on synthetic rows, one thread.
//
// The stream: 500,000 rows (SENTISTREAM_BENCH_ROWS) starting 2025-01-27T00:00:00Z at
// `rate` rows per second of event time (50: ~2.8 h, sparse windows where emitting
// dominates; 1000: ~8 min, dense windows where adding rows dominates), 2% of rows up to
// 2 minutes late, 50 groups over 2 dimensions (platform x lang: 5 x 10 values), 0-3 hashtags per
// row from a Zipf-like pool of 200, authors from a pool of 100,000, random marker bits.
// Window specs: 1m and 1h tumbling plus 1h/5m hopping; max_out_of_orderness 5s, allowed
// lateness 1m. Each benchmark iteration feeds the whole stream to a fresh operator in
// batches of `batch` rows and flushes it, so every window is closed and emitted once.
// Reported: items/s = rows/s. Counters per pass: aggregates emitted and late rows.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "bench/corpus.h"
#include "operators/window/window.h"

namespace {

using sentistream::RowBatch;
using sentistream::WindowAggregate;
using sentistream::WindowConfig;
using sentistream::WindowOperator;

constexpr int64_t kStartMs = 1'737'936'000'000;  // 2025-01-27T00:00:00Z
constexpr int kPlatforms = 5, kLangs = 10, kTags = 200;

WindowConfig bench_config() {
  WindowConfig c;
  for (const char* text : {"1m", "1h", "1h/5m"}) {
    std::string error;
    auto spec = sentistream::parse_window_spec(text, &error);
    if (!spec) throw std::runtime_error("bad window spec " + std::string(text) + ": " + error);
    c.specs.push_back(*spec);
  }
  c.group_by = {sentistream::Dimension::platform, sentistream::Dimension::lang};
  c.marker_names = {"pride", "rivalry", "self_reliance", "sarcasm"};
  c.max_out_of_orderness_ms = 5'000;
  c.allowed_lateness_ms = 60'000;
  return c;
}

// The whole stream, cut into batches of `batch_rows`. Deterministic (fixed seed). Group
// keys and hashtags are written per batch, as the parallel stage would produce them.
std::vector<RowBatch> make_stream(std::size_t rows, std::size_t batch_rows, int64_t rate) {
  static const char* kPlatformNames[kPlatforms] = {"twitter", "weibo", "other", "reddit",
                                                   "mastodon"};
  static const char* kLangNames[kLangs] = {"en", "zh", "ja", "und", "ko",
                                           "es", "fr", "de", "ru",  "pt"};
  std::vector<std::string> keys;
  for (const char* p : kPlatformNames) {
    for (const char* l : kLangNames) keys.push_back(std::string(p) + '\x1f' + l);
  }
  std::string tag_bytes;
  std::vector<std::pair<uint32_t, uint32_t>> tag_refs;
  for (int t = 0; t < kTags; ++t) {
    const std::string tag = t == 0 ? "DeepSeek" : t == 1 ? "AI" : "tag" + std::to_string(t);
    tag_refs.emplace_back(static_cast<uint32_t>(tag_bytes.size()),
                          static_cast<uint32_t>(tag.size()));
    tag_bytes += tag;
  }
  // Zipf-like picks: rank = floor(n^u) - 1 for uniform u gives P(rank) ~ 1/rank.
  auto zipf = [](std::mt19937_64& rng, int n) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<int>(std::pow(static_cast<double>(n), u)) - 1;
  };

  std::mt19937_64 rng(20250127);
  std::uniform_real_distribution<double> unit(0, 1);
  std::normal_distribution<double> compound(0.1, 0.45);
  std::vector<RowBatch> batches;
  RowBatch batch;
  for (std::size_t i = 0; i < rows; ++i) {
    if (batch.rows.empty()) {
      batch.clear();
      batch.group_keys = keys;  // all 50 keys: a large batch sees every group anyway
      batch.hashtag_bytes = tag_bytes;
    }
    sentistream::PostRow row;
    row.event_ms = kStartMs + static_cast<int64_t>(i) * 1000 / rate;
    if (unit(rng) < 0.02) row.event_ms -= static_cast<int64_t>(unit(rng) * 120'000);
    const double c = std::clamp(compound(rng), -1.0, 1.0);
    row.compound_micro = std::llround(c * 1e6);
    row.label = c > 0.05    ? sentistream::Label::positive
                : c < -0.05 ? sentistream::Label::negative
                            : sentistream::Label::neutral;
    row.weight = 1 + zipf(rng, 1000);
    row.author_hash = std::hash<uint64_t>{}(static_cast<uint64_t>(zipf(rng, 100'000)) + 1);
    row.group = static_cast<uint32_t>(zipf(rng, kPlatforms) * kLangs + zipf(rng, kLangs));
    row.hashtag_begin = static_cast<uint32_t>(batch.hashtags.size());
    const int ntags = static_cast<int>(unit(rng) * 4);
    for (int t = 0; t < ntags; ++t) batch.hashtags.push_back(tag_refs[zipf(rng, kTags)]);
    row.hashtag_count = static_cast<uint32_t>(ntags);
    row.doc = static_cast<uint32_t>(batch.rows.size());
    row.marker_mask = static_cast<uint16_t>(unit(rng) < 0.1 ? 1u << (rng() % 4) : 0u);
    batch.rows.push_back(row);
    if (batch.rows.size() == batch_rows || i + 1 == rows) {
      batches.push_back(std::move(batch));
      batch = RowBatch{};
    }
  }
  return batches;
}

void BM_Window(benchmark::State& state) {
  const auto rows =
      static_cast<std::size_t>(sentistream::bench::env_long("SENTISTREAM_BENCH_ROWS", 500'000));
  const auto batch_rows = static_cast<std::size_t>(state.range(0));
  const int64_t rate = state.range(1);
  // Built once per batch size: the benchmark function runs several times per benchmark.
  static std::map<std::tuple<std::size_t, std::size_t, int64_t>, std::vector<RowBatch>> streams;
  WindowConfig config;
  try {
    config = bench_config();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  auto [it, inserted] = streams.try_emplace({rows, batch_rows, rate});
  if (inserted) it->second = make_stream(rows, batch_rows, rate);
  const std::vector<RowBatch>& stream = it->second;
  std::vector<WindowAggregate> closed;
  std::vector<sentistream::LateRow> late;
  int64_t emitted = 0, late_rows = 0;
  std::size_t peak_state = 0;
  for (auto _ : state) {
    WindowOperator op(config);
    for (const RowBatch& b : stream) {
      op.add(b, closed, late);
      emitted += static_cast<int64_t>(closed.size());
      closed.clear();
      late.clear();
    }
    peak_state = std::max(peak_state, op.state_bytes());
    op.flush(closed);
    emitted += static_cast<int64_t>(closed.size());
    late_rows += op.late_rows();
    closed.clear();
  }
  const auto iters = static_cast<int64_t>(state.iterations());
  if (iters == 0) return;
  state.SetItemsProcessed(iters * static_cast<int64_t>(rows));
  state.counters["aggregates"] = static_cast<double>(emitted) / static_cast<double>(iters);
  state.counters["late_rows"] = static_cast<double>(late_rows) / static_cast<double>(iters);
  state.counters["state_bytes_end"] = static_cast<double>(peak_state);
}

}  // namespace

BENCHMARK(BM_Window)
    ->ArgNames({"batch", "rate"})
    ->Args({1024, 50})
    ->Args({8192, 50})
    ->Args({8192, 1000})
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

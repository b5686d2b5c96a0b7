// bench_score: Scorer throughput over post texts, one thread, built-in lexicons.
//
// Each iteration scores every text of a corpus (one text per line). Reported: bytes/s of
// text (the spec's unit: MB of text per second per core) and items/s = texts/s.
//   BM_Score/en, /zh     gen_corpus.py --text-only texts, platform language tag as hint
//   BM_Score/mixed_nohint  en+zh texts, empty hint: language from the script
//   BM_Score/real_*      real posts from ../shared/data/labeled when present (skipped
//                        with a message otherwise): SemEval tweets and Weibo posts
//   BM_LexiconLoad       parse and index the built-in lexicon files (start-up cost)
//
// Environment: SENTISTREAM_BENCH_TEXTS (texts per generated corpus, default 100000),
// SENTISTREAM_BENCH_CORPUS_DIR, SENTISTREAM_BENCH_PYTHON.
#include <benchmark/benchmark.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/corpus.h"
#include "config/builtin_lexicons.h"
#include "operators/score/scorer.h"

#ifndef SENTISTREAM_SHARED_DATA
#define SENTISTREAM_SHARED_DATA "../shared/data"
#endif

namespace {

using sentistream::Scorer;

struct Texts {
  std::vector<std::string_view> lines;
  std::size_t bytes = 0;
};

Texts from_corpus(const sentistream::bench::Corpus& c) {
  return {c.lines, c.line_bytes};
}

// Real posts from the shared development data: held in static storage for the run.
// tweeteval: one tweet per line. weibo_senti_100k_dev.tsv: "label\ttext" after a header.
const Texts* real_texts(const std::string& which, std::string* error) {
  static std::string tweeteval_bytes, weibo_bytes;
  static Texts tweeteval, weibo;
  const bool is_weibo = which == "weibo";
  Texts& texts = is_weibo ? weibo : tweeteval;
  if (!texts.lines.empty()) return &texts;
  const std::filesystem::path path =
      std::filesystem::path(SENTISTREAM_SHARED_DATA) / "labeled" /
      (is_weibo ? "weibo_senti_100k_dev.tsv" : "tweeteval_val_text.txt");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "shared data absent (" + path.string() + "): skipped";
    return nullptr;
  }
  std::string& bytes = is_weibo ? weibo_bytes : tweeteval_bytes;
  std::ostringstream ss;
  ss << in.rdbuf();
  bytes = std::move(ss).str();
  std::string_view all(bytes);
  bool header = is_weibo;
  while (!all.empty()) {
    std::size_t nl = all.find('\n');
    std::string_view line = all.substr(0, nl);
    all.remove_prefix(nl == std::string_view::npos ? all.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (header) {
      header = false;
      continue;
    }
    if (is_weibo) {
      const std::size_t tab = line.find('\t');
      if (tab == std::string_view::npos) continue;
      line.remove_prefix(tab + 1);
    }
    if (line.empty()) continue;
    texts.lines.push_back(line);
    texts.bytes += line.size();
  }
  return &texts;
}

// The built-in lexicon, or nullptr with the loader's message (bad lexicon files).
std::shared_ptr<const sentistream::Lexicon> lexicon_or_skip(benchmark::State& state) {
  try {
    return sentistream::builtin_lexicon();
  } catch (const std::exception& e) {
    state.SkipWithError((std::string("built-in lexicon does not load: ") + e.what()).c_str());
    return nullptr;
  }
}

void run(benchmark::State& state, const Texts& texts, std::string_view hint) {
  auto lexicon = lexicon_or_skip(state);
  if (lexicon == nullptr) return;
  Scorer scorer(std::move(lexicon));
  double sink = 0;
  int64_t positive = 0, negative = 0, marked = 0;
  for (auto _ : state) {
    for (std::string_view text : texts.lines) {
      const sentistream::Score s = scorer.score(text, hint);
      sink += s.compound;
      positive += s.label == sentistream::Label::positive;
      negative += s.label == sentistream::Label::negative;
      bool any_marker = false;
      for (uint16_t hits : s.marker_hits) any_marker |= hits != 0;
      marked += any_marker;
    }
    benchmark::DoNotOptimize(sink);
  }
  const auto iters = static_cast<int64_t>(state.iterations());
  if (iters == 0) return;
  const double n = static_cast<double>(texts.lines.size()) * static_cast<double>(iters);
  state.SetBytesProcessed(iters * static_cast<int64_t>(texts.bytes));
  state.SetItemsProcessed(iters * static_cast<int64_t>(texts.lines.size()));
  // Shares, so a lexicon that matches nothing (fast, useless) shows up next to the speed.
  state.counters["pos_share"] = static_cast<double>(positive) / n;
  state.counters["neg_share"] = static_cast<double>(negative) / n;
  state.counters["marker_share"] = static_cast<double>(marked) / n;
  state.counters["avg_text_bytes"] =
      static_cast<double>(texts.bytes) / static_cast<double>(texts.lines.size());
  state.counters["lexicon_terms"] = static_cast<double>(scorer.lexicon().term_count());
}

void BM_Score(benchmark::State& state, const char* lang, const char* hint) {
  const long n = sentistream::bench::env_long("SENTISTREAM_BENCH_TEXTS", 100000);
  const std::string name = std::string("texts-") + lang + "-" + std::to_string(n) + "-s1.txt";
  const std::string args =
      std::string("--text-only --lang ") + lang + " --posts " + std::to_string(n) + " --seed 1";
  std::string error;
  const auto* corpus = sentistream::bench::load_corpus(name, args, 0, &error);
  if (corpus == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  run(state, from_corpus(*corpus), hint);
}

void BM_ScoreReal(benchmark::State& state, const char* which, const char* hint) {
  std::string error;
  const Texts* texts = real_texts(which, &error);
  if (texts == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  run(state, *texts, hint);
}

void BM_LexiconLoad(benchmark::State& state) {
  const auto& files = sentistream::builtin_lexicon_files();
  std::size_t bytes = 0;
  for (const auto& f : files) bytes += f.contents.size();
  std::size_t terms = 0;
  if (lexicon_or_skip(state) == nullptr) return;
  for (auto _ : state) {
    auto lexicon = sentistream::Lexicon::load_files(files, "<built-in>/");
    terms = lexicon->term_count();
    benchmark::DoNotOptimize(lexicon);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
  state.counters["terms"] = static_cast<double>(terms);
}

}  // namespace

BENCHMARK_CAPTURE(BM_Score, en, "en", "en")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Score, zh, "zh", "zh")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Score, mixed_nohint, "mixed", "")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ScoreReal, real_tweeteval_en, "tweeteval", "en")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ScoreReal, real_weibo_zh, "weibo", "zh")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LexiconLoad)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

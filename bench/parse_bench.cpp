// bench_parse: DocumentParser throughput per input format, one thread.
//
// Each benchmark iteration parses every line of an in-memory NDJSON corpus made by
// gen_corpus.py, in place (the corpus buffer is padded, so the parser never copies).
// Reported: bytes/s of JSON and items/s = posts accepted/s. Counters per pass: posts,
// rejected, and docs (lines). A clean corpus must yield exactly one post per line; a
// mismatch is printed as a warning, since a fast parser that drops posts is not fast.
//
// Environment: SENTISTREAM_BENCH_POSTS (posts per corpus, default 20000),
// SENTISTREAM_BENCH_CORPUS_DIR (reuse generated corpora), SENTISTREAM_BENCH_PYTHON.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <string>

#include "bench/corpus.h"
#include "operators/parse/parser.h"

namespace {

using sentistream::DocumentParser;
using sentistream::Post;
using sentistream::PostVisitor;
using sentistream::RejectReason;
using sentistream::bench::Corpus;

class CountingVisitor final : public PostVisitor {
 public:
  void on_post(const Post& post, std::size_t) override {
    ++posts;
    text_bytes += post.text.size();  // touch the result so nothing is optimised away
    hashtags += post.hashtags.size();
  }
  void on_reject(RejectReason reason, std::size_t, std::string_view) override {
    ++rejected;
    ++by_reason[static_cast<std::size_t>(reason)];
  }

  int64_t posts = 0;
  int64_t rejected = 0;
  int64_t text_bytes = 0;
  int64_t hashtags = 0;
  std::array<int64_t, sentistream::kRejectReasonCount> by_reason{};
};

struct CorpusSpec {
  const char* label;   // benchmark name suffix
  const char* format;  // gen_corpus.py --format
  const char* lang;    // gen_corpus.py --lang
  double corrupt;      // gen_corpus.py --corrupt-fraction
};

constexpr CorpusSpec kSpecs[] = {
    {"twitter_v1", "twitter_v1", "mixed", 0},       // ~3.5 KB statuses, 25% retweets
    {"twitter_v2", "twitter_v2", "mixed", 0},       // ~1.4 KB {"data","includes"} responses
    {"weibo_v2", "weibo_v2", "mixed", 0},           // ~3.3 KB, 30% with retweeted_status
    {"mweibo", "mweibo", "mixed", 0},               // ~3 KB card responses, HTML text
    {"canonical", "canonical", "mixed", 0},         // ~340 B flat posts
    {"mixed", "mixed", "mixed", 0},                 // all five shapes interleaved
    {"mixed_corrupt1pct", "mixed", "mixed", 0.01},  // plus 1% corrupt lines
};

const Corpus* load(const CorpusSpec& spec, long posts, std::string* error) {
  char args[256];
  std::snprintf(args, sizeof args,
                "--format %s --lang %s --posts %ld --seed 1 --corrupt-fraction %g", spec.format,
                spec.lang, posts, spec.corrupt);
  const std::string name =
      std::string("parse-") + spec.label + "-" + std::to_string(posts) + "-s1.ndjson";
  return sentistream::bench::load_corpus(name, args, sentistream::parse_padding(), error);
}

void BM_Parse(benchmark::State& state, const CorpusSpec& spec) {
  const long posts = sentistream::bench::env_long("SENTISTREAM_BENCH_POSTS", 20000);
  std::string error;
  const Corpus* corpus = load(spec, posts, &error);
  if (corpus == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  DocumentParser parser;
  CountingVisitor visitor;
  for (auto _ : state) {
    for (std::string_view line : corpus->lines) {
      parser.parse(line, corpus->capacity_after(line), visitor);
    }
  }
  const auto iters = static_cast<int64_t>(state.iterations());
  if (iters == 0) return;
  state.SetBytesProcessed(iters * static_cast<int64_t>(corpus->line_bytes));
  state.SetItemsProcessed(visitor.posts);
  const double per_pass = 1.0 / static_cast<double>(iters);
  state.counters["docs"] = static_cast<double>(corpus->lines.size());
  state.counters["posts"] = static_cast<double>(visitor.posts) * per_pass;
  state.counters["rejected"] = static_cast<double>(visitor.rejected) * per_pass;
  state.counters["avg_doc_bytes"] =
      static_cast<double>(corpus->line_bytes) / static_cast<double>(corpus->lines.size());

  if (spec.corrupt == 0 && visitor.posts != iters * posts) {
    std::fprintf(stderr,
                 "bench_parse: WARNING %s: %lld posts accepted per pass, %ld expected "
                 "(rejected per pass:",
                 spec.label, static_cast<long long>(visitor.posts / iters), posts);
    for (int r = 0; r < sentistream::kRejectReasonCount; ++r) {
      if (visitor.by_reason[r] == 0) continue;
      std::fprintf(stderr, " %s=%lld", std::string(to_string(static_cast<RejectReason>(r))).c_str(),
                   static_cast<long long>(visitor.by_reason[r] / iters));
    }
    std::fprintf(stderr, ")\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  for (const CorpusSpec& spec : kSpecs) {
    benchmark::RegisterBenchmark((std::string("BM_Parse/") + spec.label).c_str(),
                                 [&spec](benchmark::State& st) { BM_Parse(st, spec); })
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// Throughput of the VADER engine, one thread: texts/s over a file of texts (one per line),
// best of several rounds (CPU time), plus the heap allocations counted in the measured rounds (the
// engine should make none once its buffers are warm). bench_vader.py runs it next to
// vaderSentiment on the same texts and prints the ratio.
//
//   bench_vader VADER_LEXICON EMOJI_LEXICON TEXTS [ROUNDS]
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include "operators/score/vader.h"

namespace {
std::size_t g_allocations = 0;

// CPU time of this thread: the development machines are shared, and wall time would
// count the time other processes hold the core (Python's side uses process_time too).
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
}  // namespace

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s VADER_LEXICON EMOJI_LEXICON TEXTS [ROUNDS]\n", argv[0]);
    return 2;
  }
  using sentistream::vader::VaderAnalyzer;
  using sentistream::vader::VaderLexicon;
  std::shared_ptr<const VaderLexicon> lexicon;
  try {
    lexicon = VaderLexicon::load(argv[1], argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_vader: %s\n", e.what());
    return 2;
  }
  std::ifstream in(argv[3], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "bench_vader: cannot open %s\n", argv[3]);
    return 2;
  }
  std::vector<std::string> texts;
  std::size_t bytes = 0;
  for (std::string line; std::getline(in, line);) {
    bytes += line.size();
    texts.push_back(std::move(line));
  }
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 100;
  VaderAnalyzer analyzer(lexicon);
  double checksum = 0;
  for (const auto& t : texts) checksum += analyzer.polarity_scores(t).compound;  // warm-up
  double best = 1e300;
  const std::size_t allocations_before = g_allocations;
  for (int r = 0; r < rounds; ++r) {
    const double t0 = cpu_seconds();
    for (const auto& t : texts) checksum += analyzer.polarity_scores(t).compound;
    const double s = cpu_seconds() - t0;
    if (s < best) best = s;
  }
  const std::size_t allocations = g_allocations - allocations_before;
  std::printf(
      "{\"texts\":%zu,\"bytes\":%zu,\"best_seconds\":%.6f,\"texts_per_second\":%.0f,"
      "\"mb_per_second\":%.1f,\"allocations_in_measured_rounds\":%zu,\"checksum\":%.4f}\n",
      texts.size(), bytes, best, static_cast<double>(texts.size()) / best,
      static_cast<double>(bytes) / best / 1e6, allocations, checksum);
  return 0;
}

// libFuzzer target: arbitrary bytes -> Scorer::score with the built-in lexicons.
// The first byte picks the language hint and whether explain is on; the rest is the
// text. Beyond the sanitizers, it checks the score's invariants and traps on a violation.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "config/builtin_lexicons.h"
#include "operators/score/scorer.h"

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static sentistream::Scorer scorer(sentistream::builtin_lexicon());
  static sentistream::Scorer chain_scorer(sentistream::builtin_lexicon(),
                                          sentistream::ScoreOptions{.score_repost_chain = true});
  static std::vector<sentistream::ExplainItem> explain;
  if (size == 0) return 0;
  static constexpr std::string_view kHints[] = {"", "en", "zh", "und", "ja", "zh-Hant", "x", ""};
  const uint8_t control = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  sentistream::Scorer& s = (control & 0x10) ? chain_scorer : scorer;
  explain.clear();
  const sentistream::Score r =
      s.score(text, kHints[control & 7], (control & 8) ? &explain : nullptr);
  require(std::isfinite(r.compound) && r.compound >= -1 && r.compound <= 1);
  const double shares = r.pos + r.neu + r.neg;
  require(shares == 0 || std::fabs(shares - 1) < 1e-6);
  if (control & 8) {  // explain must not change the result
    const sentistream::Score plain = s.score(text, kHints[control & 7]);
    require(plain.compound == r.compound && plain.marker_hits == r.marker_hits);
  }
  return 0;
}

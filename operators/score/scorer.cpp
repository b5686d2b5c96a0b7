// Scorer: normalise -> language -> scan -> rules, on per-Scorer scratch buffers.
#include "operators/score/scorer.h"

#include <stdexcept>

#include "operators/score/lang_detect.h"
#include "operators/score/lexicon_impl.h"
#include "operators/score/normalize.h"
#include "operators/score/rules.h"
#include "operators/score/scan.h"

namespace sentistream {

// Buffers reused across calls: after warm-up (the largest text seen so far), score()
// allocates nothing unless explain is requested.
struct Scorer::Scratch {
  score::NormalizedText text;
  std::vector<score::Event> events;
  std::vector<score::MarkerHit> marker_hits;  // marker matches, decided after the scan
  std::string variant;                        // 1-letter form of an elongated word
};

Scorer::Scorer(std::shared_ptr<const Lexicon> lexicon, ScoreOptions opts)
    : lexicon_(std::move(lexicon)), opts_(opts), scratch_(std::make_unique<Scratch>()) {
  if (!lexicon_) throw std::invalid_argument("Scorer: null lexicon");
  scratch_->text.buf.resize(4096);
  scratch_->text.elongations.reserve(64);
  scratch_->events.reserve(256);
  scratch_->marker_hits.reserve(64);
  scratch_->variant.reserve(256);
}

Scorer::~Scorer() = default;

Score Scorer::score(std::string_view text, std::string_view lang_hint,
                    std::vector<ExplainItem>* explain) {
  Scratch& s = *scratch_;
  const Lexicon::Impl& lex = lexicon_->impl();
  score::normalize(text, score::NormalizeOptions{.keep_repost_chain = opts_.score_repost_chain},
                   s.text);

  Score out;
  out.lang = score::lang_from_hint(lang_hint);
  if (out.lang == 0) out.lang = score::lang_from_scripts(s.text.scripts);

  const score::ScanResult scan =
      score::scan(lex, s.text, s.events, s.marker_hits, s.variant, explain);
  out.marker_hits = scan.marker_hits;

  score::RuleInput in;
  in.events = s.events;
  in.tokens = scan.tokens;
  in.exclaims = s.text.exclaims;
  in.text_has_lower = s.text.lower_letters > 0;
  in.text = s.text.view();
  score::apply_rules(lex, in, out, explain);
  return out;
}

}  // namespace sentistream

// The scanner: runs the matcher over normalised text and turns it into tokens, sentiment
// events and marker hits. Internal to operators/score.
//
// Candidate positions are word starts (a word is a run of ASCII letters/digits and
// 2-byte letters such as é) and every code point outside words; at each, one trie walk
// gives the longest term ending on a valid boundary (a term whose last character is a
// word character must not be followed by one). Two independent greedy leftmost-longest
// streams share that walk:
// - the sentiment stream (sentiment words, emoji, negators, degree and contrast words):
//   a match consumes its span, so "不错" is one positive term, not 不 + 错;
// - the marker stream: marker terms, consumed only against each other, so a marker
//   phrase and a sentiment word that overlap are both found.
// Tokens (for rule windows and the neutral share) are counted on the sentiment stream:
// a matched term, an unmatched word, or an unmatched CJK character (Han, kana, hangul)
// is one token; spaces, punctuation and unmatched symbols/emoji are not. Unmatched
// . , ; : ! ? 、 。 … and contrast words close a clause: rule windows do not cross them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "operators/post.h"
#include "operators/score/lexicon_impl.h"
#include "operators/score/normalize.h"

namespace sentistream::score {

// One sentiment-stream match.
struct Event {
  uint32_t term;    // index into Lexicon::Impl::terms
  uint32_t token;   // token index (events of one text have strictly increasing tokens)
  uint32_t clause;  // clause index
  uint32_t begin;   // span in the normalised text
  uint32_t end;
  bool caps;  // all letters upper case, at least two of them
};

// One marker-stream match, kept until the end of the scan decides which categories fire.
struct MarkerHit {
  uint32_t term;
  // Position in half-words at the match: each earlier word or matched term adds 2, each
  // unmatched CJK character 1 (context windows are counted in words).
  uint32_t pos;
  uint32_t begin;  // span in the normalised text
  uint32_t end;
  uint16_t context_ok = 0;  // bit c: an anchor/cue of category c is within its window
};

struct ScanResult {
  uint32_t tokens = 0;
  // Per category: the number of counted hits when the category fired, else 0.
  std::array<uint16_t, kMaxMarkerCategories> marker_hits{};
};

// Scans `text`; `events`, `hits` and `variant` are caller-owned scratch (cleared here).
// Marker hits and the per-category decisions are appended to `explain` when it is non-null.
ScanResult scan(const Lexicon::Impl& lex, const NormalizedText& text, std::vector<Event>& events,
                std::vector<MarkerHit>& hits, std::string& variant,
                std::vector<ExplainItem>* explain);

}  // namespace sentistream::score

// Lexicon::Impl: the merged, immutable term table and its matcher. Internal to
// operators/score; shared read-only by every Scorer (and thread).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "operators/score/matcher.h"
#include "operators/score/scorer.h"

namespace sentistream::score {

// What a term does; one term (one matcher key) may have several roles, e.g. a word
// that is both a sentiment word and a marker, or a built-in rule word also in degree.tsv.
enum TermRole : uint8_t {
  kValence = 1 << 0,    // sentiment.*.tsv / emoji.tsv
  kNegator = 1 << 1,    // negators.tsv
  kDegree = 1 << 2,     // degree.tsv
  kContrast = 1 << 3,   // contrast.tsv
  kNegAfter = 1 << 4,   // built in: "at all" after a negated word intensifies the negation
  kNegBefore = 1 << 5,  // built in: 根本/一点也 right before a negator intensifies it
  kNegStrong = 1 << 6,  // negator that is itself intensified (根本不, 绝不, 一点也不)
};
// Roles taking part in sentiment scoring (the sentiment stream of the scanner).
inline constexpr uint8_t kSentimentRoles =
    kValence | kNegator | kDegree | kContrast | kNegAfter | kNegBefore;

enum TermFlag : uint8_t {
  kEndBoundary = 1 << 0,  // last character is a word character: needs a word end after it
  kHasLatin = 1 << 1,     // contains ASCII letters: caps emphasis applies
  kEmoji = 1 << 2,        // valence came from emoji.tsv (explain kind "emoji")
};

// The matcher's value for a term: its index in Lexicon::Impl::terms, plus copies of the
// bits the scanner tests at every prefix match of a trie walk, so that a walk touches the
// term table only for the term it finally keeps.
inline constexpr uint32_t kValueTermMask = (1u << 27) - 1;
inline constexpr uint32_t kValueContrast = 1u << 27;     // TermRec::roles & kContrast
inline constexpr uint32_t kValueHasLatin = 1u << 28;     // TermRec::flags & kHasLatin
inline constexpr uint32_t kValueEndBoundary = 1u << 29;  // TermRec::flags & kEndBoundary
inline constexpr uint32_t kValueSentiment = 1u << 30;    // TermRec::roles & kSentimentRoles
inline constexpr uint32_t kValueMarker = 1u << 31;       // TermRec::markers != 0

// Hot per-term data, indexed by the matcher's value.
struct TermRec {
  float valence = 0;
  float degree = 0;      // booster (> 0) or dampener (< 0) factor
  uint16_t markers = 0;  // bit i = marker category i
  uint8_t roles = 0;
  uint8_t flags = 0;
};

inline uint32_t matcher_value(uint32_t term, const TermRec& r) {
  return term | ((r.roles & kContrast) ? kValueContrast : 0) |
         ((r.flags & kHasLatin) ? kValueHasLatin : 0) |
         ((r.flags & kEndBoundary) ? kValueEndBoundary : 0) |
         ((r.roles & kSentimentRoles) ? kValueSentiment : 0) | (r.markers ? kValueMarker : 0);
}

}  // namespace sentistream::score

namespace sentistream {

struct Lexicon::Impl {
  std::vector<score::TermRec> terms;
  std::vector<std::string> keys;  // normalised text of each term (explain, tests)
  score::Matcher matcher;
  std::vector<std::string> categories;  // marker categories, sorted
  // Per category (same index): when it fires (config/lexicons/README.md, "Marker rules").
  struct MarkerRule {
    int32_t threshold_milli = 0;  // fires when the counted weight sum >= this (0: any hit)
    uint32_t window = 8;          // tokens between a context entry and an anchor
  };
  std::vector<MarkerRule> marker_rules;
  // One (term, category) marker entry; a term's entries are
  // marker_entries[marker_begin[term] .. marker_begin[term + 1]).
  enum class MarkerKind : uint8_t { cue, context, anchor, exclude };
  struct MarkerEntry {
    uint32_t term;
    uint8_t category;
    MarkerKind kind;
    int16_t weight_milli;  // weight x 1000, exact integer sums; negative for exclude
  };
  std::vector<MarkerEntry> marker_entries;
  std::vector<uint32_t> marker_begin;  // terms.size() + 1 offsets
  std::size_t file_terms = 0;          // distinct terms from the files (no built-ins)
};

}  // namespace sentistream

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
  // Marker weights by (term, category): informational (explain only), hits are counts.
  std::unordered_map<uint64_t, float> marker_weights;
  static uint64_t weight_key(uint32_t term, std::size_t category) {
    return (static_cast<uint64_t>(term) << 8) | category;
  }
  std::size_t file_terms = 0;  // distinct terms from the files (no built-ins)
};

}  // namespace sentistream

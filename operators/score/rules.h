// Scoring rules over the scanner's events: VADER-like in spirit (not a port of its
// code). Internal to operators/score; the constants are documented in README.md.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "operators/post.h"
#include "operators/score/lexicon_impl.h"
#include "operators/score/scan.h"

namespace sentistream::score {

inline constexpr double kNegationScalar = -0.74;       // a negator flips and dampens
inline constexpr double kStrongNegationScalar = -1.0;  // "not ... at all", 根本不: no dampening
inline constexpr uint32_t kWindowTokens = 3;           // negators/degree words this far back
inline constexpr double kDegreeDecay[kWindowTokens + 1] = {0, 1.0, 0.95, 0.9};  // by distance
inline constexpr double kContrastBefore = 0.5;  // terms before the (last) contrast word
inline constexpr double kContrastAfter = 1.5;   // terms after it
inline constexpr double kCapsIncrement = 0.733;
inline constexpr double kExclaimIncrement = 0.292;
inline constexpr uint32_t kMaxExclaims = 4;
inline constexpr double kAlpha = 15;  // compound = x / sqrt(x^2 + alpha)
inline constexpr double kLabelThreshold = 0.05;

// Rule words that are code, not data (the lexicon format has no column for them). They
// enter the matcher with the lexicon's terms; a lexicon term with the same text keeps its
// own roles too.
struct BuiltinTerm {
  std::string_view text;
  uint8_t role;  // kNegAfter or kNegBefore
};
std::span<const BuiltinTerm> builtin_rule_terms();
// A negator that starts like 根本不, 一点也不, 绝不, 毫不 is intensified by itself.
bool is_strong_negator(std::string_view key);

struct RuleInput {
  std::span<const Event> events;
  uint32_t tokens = 0;
  uint32_t exclaims = 0;
  bool text_has_lower = false;  // caps emphasis needs a text that is not all caps
  std::string_view text;        // normalised text (explain only)
};

// Fills compound, pos/neu/neg and label of `out`; appends explain items when asked.
void apply_rules(const Lexicon::Impl& lex, const RuleInput& in, Score& out,
                 std::vector<ExplainItem>* explain);

}  // namespace sentistream::score

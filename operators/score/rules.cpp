#include "operators/score/rules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <string>

namespace sentistream::score {
namespace {

constexpr BuiltinTerm kBuiltinTerms[] = {
    {"at all", kNegAfter},    {"whatsoever", kNegAfter}, {"in the least", kNegAfter},
    {"根本", kNegBefore},     {"一点也", kNegBefore},    {"一点都", kNegBefore},
    {"一点儿也", kNegBefore}, {"一点儿都", kNegBefore},  {"压根", kNegBefore},
    {"丝毫", kNegBefore},     {"完全", kNegBefore},      {"绝对", kNegBefore},
};

constexpr std::string_view kStrongNegatorPrefixes[] = {"根本", "一点", "压根", "丝毫",
                                                       "毫",   "绝",   "决",   "完全"};

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// Explain notes (slow path). Appends rather than chains operator+, which trips a GCC 12
// -Wrestrict false positive.
std::string concat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out += p;
  return out;
}

std::string_view span_of(const RuleInput& in, const Event& e) {
  return in.text.substr(e.begin, e.end - e.begin);
}

void add_item(std::vector<ExplainItem>& out, const char* kind, std::string_view text, double value,
              std::string note) {
  out.push_back(ExplainItem{kind, std::string(text), value, std::move(note)});
}

}  // namespace

std::span<const BuiltinTerm> builtin_rule_terms() {
  return kBuiltinTerms;
}

bool is_strong_negator(std::string_view key) {
  for (std::string_view p : kStrongNegatorPrefixes)
    if (key.size() > p.size() && key.starts_with(p)) return true;
  return false;
}

void apply_rules(const Lexicon::Impl& lex, const RuleInput& in, Score& out,
                 std::vector<ExplainItem>* explain) {
  const std::span<const Event> ev = in.events;
  const TermRec* terms = lex.terms.data();
  const std::size_t n = ev.size();

  // The last contrast word splits the text into a weaker and a stronger part. Texts
  // without negators and degree words (most) skip the rule windows: nothing in them
  // would apply.
  std::size_t contrast = n;
  uint8_t roles = 0;
  for (std::size_t k = n; k-- > 0;) {
    const uint8_t r = terms[ev[k].term].roles;
    if ((r & kContrast) && contrast == n) contrast = k;
    roles |= r;
  }
  const bool windows = (roles & (kNegator | kDegree)) != 0;

  double sum = 0, pos = 0, neg = 0;
  uint32_t valence_terms = 0, zero_terms = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const Event& e = ev[k];
    const TermRec& r = terms[e.term];
    if (!(r.roles & kValence)) continue;
    // A word that is both a sentiment word and a degree word (好, 真心: "good" / "very")
    // is an adverb when a sentiment word follows it directly (好累 "so tired", 真心好
    // "truly good"): then it only boosts that word, and its own valence would count the
    // same evidence twice (or, in 好累, with the wrong sign).
    if ((r.roles & kDegree) && k + 1 < n && ev[k + 1].token == e.token + 1 &&
        ev[k + 1].clause == e.clause && (terms[ev[k + 1].term].roles & kValence)) {
      if (explain)
        add_item(*explain, "adverb", span_of(in, e), r.degree,
                 concat({"degree word before '", span_of(in, ev[k + 1]), "', no own valence"}));
      continue;
    }
    ++valence_terms;
    double v = r.valence;
    if (explain)
      add_item(*explain, (r.flags & kEmoji) ? "emoji" : "term", span_of(in, e), v,
               "valence " + fmt(v));

    if (e.caps && in.text_has_lower && v != 0) {
      v += v > 0 ? kCapsIncrement : -kCapsIncrement;
      if (explain)
        add_item(*explain, "caps", span_of(in, e), kCapsIncrement, "all caps -> " + fmt(v));
    }

    if (windows) {
      // Window: events of the same clause at most kWindowTokens tokens back. Tokens strictly
      // increase, so this visits at most kWindowTokens events.
      std::size_t lo = k;
      while (lo > 0 && e.token - ev[lo - 1].token <= kWindowTokens && ev[lo - 1].clause == e.clause)
        --lo;
      // "at all" (whatsoever, ...) within the window after the word.
      bool strong_after = false;
      for (std::size_t j = k + 1;
           j < n && ev[j].token - e.token <= kWindowTokens && ev[j].clause == e.clause; ++j)
        if (terms[ev[j].term].roles & kNegAfter) strong_after = true;

      // Negators and the intensifiers right before them (根本 不 好): an intensifier used
      // that way is not also a degree word.
      bool strong[kWindowTokens] = {};
      bool intensifier[kWindowTokens] = {};
      bool nearest_negator = true;
      for (std::size_t j = k; j-- > lo;) {
        if (!(terms[ev[j].term].roles & kNegator)) continue;
        bool s = terms[ev[j].term].roles & kNegStrong;
        if (j > lo && (terms[ev[j - 1].term].roles & kNegBefore) &&
            ev[j - 1].token + 1 == ev[j].token) {
          s = true;
          intensifier[j - 1 - lo] = true;
        }
        if (nearest_negator && strong_after) s = true;
        nearest_negator = false;
        strong[j - lo] = s;
      }

      for (std::size_t j = lo; j < k; ++j) {
        const TermRec& d = terms[ev[j].term];
        if (!(d.roles & kDegree) || intensifier[j - lo]) continue;
        const uint32_t dist = e.token - ev[j].token;
        const double scalar = d.degree * kDegreeDecay[dist];
        v += v >= 0 ? scalar : -scalar;
        if (explain)
          add_item(*explain, "booster", span_of(in, ev[j]), scalar,
                   concat({"on '", span_of(in, e), "' (distance ", std::to_string(dist), ") -> ",
                           fmt(v)}));
      }
      for (std::size_t j = k; j-- > lo;) {
        if (!(terms[ev[j].term].roles & kNegator)) continue;
        const double scalar = strong[j - lo] ? kStrongNegationScalar : kNegationScalar;
        v *= scalar;
        if (explain)
          add_item(*explain, "negation", span_of(in, ev[j]), scalar,
                   concat({strong[j - lo] ? "intensified, negates '" : "negates '", span_of(in, e),
                           "' -> ", fmt(v)}));
      }
    }

    if (contrast < n && k != contrast) {
      const double w = k < contrast ? kContrastBefore : kContrastAfter;
      v *= w;
      if (explain)
        add_item(
            *explain, "contrast", span_of(in, ev[contrast]), w,
            concat({"'", span_of(in, e), k < contrast ? "' before -> " : "' after -> ", fmt(v)}));
    }

    sum += v;
    if (v > 0) {
      pos += v + 1;
    } else if (v < 0) {
      neg += -v + 1;
    } else {
      ++zero_terms;
    }
  }

  // Tokens that carry no sentiment (plain words and characters, negators, degree and
  // contrast words, valence terms that ended at 0) count as neutral.
  const double neu = static_cast<double>(in.tokens - valence_terms + zero_terms);

  if (in.exclaims > 0 && sum != 0) {
    const double amp = std::min(in.exclaims, kMaxExclaims) * kExclaimIncrement;
    const double before = sum;
    sum += sum > 0 ? amp : -amp;
    if (pos > neg) {
      pos += amp;
    } else if (neg > pos) {
      neg += amp;
    }
    if (explain)
      add_item(
          *explain, "exclaim", std::string(std::min(in.exclaims, kMaxExclaims), '!'), amp,
          concat({std::to_string(in.exclaims), " marks, sum ", fmt(before), " -> ", fmt(sum)}));
  }

  out.compound = std::clamp(sum / std::sqrt(sum * sum + kAlpha), -1.0, 1.0);
  const double total = pos + neg + neu;
  if (total > 0) {
    out.pos = pos / total;
    out.neg = neg / total;
    out.neu = neu / total;
  } else {
    out.pos = out.neg = out.neu = 0;
  }
  out.label = out.compound >= kLabelThreshold    ? Label::positive
              : out.compound <= -kLabelThreshold ? Label::negative
                                                 : Label::neutral;
}

}  // namespace sentistream::score

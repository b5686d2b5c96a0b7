#include "operators/score/scan.h"

#include <algorithm>
#include <limits>

#include "operators/score/utf8.h"

namespace sentistream::score {
namespace {

// The scanner reads past the end of the text: word filters load 8 bytes, code points 4.
static_assert(NormalizedText::kTail >= kFilterPadding + 4);

inline bool is_all_caps(const unsigned char* p, const unsigned char* e) {
  int upper = 0;
  for (; p < e; ++p) {
    if (*p >= 'a' && *p <= 'z') return false;
    upper += (*p >= 'A' && *p <= 'Z');
  }
  return upper >= 2;
}

class Scanner {
 public:
  Scanner(const Lexicon::Impl& lex, const NormalizedText& text, std::vector<Event>& events,
          std::string& variant, std::vector<ExplainItem>* explain)
      : lex_(lex),
        m_(lex.matcher),
        terms_(lex.terms.data()),
        t_(text.data()),
        n_(text.size),
        elong_(text.elongations),
        events_(events),
        variant_(variant),
        explain_(explain) {
    next_elong_ = elong_.empty() ? SIZE_MAX : elong_[0];
    events_.clear();
  }

  ScanResult run() {
    const unsigned char* const t = t_;
    const std::size_t n = n_;
    std::size_t i = 0;
    while (i < n) {
      const unsigned char b = t[i];
      // Fast path for Han (U+4000..U+9FFF) while both streams look: most characters
      // start no term and are one neutral token each.
      if (b >= 0xE4 && b <= 0xE9 && i >= both_next_) {
        const uint32_t cp = ((b & 0x0Fu) << 12) | ((t[i + 1] & 0x3Fu) << 6) | (t[i + 2] & 0x3Fu);
        if (m_.may_start_cp(cp) &&
            (m_.is_single_cp(cp) || m_.may_start_cp_pair(cp, folded_code_point(t + i + 3)))) {
          match(i, i + 3, false, true, true);
        } else {
          ++token_;
        }
        i += 3;
        continue;
      }
      const uint8_t cls = kByteClass[b];
      if (cls == kSpace) {
        ++i;
        continue;
      }
      const bool s_ok = i >= sent_next_;
      const bool m_ok = i >= mark_next_;
      if (cls == kWord) {
        std::size_t we;
        uint64_t h;
        if (i == next_run_) {  // computed as the second run of the previous word
          we = next_run_end_;
          h = next_run_hash_;
        } else {
          we = static_cast<std::size_t>(word_run_end(t + i, t + n) - t);
          h = word_run_hash(t + i, we - i);
        }
        if (!s_ok) {
          if (m_ok && (m_.may_start_marker_word(h) || elongated(i, we)))
            match(i, we, true, false, true);
        } else {
          bool may = m_.may_start_word(h) || elongated(i, we);
          if (!may && we + 1 < n && t[we] < 0x80 && kByteClass[t[we + 1]] == kWord) {
            next_run_ = we + 1;
            next_run_end_ = static_cast<std::size_t>(word_run_end(t + we + 1, t + n) - t);
            next_run_hash_ = word_run_hash(t + we + 1, next_run_end_ - we - 1);
            may = m_.may_start_word_pair(word_pair_key(h, t[we], next_run_hash_));
          }
          if (may) {
            match(i, we, true, true, m_ok);
          } else {
            ++token_;
          }
        }
        i = we + (t[we] == ' ');  // the usual single space between words (t[n] == 0)
        continue;
      }
      std::size_t unit = utf8_len(b);
      const uint32_t cp = folded_code_point(t + i);
      // A flag is a pair of regional indicators: never start a match at its second half.
      if (is_regional_indicator(cp) && i + 8 <= n &&
          is_regional_indicator(folded_code_point(t + i + 4)))
        unit = 8;
      if (!s_ok) {
        if (m_ok && m_.may_start_marker_cp(cp)) match(i, i + unit, false, false, true);
      } else {
        const std::size_t len1 = utf8_len(b);
        if (m_.may_start_cp(cp) &&
            (m_.is_single_cp(cp) ||
             (i + len1 < n && m_.may_start_cp_pair(cp, folded_code_point(t + i + len1))))) {
          match(i, i + unit, false, true, m_ok);
        } else {
          count_unmatched(cls, cp);
        }
      }
      i += unit;
    }
    res_.tokens = token_;
    return res_;
  }

 private:
  // The word [i, we) contains a collapsed elongation (its 1-letter form may match).
  bool elongated(std::size_t i, std::size_t we) {
    if (next_elong_ >= we) return false;  // the usual case: none before the word's end
    while (next_elong_ < i) {
      ++elong_cur_;
      next_elong_ = elong_cur_ < elong_.size() ? elong_[elong_cur_] : SIZE_MAX;
    }
    return next_elong_ < we;
  }

  // Token or clause accounting for an unmatched non-word unit (byte class, code point).
  void count_unmatched(uint8_t cls, uint32_t cp) {
    if (cls == kClause) {
      ++clause_;
    } else if (cp >= 0x3000) {
      if (is_cjk_letter(cp)) {
        ++token_;
      } else if (is_clause_mark(cp)) {
        ++clause_;
      }
    } else if (cp == 0x2026) {
      ++clause_;
    }
  }

  // A candidate that passed the start filters: walk the trie (and the 1-letter form of
  // an elongated word), then update both streams.
  // The walk starts at t + i + skip in trie state `state` (the root, or the state after
  // the first `skip` bytes).
  [[gnu::noinline]] void match(std::size_t i, std::size_t unit_end, bool word, bool s_ok, bool m_ok,
                               int32_t state = 0, std::size_t skip = 0) {
    const unsigned char* const t = t_;
    const std::size_t n = n_;
    uint32_t best_s = Matcher::kNone, best_m = Matcher::kNone;
    std::size_t end_s = 0, end_m = 0;
    // The value carries the term's boundary/role bits: no term table access per prefix.
    m_.walk_from(state, t + i + skip, t + n, [&](const unsigned char* e, uint32_t v) {
      const auto pe = static_cast<std::size_t>(e - t);
      if ((v & kValueEndBoundary) && pe < n && kByteClass[t[pe]] == kWord) return;
      if (s_ok && (v & kValueSentiment)) {
        best_s = v;
        end_s = pe;
      }
      if (m_ok && (v & kValueMarker)) {
        best_m = v & kValueTermMask;
        end_m = pe;
      }
    });

    // Elongated word with no match in its 2-letter form ("haappy"): try the 1-letter form.
    if (word && ((s_ok && best_s == Matcher::kNone) || (m_ok && best_m == Matcher::kNone)) &&
        elongated(i, unit_end)) {
      variant_.clear();
      std::size_t k = elong_cur_;
      for (std::size_t p = i; p < unit_end; ++p) {
        if (k < elong_.size() && elong_[k] == p) {
          ++k;
          continue;
        }
        variant_.push_back(static_cast<char>(t[p]));
      }
      const auto* vb = reinterpret_cast<const unsigned char*>(variant_.data());
      const auto* ve = vb + variant_.size();
      m_.walk(vb, ve, [&](const unsigned char* e, uint32_t v) {
        if (e != ve) return;  // the whole word only
        if (s_ok && best_s == Matcher::kNone && (v & kValueSentiment)) {
          best_s = v;
          end_s = unit_end;
        }
        if (m_ok && best_m == Matcher::kNone && (v & kValueMarker)) {
          best_m = v & kValueTermMask;
          end_m = unit_end;
        }
      });
    }

    if (best_m != Matcher::kNone) {
      const uint16_t mask = terms_[best_m].markers;
      for (std::size_t c = 0; c < static_cast<std::size_t>(kMaxMarkerCategories); ++c)
        if ((mask & (1u << c)) && res_.marker_hits[c] < std::numeric_limits<uint16_t>::max())
          ++res_.marker_hits[c];
      mark_next_ = end_m;
      both_next_ = std::max(sent_next_, mark_next_);
      if (explain_) explain_markers(best_m, i, end_m);
    }

    if (!s_ok) return;
    if (best_s != Matcher::kNone) {  // a full matcher value: term index and role bits
      const bool caps = (best_s & kValueHasLatin) && is_all_caps(t + i, t + end_s);
      events_.push_back(Event{best_s & kValueTermMask, token_++, clause_, static_cast<uint32_t>(i),
                              static_cast<uint32_t>(end_s), caps});
      sent_next_ = end_s;
      both_next_ = std::max(sent_next_, mark_next_);
      if (best_s & kValueContrast) ++clause_;  // "very good but nice": 'very' stops at 'but'
    } else if (word) {
      ++token_;
    } else {
      count_unmatched(kByteClass[t[i]], folded_code_point(t + i));
    }
  }

  void explain_markers(uint32_t term, std::size_t begin, std::size_t end) {
    const std::string_view span(reinterpret_cast<const char*>(t_ + begin), end - begin);
    const uint16_t mask = terms_[term].markers;
    for (std::size_t c = 0; c < lex_.categories.size(); ++c) {
      if (!(mask & (1u << c))) continue;
      const auto w = lex_.marker_weights.find(Lexicon::Impl::weight_key(term, c));
      explain_->push_back(ExplainItem{"marker", std::string(span),
                                      w == lex_.marker_weights.end() ? 1.0 : w->second,
                                      "category=" + lex_.categories[c]});
    }
  }

  const Lexicon::Impl& lex_;
  const Matcher& m_;
  const TermRec* terms_;
  const unsigned char* t_;
  std::size_t n_;
  const std::vector<uint32_t>& elong_;
  std::size_t elong_cur_ = 0;
  std::size_t next_elong_;  // elong_[elong_cur_], SIZE_MAX past the end
  std::vector<Event>& events_;
  std::string& variant_;
  std::vector<ExplainItem>* explain_;

  // The word run after the current one, when the pair filter needed it.
  std::size_t next_run_ = SIZE_MAX, next_run_end_ = 0;
  uint64_t next_run_hash_ = 0;

  ScanResult res_;
  std::size_t sent_next_ = 0, mark_next_ = 0;  // each stream is blocked before its position
  std::size_t both_next_ = 0;                  // max of the two: both streams look from here
  uint32_t token_ = 0, clause_ = 0;
};

}  // namespace

ScanResult scan(const Lexicon::Impl& lex, const NormalizedText& text, std::vector<Event>& events,
                std::string& variant, std::vector<ExplainItem>* explain) {
  return Scanner(lex, text, events, variant, explain).run();
}

}  // namespace sentistream::score

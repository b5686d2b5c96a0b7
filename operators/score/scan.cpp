#include "operators/score/scan.h"

#include <algorithm>
#include <cstdio>
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
          std::vector<MarkerHit>& hits, std::string& variant, std::vector<ExplainItem>* explain)
      : lex_(lex),
        m_(lex.matcher),
        terms_(lex.terms.data()),
        t_(text.data()),
        n_(text.size),
        elong_(text.elongations),
        events_(events),
        hits_(hits),
        variant_(variant),
        explain_(explain) {
    next_elong_ = elong_.empty() ? SIZE_MAX : elong_[0];
    events_.clear();
    hits_.clear();
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
          ++cjk_;
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
    if (!hits_.empty()) decide_markers();
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
        ++cjk_;
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
      // Position in half-words: a word or matched term is 2, an unmatched CJK character 1
      // (one Chinese word is about two characters), so windows mean the same in en and zh.
      hits_.push_back(MarkerHit{best_m, 2 * token_ - cjk_, static_cast<uint32_t>(i),
                                static_cast<uint32_t>(end_m)});
      mark_next_ = end_m;
      both_next_ = std::max(sent_next_, mark_next_);
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

  // Decides which marker categories fire (config/lexicons/README.md, "Marker rules"): a
  // context entry counts only with an anchor or cue of its category within the category's
  // window (in words, either side; two unmatched CJK characters count as one word); counted weights
  // are summed per category in integer thousandths; a category fires when the sum is positive and
  // reaches its threshold. Two passes find the nearest anchor/cue before and after each hit, one
  // more sums: linear in the number of hits, no allocation.
  void decide_markers() {
    using MK = Lexicon::Impl::MarkerKind;
    const auto& entries = lex_.marker_entries;
    const auto& begin = lex_.marker_begin;
    const auto& rules = lex_.marker_rules;
    constexpr int64_t kFar = int64_t{1} << 40;
    std::array<int64_t, kMaxMarkerCategories> anchor{};
    anchor.fill(-kFar);
    for (MarkerHit& h : hits_) {
      for (uint32_t k = begin[h.term]; k < begin[h.term + 1]; ++k) {
        const auto& e = entries[k];
        if (e.kind == MK::anchor || e.kind == MK::cue) anchor[e.category] = h.pos;
        if (e.kind == MK::context && h.pos - anchor[e.category] <= 2 * rules[e.category].window)
          h.context_ok |= static_cast<uint16_t>(1u << e.category);
      }
    }
    anchor.fill(kFar);
    for (auto it = hits_.rbegin(); it != hits_.rend(); ++it) {
      for (uint32_t k = begin[it->term]; k < begin[it->term + 1]; ++k) {
        const auto& e = entries[k];
        if (e.kind == MK::anchor || e.kind == MK::cue) anchor[e.category] = it->pos;
        if (e.kind == MK::context && anchor[e.category] - it->pos <= 2 * rules[e.category].window)
          it->context_ok |= static_cast<uint16_t>(1u << e.category);
      }
    }
    std::array<int64_t, kMaxMarkerCategories> sum{};
    std::array<uint32_t, kMaxMarkerCategories> counted{};
    std::array<bool, kMaxMarkerCategories> seen{};
    for (const MarkerHit& h : hits_) {
      for (uint32_t k = begin[h.term]; k < begin[h.term + 1]; ++k) {
        const auto& e = entries[k];
        const bool counts = e.kind != MK::context || (h.context_ok & (1u << e.category));
        seen[e.category] = true;
        if (counts) {
          sum[e.category] += e.weight_milli;
          if (e.weight_milli > 0) ++counted[e.category];
        }
        if (explain_) explain_hit(h, e, counts);
      }
    }
    for (std::size_t c = 0; c < rules.size(); ++c) {
      const bool fired = sum[c] > 0 && sum[c] >= rules[c].threshold_milli;
      if (fired)
        res_.marker_hits[c] = static_cast<uint16_t>(
            std::min<uint32_t>(counted[c], std::numeric_limits<uint16_t>::max()));
      if (explain_ && seen[c]) explain_category(c, sum[c], counted[c], fired);
    }
  }

  void explain_hit(const MarkerHit& h, const Lexicon::Impl::MarkerEntry& e, bool counts) {
    using MK = Lexicon::Impl::MarkerKind;
    static constexpr const char* kKind[] = {"cue", "context", "anchor", "exclude"};
    std::string note =
        "category=" + lex_.categories[e.category] + " kind=" + kKind[static_cast<int>(e.kind)];
    if (e.kind == MK::context) {
      note += counts ? " counted: anchor/cue within " : " not counted: no anchor/cue within ";
      note += std::to_string(lex_.marker_rules[e.category].window) + " words";
    } else if (e.kind == MK::exclude) {
      note += " subtracts";
    }
    const std::string_view span(reinterpret_cast<const char*>(t_ + h.begin), h.end - h.begin);
    explain_->push_back(ExplainItem{"marker", std::string(span), e.weight_milli / 1000.0, note});
  }

  void explain_category(std::size_t c, int64_t sum, uint32_t counted, bool fired) {
    const int32_t threshold = lex_.marker_rules[c].threshold_milli;
    char buf[96];
    if (threshold > 0) {
      std::snprintf(buf, sizeof buf, "threshold=%.3f %s, %u counted hits", threshold / 1000.0,
                    fired ? "fired" : "not fired", counted);
    } else {
      std::snprintf(buf, sizeof buf, "threshold=any hit %s, %u counted hits",
                    fired ? "fired" : "not fired", counted);
    }
    explain_->push_back(ExplainItem{"marker_category", lex_.categories[c], sum / 1000.0, buf});
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
  std::vector<MarkerHit>& hits_;
  std::string& variant_;
  std::vector<ExplainItem>* explain_;

  // The word run after the current one, when the pair filter needed it.
  std::size_t next_run_ = SIZE_MAX, next_run_end_ = 0;
  uint64_t next_run_hash_ = 0;

  ScanResult res_;
  std::size_t sent_next_ = 0, mark_next_ = 0;  // each stream is blocked before its position
  std::size_t both_next_ = 0;                  // max of the two: both streams look from here
  uint32_t token_ = 0, clause_ = 0;
  uint32_t cjk_ = 0;  // tokens that are unmatched CJK characters (marker positions)
};

}  // namespace

ScanResult scan(const Lexicon::Impl& lex, const NormalizedText& text, std::vector<Event>& events,
                std::vector<MarkerHit>& hits, std::string& variant,
                std::vector<ExplainItem>* explain) {
  return Scanner(lex, text, events, hits, variant, explain).run();
}

}  // namespace sentistream::score

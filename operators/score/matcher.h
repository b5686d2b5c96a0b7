// One matcher over every lexicon term: a double-array trie over bytes with ASCII case
// folding, behind start filters. Internal to operators/score.
//
// A transition is two array reads: t = base[s] + byte; valid when check[t] == s. The
// scanner starts a walk only at candidate positions (word starts, code points outside
// words) and each walk stops at the first byte with no transition, so its length is
// bounded by the longest term (the loader rejects terms over kMaxTermBytes): scanning is
// linear in the text length whatever the input, with no backtracking.
//
// Most candidates start no term, and a walk there costs cache misses and a mispredicted
// exit, so the matcher also keeps filters built from the same keys. They have no false
// negatives and a few per cent false positives:
// - word starts: the hash of the term's first word run ("good"), or, for a phrase whose
//   second run follows one separator byte, of both runs ("the bomb", "can't",
//   "user-friendly"), so that "the" or "can" alone do not trigger a walk;
// - other starts: the first code point (a bitmap over the BMP), whether that code point
//   alone is a term, and the first two code points ("不错", "[哈", ":)");
// - marker terms alone (first word run or first code point), for positions inside a
//   sentiment match where only the marker stream still looks.
//
// Immutable after build(); all lookups are const and thread-safe.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "operators/score/utf8.h"

namespace sentistream::score {

static_assert(std::endian::native == std::endian::little, "word filters assume little endian");

inline constexpr std::size_t kMaxTermBytes = 96;
// Readable bytes the filters may load past the end of a word: callers keep at least this
// much zeroed padding after the text.
inline constexpr std::size_t kFilterPadding = 8;

inline uint64_t load_u64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 31;
  x *= 0x9E3779B97F4A7C15ull;
  return x ^ (x >> 29);
}

// Hash of the word run [p, p + len), case-folded by OR-ing 0x20 into every byte (bytes
// equal under kFold stay equal). Loads up to 7 bytes past the end.
inline uint64_t word_run_hash(const unsigned char* p, std::size_t len) {
  constexpr uint64_t kCase = 0x2020202020202020ull;
  uint64_t h = len;
  std::size_t k = 0;
  for (; k + 8 <= len; k += 8) h = mix64(h ^ (load_u64(p + k) | kCase));
  const std::size_t rest = len - k;
  if (rest) h = mix64(h ^ ((load_u64(p + k) | kCase) & (~0ull >> (64 - 8 * rest))));
  return h;
}

// Filter key of two word runs joined by one separator byte ("the bomb", "can't").
inline uint64_t word_pair_key(uint64_t run1, unsigned char sep, uint64_t run2) {
  return run1 ^ std::rotl(run2, 23) ^ (static_cast<uint64_t>(sep) << 56);
}

// End of the word run starting at p (ASCII letters/digits and 2-byte letters), at most
// `end`. Eight bytes at a time; loads up to 7 bytes past `end`, which must be zero.
inline const unsigned char* word_run_end(const unsigned char* p, const unsigned char* end) {
  constexpr uint64_t kHi = 0x8080808080808080ull;
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  for (;;) {
    const uint64_t v = load_u64(p);
    const uint64_t x = v & ~kHi;
    const uint64_t l = x | (0x20 * kOnes);
    // Per byte, high bit set when the 7-bit value lies in [lo, hi] (no carries: < 0x100).
    const uint64_t letter = (l + (0x80 - 'a') * kOnes) & ~(l + (0x7F - 'z') * kOnes);
    const uint64_t digit = (x + (0x80 - '0') * kOnes) & ~(x + (0x7F - '9') * kOnes);
    const uint64_t stop = ~((letter | digit) & ~v) & kHi;
    if (stop == 0) {
      p += 8;
    } else {
      p += std::countr_zero(stop) / 8;
      if (p >= end) return end;
      if (*p < 0xC3 || *p >= 0xE0) return p;  // not the lead byte of a 2-byte letter
      p += 2;
    }
    if (p >= end) return end;
  }
}

// Code point at p in valid, zero-padded UTF-8, ASCII-folded.
inline uint32_t folded_code_point(const unsigned char* p) {
  const uint32_t b = p[0];
  if (b < 0x80) return kFold[b];
  if (b < 0xE0) return ((b & 0x1F) << 6) | (p[1] & 0x3F);
  if (b < 0xF0) return ((b & 0x0F) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3F);
  return ((b & 0x07) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3F);
}

class Matcher {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  struct Key {
    std::string bytes;    // already folded (ASCII lower case), non-empty, distinct, valid UTF-8
    uint32_t value;       // reported on a match (term index)
    bool marker = false;  // also enters the marker filters
  };

  Matcher();  // matches nothing
  static Matcher build(std::vector<Key> keys);

  // Word-start filters (keys from word_run_hash / word_pair_key, already mixed).
  bool may_start_word(uint64_t run) const { return test_mixed(word_, run); }
  bool may_start_word_pair(uint64_t pair_key) const { return test_mixed(word_pair_, pair_key); }
  // Filters for other starts, by folded code point.
  bool may_start_cp(uint32_t cp) const { return test_cp(first_bmp_, first_astral_, cp); }
  bool is_single_cp(uint32_t cp) const { return test_cp(single_bmp_, single_astral_, cp); }
  bool may_start_cp_pair(uint32_t cp1, uint32_t cp2) const {
    return test(cp_pair_, (static_cast<uint64_t>(cp1) << 21) | cp2);
  }

  // Looser filters over marker terms only, for positions where only the marker stream
  // is looking (inside a sentiment match).
  bool may_start_marker_word(uint64_t run) const { return test_mixed(marker_word_, run); }
  bool may_start_marker_cp(uint32_t cp) const { return test(marker_cp_, cp); }

  // Walks the trie along [p, end), calling on_match(match_end, value) for every term
  // that is a prefix of the input, shortest first.
  template <class F>
  void walk(const unsigned char* p, const unsigned char* end, F&& on_match) const {
    walk_from(0, p, end, std::forward<F>(on_match));
  }

  // Trie state after the three bytes of a code point in U+4000..U+9FFF (lead bytes
  // E4..E9, the common Han characters), or 0 when no term starts with it: a walk from a
  // Han character starts there instead of taking three dependent steps from the root.
  static constexpr uint32_t kHanFirst = 0x4000, kHanLast = 0x9FFF;
  int32_t han_state(uint32_t cp) const { return han_state_[cp - kHanFirst]; }

  // walk() continued from `state` (0 = the root, or a state from han_state()), which has
  // already consumed the bytes before p; `state` itself is reported first when it ends
  // a term.
  template <class F>
  void walk_from(int32_t state, const unsigned char* p, const unsigned char* end,
                 F&& on_match) const {
    const Cell* cells = cells_.data();
    int32_t s = state;
    if (cells[s].base & 1) on_match(p, values_[s]);
    while (p < end) {
      const int32_t t = (cells[s].base >> 1) + kFold[*p];
      if (cells[t].check != s) return;
      s = t;
      ++p;
      if (cells[s].base & 1) on_match(p, values_[s]);
    }
  }

  std::size_t cell_count() const { return cells_.size(); }

 private:
  struct Cell {
    int32_t base = 0;    // (child base << 1) | has_value
    int32_t check = -1;  // parent state; -1 = free, -2 = root
  };
  struct Bits {
    std::vector<uint64_t> words = std::vector<uint64_t>(1, 0);
    int shift = 58;  // 64 - log2(bit count)
    void set(uint64_t key) { set_mixed(mix64(key)); }
    void set_mixed(uint64_t h) {
      const uint64_t i = h >> shift;
      words[i >> 6] |= 1ull << (i & 63);
    }
  };
  static bool test(const Bits& b, uint64_t key) { return test_mixed(b, mix64(key)); }
  static bool test_mixed(const Bits& b, uint64_t h) {
    const uint64_t i = h >> b.shift;
    return (b.words[i >> 6] >> (i & 63)) & 1;
  }
  // BMP code points index a bitmap directly; others go through a hashed set.
  static bool test_cp(const std::vector<uint64_t>& bmp, const Bits& astral, uint32_t cp) {
    return cp < 0x10000 ? (bmp[cp >> 6] >> (cp & 63)) & 1 : test(astral, cp);
  }

  std::vector<Cell> cells_;
  std::vector<uint32_t> values_;  // by state, valid where the has_value bit is set
  Bits word_, word_pair_, cp_pair_, first_astral_, single_astral_, marker_word_, marker_cp_;
  std::vector<uint64_t> first_bmp_ = std::vector<uint64_t>(1024, 0);
  std::vector<uint64_t> single_bmp_ = std::vector<uint64_t>(1024, 0);
  std::vector<int32_t> han_state_ = std::vector<int32_t>(kHanLast - kHanFirst + 1, 0);

  friend class MatcherBuilder;
};

}  // namespace sentistream::score

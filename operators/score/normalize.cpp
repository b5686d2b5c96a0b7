#include "operators/score/normalize.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "operators/score/utf8.h"

namespace sentistream::score {
namespace {

constexpr int kMaxMentionChars = 30;

// Bytes the copy loop hands to the slow path: non-ASCII, whitespace and control
// characters other than ' ', and the starts of entities ('@', "//@", "http://", "www.").
// A byte equal (case-folded) to the previous output byte also leaves the copy loop
// (elongation, space runs).
constexpr std::array<uint8_t, 256> kSpecial = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 32; ++c) t[c] = 1;
  for (int c = 127; c < 256; ++c) t[c] = 1;
  for (char c : {'@', '/', ':', '.'}) t[static_cast<unsigned char>(c)] = 1;
  return t;
}();

// Per-byte counters: bit 0 ASCII letter, bit 1 lower-case letter, bit 2 '!'.
constexpr std::array<uint8_t, 256> kInfo = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = 1;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = 3;
  t['!'] = 4;
  return t;
}();

inline bool is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

inline bool ascii_name_char(unsigned char c) {
  return is_alnum(c) || c == '_' || c == '-';
}

// Non-ASCII code points that end an @mention name: punctuation, symbols, emoji.
inline bool ends_mention(uint32_t cp) {
  return cp < 0xC0 || (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
         (cp >= 0xFF00 && cp <= 0xFFEF) || cp >= 0x1F000;
}

// Input bytes [p, p + lit.size()) equal `lit` (lower case) ignoring ASCII case.
inline bool equals_ci(const unsigned char* p, std::string_view lit) {
  for (std::size_t k = 0; k < lit.size(); ++k)
    if (kFold[p[k]] != static_cast<unsigned char>(lit[k])) return false;
  return true;
}

// `lit` starts a word at input offset i - lit.size() and ends at i.
inline bool word_before(const unsigned char* s, std::size_t i, std::string_view lit) {
  const std::size_t k = lit.size();
  return i >= k && equals_ci(s + i - k, lit) && (i == k || !is_alnum(s[i - k - 1]));
}

inline uint64_t load_u64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHigh = 0x8080808080808080ull;
constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full;

// Per byte of x, high bit set exactly when the byte is zero.
inline uint64_t zero_bytes(uint64_t x) {
  return ~(((x & kLow7) + kLow7) | x | kLow7);
}
// Per byte of a 7-bit x, high bit set when lo <= byte <= hi (sums stay below 0x100).
inline uint64_t in_range(uint64_t x, unsigned lo, unsigned hi) {
  return (x + (0x80 - lo) * kOnes) & ~(x + (0x7F - hi) * kOnes) & kHigh;
}

// Number of set bits in a mask that has only byte-high bits (no popcnt instruction on
// baseline x86-64: std::popcount would be a library call).
inline uint32_t count_high_bits(uint64_t m) {
  return static_cast<uint32_t>((((m >> 7) * kOnes) >> 56) & 0xFF);
}

// How many of the 8 bytes in v (little endian) the copy loop may take as they are, and
// their counts. A byte is not plain when kSpecial says so, when it repeats the previous
// byte for the third time (elongation), or when it is a second space in a row. Letters
// are compared with 0x20 OR-ed in, which may send a harmless few bytes to the slow path.
struct Plain {
  std::size_t count;
  uint32_t letters, lower, bangs;
  uint64_t last_eq;  // 0x80 when the last byte repeats the one before it
};

inline Plain plain_bytes(uint64_t v, unsigned char prev, uint64_t prev_eq) {
  const uint64_t x = v & kLow7;
  uint64_t special = (v & kHigh) | (~(x + (0x80 - 0x20) * kOnes) & kHigh) |
                     zero_bytes(v ^ (0x7F * kOnes)) | zero_bytes(v ^ ('@' * kOnes)) |
                     zero_bytes(v ^ ('/' * kOnes)) | zero_bytes(v ^ (':' * kOnes)) |
                     zero_bytes(v ^ ('.' * kOnes));
  const uint64_t f = v | (0x20 * kOnes);
  const uint64_t eq = zero_bytes(f ^ ((f << 8) | (prev | 0x20u)));  // byte == previous byte
  const uint64_t spaces = zero_bytes(v ^ (' ' * kOnes));
  special |= (eq & ((eq << 8) | prev_eq)) | (eq & spaces);
  const std::size_t count = special ? std::countr_zero(special) / 8 : 8;
  const uint64_t take = count == 8 ? kHigh : kHigh & ((1ull << (8 * count)) - 1);
  const uint64_t l = x | (0x20 * kOnes);
  return Plain{count, count_high_bits(in_range(l, 'a', 'z') & take),
               count_high_bits(in_range(x, 'a', 'z') & take),
               count_high_bits(zero_bytes(v ^ ('!' * kOnes)) & take), (eq >> 56) & 0x80};
}

#if defined(__SSE2__)
constexpr std::array<uint8_t, 256> kPopcount8 = [] {
  std::array<uint8_t, 256> t{};
  for (int i = 0; i < 256; ++i)
    t[i] = static_cast<uint8_t>(std::popcount(static_cast<unsigned>(i)));
  return t;
}();
inline uint32_t popcount16(unsigned m) {
  return kPopcount8[m & 0xFF] + kPopcount8[(m >> 8) & 0xFF];
}

// plain_bytes() for 16 bytes with SSE2 (baseline on x86-64).
inline Plain plain_bytes16(const unsigned char* p, unsigned char prev, unsigned prev_eq) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i space = _mm_set1_epi8(' ');
  auto eq = [&](char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
  // Signed compare: non-ASCII bytes are negative, so they count as "below ' '" too.
  __m128i special = _mm_or_si128(_mm_cmplt_epi8(v, space), eq(0x7F));
  special = _mm_or_si128(special, _mm_or_si128(eq('@'), eq('/')));
  special = _mm_or_si128(special, _mm_or_si128(eq(':'), eq('.')));
  const __m128i f = _mm_or_si128(v, space);
  const __m128i before = _mm_or_si128(_mm_slli_si128(f, 1), _mm_cvtsi32_si128(prev | 0x20));
  const auto repeat = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(f, before)));
  const auto spaces = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, space)));
  const unsigned stop = static_cast<unsigned>(_mm_movemask_epi8(special)) |
                        (repeat & ((repeat << 1) | prev_eq)) | (repeat & spaces) | 0x10000;
  const auto count = static_cast<std::size_t>(std::countr_zero(stop));
  const unsigned take = (1u << count) - 1;
  auto in_range = [](__m128i x, char lo, char hi) {
    return static_cast<unsigned>(_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(static_cast<char>(lo - 1))),
                      _mm_cmplt_epi8(x, _mm_set1_epi8(static_cast<char>(hi + 1))))));
  };
  return Plain{
      count, popcount16(in_range(f, 'a', 'z') & take), popcount16(in_range(v, 'a', 'z') & take),
      popcount16(static_cast<unsigned>(_mm_movemask_epi8(eq('!'))) & take), (repeat >> 15) & 1};
}

// Five well-formed code points in U+4000..U+9FFF (lead byte E4..E9, two continuation
// bytes) in p[0, 15); reads 16 bytes.
inline bool five_han(const unsigned char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // Signed compares: 0xE4..0xE9 are -28..-23.
  const __m128i lead = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(0xE3))),
                                     _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(0xEA))));
  const __m128i cont = _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8(static_cast<char>(0xC0))),
                                      _mm_set1_epi8(static_cast<char>(0x80)));
  const auto l = static_cast<unsigned>(_mm_movemask_epi8(lead));
  const auto c = static_cast<unsigned>(_mm_movemask_epi8(cont));
  return (l & 0x1249u) == 0x1249u && (c & 0x6DB6u) == 0x6DB6u;
}
#endif

}  // namespace

void normalize(std::string_view in, const NormalizeOptions& opts, NormalizedText& out) {
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  const bool strip = opts.strip_entities;
  // Output never exceeds input: every rewrite maps k bytes to at most k bytes.
  const std::size_t need = NormalizedText::kHead + n + NormalizedText::kTail;
  if (out.buf.size() < need) out.buf.resize(std::max(need, 2 * out.buf.size()));
  auto* const o0 = reinterpret_cast<unsigned char*>(out.buf.data()) + NormalizedText::kHead;
  o0[-1] = o0[-2] = 0;
  unsigned char* o = o0;
  std::vector<uint32_t>& elong = out.elongations;
  elong.clear();
  uint32_t latin = 0, lower = 0, exclaims = 0, han = 0, kana = 0;

  auto emit = [&](unsigned char c) {
    *o++ = c;
    const uint8_t f = kInfo[c];
    latin += f & 1;
    lower += (f >> 1) & 1;
    exclaims += f >> 2;
  };
  auto emit_space = [&] {
    if (o != o0 && o[-1] != ' ') *o++ = ' ';
  };
  // Removes the last k output bytes, which are the letters of input [i - k_in, i).
  auto retract_letters = [&](std::size_t k, std::size_t i, std::size_t k_in) {
    o -= k;
    while (!elong.empty() && elong.back() >= static_cast<uint32_t>(o - o0)) elong.pop_back();
    for (std::size_t j = i - k_in; j < i; ++j) {
      latin -= kInfo[s[j]] & 1;
      lower -= (kInfo[s[j]] >> 1) & 1;
    }
  };
  auto skip_url = [&](std::size_t& i) {
    while (i < n && s[i] < 0x80 && s[i] > ' ') ++i;
    emit_space();
  };

  // Copy loop: plain ASCII bytes, nothing to decide. Eight at a time while possible.
  auto copy_plain = [&](std::size_t& i) {
    // A short ASCII run before a non-ASCII byte ("[哈哈]", "R1", "#话题#" in Weibo posts):
    // byte by byte, without setting up the block loops, by the rule the first block below
    // would apply (stop at a special byte, a third repeat or a second space, bytes
    // compared with 0x20 OR-ed in; the byte before the run compared case-folded).
    if (i + 8 <= n) {
      const uint64_t high = load_u64(s + i) & kHigh;
      if (high != 0) {
        std::size_t len = static_cast<std::size_t>(std::countr_zero(high)) / 8;  // 1..7
        bool prev_rep = kFold[o[-1]] == kFold[o[-2]];
        for (; len > 0; --len) {
          const unsigned char c = s[i];
          const bool rep = (c | 0x20) == (o[-1] | 0x20);
          if (kSpecial[c] || (rep && (prev_rep || c == ' '))) return;
          emit(c);
          ++i;
          prev_rep = rep;
        }
        return;
      }
    }
    unsigned char prev = o[-1];
    const bool repeats = kFold[prev] == kFold[o[-2]];  // o[-1] repeats o[-2]
#if defined(__SSE2__)
    unsigned prev_eq16 = repeats ? 1 : 0;
    while (i + 16 <= n) {
      const Plain p = plain_bytes16(s + i, prev, prev_eq16);
      std::memcpy(o, s + i, 16);  // room: output <= input, plus kTail
      const std::size_t k = p.count;
      o += k;
      i += k;
      latin += p.letters;
      lower += p.lower;
      exclaims += p.bangs;
      if (k < 16) return;
      prev = o[-1];
      prev_eq16 = static_cast<unsigned>(p.last_eq);
    }
    uint64_t prev_eq = prev_eq16 ? 0x80 : 0;
#else
    uint64_t prev_eq = repeats ? 0x80 : 0;
#endif
    while (i + 8 <= n) {
      const Plain p = plain_bytes(load_u64(s + i), prev, prev_eq);
      std::memcpy(o, s + i, 8);  // room: output <= input, plus kTail
      const std::size_t k = p.count;
      o += k;
      i += k;
      latin += p.letters;
      lower += p.lower;
      exclaims += p.bangs;
      if (k < 8) return;
      prev = o[-1];
      prev_eq = p.last_eq;
    }
    while (i < n) {
      const unsigned char c = s[i];
      if (kSpecial[c] | (kFold[c] == kFold[o[-1]])) break;
      emit(c);
      ++i;
    }
  };

  std::size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      copy_plain(i);
      if (i >= n) break;
    }

    unsigned char c = s[i];
    std::size_t len = 1;
    if (c >= 0x80) {
      // Common case first: well-formed code points in U+4000..U+9FFF (Han).
      if (c >= 0xE4 && c <= 0xE9 && i + 2 < n && (s[i + 1] & 0xC0) == 0x80 &&
          (s[i + 2] & 0xC0) == 0x80) {
        do {
          std::memcpy(o, s + i, 3);
          o += 3;
          i += 3;
          ++han;
#if defined(__SSE2__)
          // Runs of Han: five at a time (room: output <= input, plus kTail).
          while (i + 16 <= n && five_han(s + i)) {
            std::memcpy(o, s + i, 16);
            o += 15;
            i += 15;
            han += 5;
          }
#endif
        } while (i + 2 < n && s[i] >= 0xE4 && s[i] <= 0xE9 && (s[i + 1] & 0xC0) == 0x80 &&
                 (s[i + 2] & 0xC0) == 0x80);
        continue;
      }
      uint32_t cp = 0;
      len = decode_utf8(s + i, n - i, &cp);
      if (len == 0) {  // malformed: one byte becomes a space
        emit_space();
        ++i;
        continue;
      }
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        c = static_cast<unsigned char>(cp - 0xFEE0);  // full-width ASCII: handled as ASCII
      } else if (cp == 0x3000) {
        c = ' ';
      } else if (cp == 0x2018 || cp == 0x2019) {
        c = '\'';
      } else if (cp == 0xFE0E || cp == 0xFE0F) {
        i += len;  // variation selectors: "❤️" and "❤" match the same term
        continue;
      } else {
        if (is_han(cp)) {
          ++han;
        } else if (is_kana(cp)) {
          ++kana;
        } else if (is_latin_extended(cp)) {
          ++latin;
        }
        std::memcpy(o, s + i, len);
        o += len;
        i += len;
        continue;
      }
    }

    // ASCII character c, read from `len` input bytes.
    if (c <= ' ' || c == 127) {  // whitespace, controls
      emit_space();
      i += len;
      continue;
    }
    const unsigned char f = kFold[c];
    if ((kInfo[c] & 1) && f == kFold[o[-1]] && f == kFold[o[-2]]) {
      // Third (or later) repeat of a letter: dropped; the run's second letter is recorded
      // so the scanner can also try the 1-letter form.
      const auto pos = static_cast<uint32_t>(o - o0 - 1);
      if (elong.empty() || elong.back() != pos) elong.push_back(pos);
      latin += 1;
      lower += (kInfo[c] >> 1) & 1;
      i += len;
      continue;
    }
    if (strip) {
      if (c == '@' && !is_alnum(o[-1])) {
        // @mention: ASCII name characters, or any letter outside punctuation/emoji.
        i += len;
        int chars = 0;
        while (i < n && chars < kMaxMentionChars) {
          if (s[i] < 0x80) {
            if (!ascii_name_char(s[i])) break;
            ++i;
          } else {
            uint32_t cp = 0;
            const std::size_t l = decode_utf8(s + i, n - i, &cp);
            if (l == 0 || ends_mention(cp)) break;
            i += l;
          }
          ++chars;
        }
        emit_space();
        continue;
      }
      if (c == '/' && len == 1 && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '@') {
        if (!opts.keep_repost_chain) break;  // the repost chain: not the author's words
        i += 2;  // kept repost chain: drop "//" so "@user" reads as a mention
        emit_space();
        continue;
      }
      if (c == ':' && len == 1 && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/') {
        // "http://" or "https://" starting a word; the letters are already in the output.
        bool url = false;
        for (std::string_view scheme : {"https", "http"}) {
          const std::size_t k = scheme.size();
          if (word_before(s, i, scheme) && o - o0 >= static_cast<std::ptrdiff_t>(k) &&
              equals_ci(o - k, scheme)) {
            retract_letters(k, i, k);
            skip_url(i);
            url = true;
            break;
          }
        }
        if (url) continue;
      }
      if (c == '.' && len == 1 && word_before(s, i, "www") && o - o0 >= 2 &&
          equals_ci(o - 2, "ww") && (o - o0 == 2 || kFold[o[-3]] != 'w')) {
        retract_letters(2, i, 3);  // "www" was written "ww" (elongation)
        skip_url(i);
        continue;
      }
    }
    emit(c);
    i += len;
  }
  std::memset(o, 0, NormalizedText::kTail);
  out.size = static_cast<std::size_t>(o - o0);
  out.exclaims = exclaims;
  out.lower_letters = lower;
  out.scripts = {latin, han, kana};
}

std::string normalize_term(std::string_view term, bool* bad_utf8) {
  *bad_utf8 = false;
  const auto* p = reinterpret_cast<const unsigned char*>(term.data());
  for (std::size_t i = 0; i < term.size();) {
    uint32_t cp = 0;
    const std::size_t l = decode_utf8(p + i, term.size() - i, &cp);
    if (l == 0) {
      *bad_utf8 = true;
      return {};
    }
    i += l;
  }
  NormalizedText t;
  normalize(term, NormalizeOptions{.keep_repost_chain = true, .strip_entities = false}, t);
  std::string_view v = t.view();
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  std::string key(v);
  for (char& ch : key) ch = static_cast<char>(kFold[static_cast<unsigned char>(ch)]);
  return key;
}

}  // namespace sentistream::score

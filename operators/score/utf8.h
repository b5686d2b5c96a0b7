// UTF-8 and character-class helpers shared by the normaliser, the scanner and the
// lexicon loader. Internal to operators/score. Header-only, no state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sentistream::score {

// Decodes one code point at p (n > 0 bytes available). Returns its length in bytes, or
// 0 when the sequence is malformed (bad lead, missing or bad continuation, surrogate,
// overlong 3/4-byte forms, > U+10FFFF).
inline std::size_t decode_utf8(const unsigned char* p, std::size_t n, uint32_t* cp) {
  const uint32_t b0 = p[0];
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  if (b0 < 0xC2) return 0;
  if (b0 < 0xE0) {
    if (n < 2 || (p[1] & 0xC0) != 0x80) return 0;
    *cp = ((b0 & 0x1F) << 6) | (p[1] & 0x3F);
    return 2;
  }
  if (b0 < 0xF0) {
    if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    const uint32_t c = ((b0 & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return 3;
  }
  if (b0 < 0xF5) {
    if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
    const uint32_t c =
        ((b0 & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    if (c < 0x10000 || c > 0x10FFFF) return 0;
    *cp = c;
    return 4;
  }
  return 0;
}

// Length of the code point starting with lead byte b in text known to be valid UTF-8.
inline std::size_t utf8_len(unsigned char b) {
  return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

inline bool is_han(uint32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}
inline bool is_kana(uint32_t cp) {
  return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
         (cp >= 0xFF66 && cp <= 0xFF9F);
}
inline bool is_hangul(uint32_t cp) {
  return cp >= 0xAC00 && cp <= 0xD7AF;
}
// Letters written without spaces between words: each one is a token of its own.
inline bool is_cjk_letter(uint32_t cp) {
  return is_han(cp) || is_kana(cp) || is_hangul(cp);
}
// Latin letters beyond ASCII (Latin-1 Supplement and Extended-A/B), for script counts.
inline bool is_latin_extended(uint32_t cp) {
  return cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7;
}
// Sentence/clause punctuation outside ASCII that ends a negation or degree window.
inline bool is_clause_mark(uint32_t cp) {
  return cp == 0x3001 || cp == 0x3002 || cp == 0xFF61 || cp == 0x2026;
}
inline bool is_regional_indicator(uint32_t cp) {
  return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

// Byte classes of normalised text, used for word boundaries and the scanner.
enum ByteClass : uint8_t {
  kOther = 0,   // ASCII punctuation and symbols
  kWord,        // ASCII letter or digit, or the lead byte of a 2-byte letter (U+00C0..U+07FF)
  kApostrophe,  // '\'' : part of a word when between word characters ("don't")
  kSpace,       // ' ' (normalised text has no other whitespace)
  kClause,      // . , ; : ! ? : ends a negation/degree window when not part of a term
  kLead2Sym,    // 0xC2: U+0080..U+00BF, Latin-1 punctuation and symbols
  kLead3,       // lead byte of a 3-byte code point
  kLead4,       // lead byte of a 4-byte code point
  kCont,        // continuation byte (never at a scan position)
};

inline constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 128; ++c) t[c] = kOther;
  for (int c = '0'; c <= '9'; ++c) t[c] = kWord;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = kWord;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kWord;
  t['\''] = kApostrophe;
  t[' '] = kSpace;
  for (char c : {'.', ',', ';', ':', '!', '?'}) t[static_cast<unsigned char>(c)] = kClause;
  for (int c = 0x80; c < 0xC0; ++c) t[c] = kCont;
  t[0xC0] = t[0xC1] = kOther;  // never in valid text
  t[0xC2] = kLead2Sym;
  for (int c = 0xC3; c < 0xE0; ++c) t[c] = kWord;
  for (int c = 0xE0; c < 0xF0; ++c) t[c] = kLead3;
  for (int c = 0xF0; c < 0xF5; ++c) t[c] = kLead4;
  for (int c = 0xF5; c < 0x100; ++c) t[c] = kOther;
  return t;
}();

// ASCII case folding, identity on every other byte (UTF-8 safe).
inline constexpr std::array<uint8_t, 256> kFold = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = static_cast<uint8_t>(c);
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = static_cast<uint8_t>(c + 32);
  return t;
}();

}  // namespace sentistream::score

// Text normalisation before matching. Internal to operators/score.
//
// The scorer never modifies the caller's text: normalize() writes into a reused buffer
// (one per Scorer, so per thread) and allocates only while the buffer grows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sentistream::score {

struct NormalizeOptions {
  bool keep_repost_chain = false;  // false: drop everything from the first "//@"
  bool strip_entities = true;      // URLs and @mentions (false for lexicon terms)
};

// Script counts for language detection (letters for Latin, characters for CJK).
struct ScriptCounts {
  uint32_t latin = 0;
  uint32_t han = 0;
  uint32_t kana = 0;
};

// The normalised text and what the normaliser saw on the way.
struct NormalizedText {
  // Capacity reused. Layout: kHead zero bytes (so the normaliser can look two bytes back
  // without a check), the text, then at least kTail zero bytes (word filters load past
  // the end).
  static constexpr std::size_t kHead = 2, kTail = 16;
  std::vector<char> buf;
  std::size_t size = 0;
  // Offsets (ascending) of the second letter of every collapsed elongation: "soooo" is
  // written "soo" and the offset of its second 'o' is recorded, so removing the recorded
  // letters gives the 1-letter form "so".
  std::vector<uint32_t> elongations;
  uint32_t exclaims = 0;       // '!' and '！' in the kept text
  uint32_t lower_letters = 0;  // ASCII a-z in the kept text ("is the text all caps?")
  ScriptCounts scripts;

  const unsigned char* data() const {
    return reinterpret_cast<const unsigned char*>(buf.data()) + kHead;
  }
  std::string_view view() const { return {buf.data() + kHead, size}; }
};

// Normalises `in` into `out` (previous contents discarded):
// - with strip_entities: URLs (http://, https://, www. up to the next space or non-ASCII
//   character) and @mentions (up to 30 name characters, ended by space or punctuation)
//   become a space; "//@user:" repost chains are cut (or, with keep_repost_chain, only
//   their "//@user" prefixes removed);
// - U+FF01..U+FF5E become ASCII, U+3000 and ASCII whitespace runs become one ' ',
//   U+2018/U+2019 become '\'', U+FE0E/U+FE0F (variation selectors) are dropped, control
//   characters and malformed UTF-8 become ' ';
// - 3+ repeats of an ASCII letter (case-insensitive) collapse to 2.
// Case is kept: the matcher folds ASCII case itself and caps emphasis needs it. Linear
// time, one pass.
void normalize(std::string_view in, const NormalizeOptions& opts, NormalizedText& out);

// The matcher key of a lexicon term: normalize() without entity stripping, trimmed and
// ASCII-lower-cased. Empty when nothing is left. Sets *bad_utf8 on malformed input.
std::string normalize_term(std::string_view term, bool* bad_utf8);

}  // namespace sentistream::score

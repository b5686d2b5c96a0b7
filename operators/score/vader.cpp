// VADER mode: a re-implementation of vaderSentiment 3.3.2's polarity_scores() that gives
// the same floats, operation for operation. Every step below names the Python function it
// mirrors; where VADER's behaviour is surprising, the comment says so, because "fixing"
// it would break the promise of identical numbers.
#include "operators/score/vader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <queue>
#include <sstream>
#include <unordered_map>

#include "operators/score/utf8.h"

namespace sentistream::vader {
namespace {

struct CodeRange {
  uint32_t lo, hi;
};
struct LowerMap {
  uint32_t cp;
  const char* utf8;
  uint8_t len;
};
#include "operators/score/vader_unicode_tables.inc"

template <std::size_t N>
bool in_ranges(const CodeRange (&table)[N], uint32_t cp) {
  const CodeRange* it = std::upper_bound(std::begin(table), std::end(table), cp,
                                         [](uint32_t c, const CodeRange& r) { return c < r.lo; });
  return it != std::begin(table) && cp <= (it - 1)->hi;
}

// Code point that stands for a malformed byte: in no table, so not space, not cased.
constexpr uint32_t kBadByte = 0x110000;

inline std::size_t next_cp(const char* p, const char* end, uint32_t* cp) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  if (u[0] < 0x80) {
    *cp = u[0];
    return 1;
  }
  std::size_t n = score::decode_utf8(u, static_cast<std::size_t>(end - p), cp);
  if (n == 0) {
    *cp = kBadByte;
    return 1;
  }
  return n;
}

// str.isspace() for one code point.
inline bool py_space(uint32_t cp) {
  if (cp < 0x80) return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
  return in_ranges(kPySpace, cp);
}

// string.punctuation: the 32 ASCII punctuation characters.
inline bool py_punct(unsigned char c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
         (c >= 0x7B && c <= 0x7E);
}

// Constants of vaderSentiment.py.
constexpr double kBIncr = 0.293;
constexpr double kBDecr = -0.293;
constexpr double kCIncr = 0.733;
constexpr double kNScalar = -0.74;

constexpr const char* kNegateWords[] = {
    "aint",   "arent",    "cannot",  "cant",     "couldnt",  "darent",   "didnt",   "doesnt",
    "ain't",  "aren't",   "can't",   "couldn't", "daren't",  "didn't",   "doesn't", "dont",
    "hadnt",  "hasnt",    "havent",  "isnt",     "mightnt",  "mustnt",   "neither", "don't",
    "hadn't", "hasn't",   "haven't", "isn't",    "mightn't", "mustn't",  "neednt",  "needn't",
    "never",  "none",     "nope",    "nor",      "not",      "nothing",  "nowhere", "oughtnt",
    "shant",  "shouldnt", "uhuh",    "wasnt",    "werent",   "oughtn't", "shan't",  "shouldn't",
    "uh-uh",  "wasn't",   "weren't", "without",  "wont",     "wouldnt",  "won't",   "wouldn't",
    "rarely", "seldom",   "despite"};

struct Booster {
  const char* word;
  double value;
};
constexpr Booster kBoosters[] = {
    {"absolutely", kBIncr},    {"amazingly", kBIncr},    {"awfully", kBIncr},
    {"completely", kBIncr},    {"considerable", kBIncr}, {"considerably", kBIncr},
    {"decidedly", kBIncr},     {"deeply", kBIncr},       {"effing", kBIncr},
    {"enormous", kBIncr},      {"enormously", kBIncr},   {"entirely", kBIncr},
    {"especially", kBIncr},    {"exceptional", kBIncr},  {"exceptionally", kBIncr},
    {"extreme", kBIncr},       {"extremely", kBIncr},    {"fabulously", kBIncr},
    {"flipping", kBIncr},      {"flippin", kBIncr},      {"frackin", kBIncr},
    {"fracking", kBIncr},      {"fricking", kBIncr},     {"frickin", kBIncr},
    {"frigging", kBIncr},      {"friggin", kBIncr},      {"fully", kBIncr},
    {"fuckin", kBIncr},        {"fucking", kBIncr},      {"fuggin", kBIncr},
    {"fugging", kBIncr},       {"greatly", kBIncr},      {"hella", kBIncr},
    {"highly", kBIncr},        {"hugely", kBIncr},       {"incredible", kBIncr},
    {"incredibly", kBIncr},    {"intensely", kBIncr},    {"major", kBIncr},
    {"majorly", kBIncr},       {"more", kBIncr},         {"most", kBIncr},
    {"particularly", kBIncr},  {"purely", kBIncr},       {"quite", kBIncr},
    {"really", kBIncr},        {"remarkably", kBIncr},   {"so", kBIncr},
    {"substantially", kBIncr}, {"thoroughly", kBIncr},   {"total", kBIncr},
    {"totally", kBIncr},       {"tremendous", kBIncr},   {"tremendously", kBIncr},
    {"uber", kBIncr},          {"unbelievably", kBIncr}, {"unusually", kBIncr},
    {"utter", kBIncr},         {"utterly", kBIncr},      {"very", kBIncr},
    {"almost", kBDecr},        {"barely", kBDecr},       {"hardly", kBDecr},
    {"just enough", kBDecr},   {"kind of", kBDecr},      {"kinda", kBDecr},
    {"kindof", kBDecr},        {"kind-of", kBDecr},      {"less", kBDecr},
    {"little", kBDecr},        {"marginal", kBDecr},     {"marginally", kBDecr},
    {"occasional", kBDecr},    {"occasionally", kBDecr}, {"partly", kBDecr},
    {"scarce", kBDecr},        {"scarcely", kBDecr},     {"slight", kBDecr},
    {"slightly", kBDecr},      {"somewhat", kBDecr},     {"sort of", kBDecr},
    {"sorta", kBDecr},         {"sortof", kBDecr},       {"sort-of", kBDecr}};

// SPECIAL_CASES. (SENTIMENT_LADEN_IDIOMS is never consulted by 3.3.2: "future work".)
constexpr Booster kSpecialCases[] = {
    {"the shit", 3},         {"the bomb", 3},   {"bad ass", 1.5},
    {"badass", 1.5},         {"bus stop", 0.0}, {"yeah right", -2},
    {"kiss of death", -1.5}, {"to die for", 3}, {"beating heart", 3.5}};

// Per-word facts, found with one hash lookup of the lower-cased token.
enum WordFlag : uint32_t {
  kInLexicon = 1u << 0,
  kIsBooster = 1u << 1,
  kNegate = 1u << 2,  // in NEGATE (a token containing "n't" gets it at tokenisation)
  kNo = 1u << 3,
  kOrNor = 1u << 4,
  kNever = 1u << 5,
  kSoThis = 1u << 6,
  kWithout = 1u << 7,
  kDoubt = 1u << 8,
  kLeast = 1u << 9,
  kAtVery = 1u << 10,
  kKind = 1u << 11,
  kOf = 1u << 12,
  kBut = 1u << 13,
  kIdiomWord = 1u << 14,    // a word of a SPECIAL_CASES key or a multi-word booster
  kBoosterDecr = 1u << 15,  // with kIsBooster: B_DECR, else B_INCR
};

struct WordInfo {
  double valence = 0;  // lexicon value when kInLexicon
  uint32_t flags = 0;
};

// Word hash over 8-byte little-endian chunks (the last one zero-padded), then a final
// mix: 32 well-mixed bits for the probe index and the tag. The tokeniser computes the
// same function on the fly from the chunks it lower-cases (hash_start/step/finish).
constexpr uint64_t kHashSeed = 0xcbf29ce484222325ull;
inline uint64_t hash_start(std::size_t len) {
  return kHashSeed ^ len;
}
inline uint64_t hash_step(uint64_t h, uint64_t chunk) {
  h = (h ^ chunk) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 32);
}
inline uint64_t finish_hash(uint64_t h) {
  h ^= h >> 29;
  return (h * 0xbf58476d1ce4e5b9ull) >> 32;
}
inline uint64_t hash_bytes(std::string_view s) {
  uint64_t h = hash_start(s.size());
  for (std::size_t k = 0; k < s.size(); k += 8) {
    uint64_t chunk = 0;
    std::memcpy(&chunk, s.data() + k, std::min<std::size_t>(8, s.size() - k));
    h = hash_step(h, chunk);
  }
  return finish_hash(h);
}

// SWAR helpers over 8 ASCII bytes (high bits clear): 0x80 in each byte within [lo, hi].
constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHigh = 0x8080808080808080ull;
inline uint64_t bytes_in(uint64_t x, unsigned lo, unsigned hi) {
  return (x + kOnes * (0x80 - lo)) & ~(x + kOnes * (0x7F - hi)) & kHigh;
}

// Open-addressing table over string keys; built once, then read-only. The probe array
// holds only 8-byte slots (32-bit hash tag, entry index) so that the lookup of every token,
// most of which miss, touches one small cache-friendly array (~128 KB for VADER's lexicon).
class WordTable {
 public:
  WordInfo& insert(std::string_view key) {
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    const uint64_t h = hash_bytes(key);
    std::size_t i = probe(key, h);
    if (slots_[i] == 0) {
      storage_.emplace_back(key);
      Entry entry;
      entry.len = static_cast<uint32_t>(key.size());
      std::memcpy(entry.head, key.data(), std::min(key.size(), sizeof entry.head));
      entries_.push_back(entry);
      keys_.push_back(storage_.back());
      slots_[i] = (h << 32) | entries_.size();  // index + 1, so 0 means empty
      add_to_filter(h);
    }
    return entries_[(slots_[i] & 0xFFFFFFFFu) - 1].info;
  }
  // h = hash_bytes(key). Most tokens are in no table: a blocked 2-bit filter (16 KB for
  // VADER's lexicon) answers those without touching the probe array.
  const WordInfo* find(std::string_view key, uint64_t h) const {
    const uint64_t bits = filter_bits(h);
    if ((filter_[(h >> 12) & filter_mask_] & bits) != bits) return nullptr;
    const std::size_t i = probe(key, h);
    return slots_[i] ? &entries_[(slots_[i] & 0xFFFFFFFFu) - 1].info : nullptr;
  }

 private:
  // 32-byte entries holding the first 12 bytes of the key, so a hit on a short word
  // (almost every word) reads half a cache line of the entry array and nothing else.
  struct Entry {
    WordInfo info;
    uint32_t len = 0;
    char head[12] = {};
  };
  bool equals(std::size_t idx, std::string_view k) const {
    const Entry& en = entries_[idx];
    if (k.size() != en.len) return false;
    const std::size_t n = std::min(k.size(), sizeof en.head);
    for (std::size_t i = 0; i < n; ++i)
      if (en.head[i] != k[i]) return false;
    return k.size() <= n || std::memcmp(keys_[idx].data() + n, k.data() + n, k.size() - n) == 0;
  }
  std::size_t probe(std::string_view key, uint64_t h) const {
    const std::size_t mask = slots_.size() - 1;
    const uint64_t tag = h << 32;
    std::size_t i = static_cast<std::size_t>(h) & mask;
    for (;; i = (i + 1) & mask) {
      const uint64_t s = slots_[i];
      if (s == 0) return i;
      if ((s & ~uint64_t{0xFFFFFFFFu}) == tag && equals((s & 0xFFFFFFFFu) - 1, key)) return i;
    }
  }
  void grow() {
    slots_.assign(slots_.empty() ? 64 : slots_.size() * 2, 0);
    filter_.assign(slots_.size() / 8, 0);  // 8 filter bits per slot, 16+ per key
    filter_mask_ = filter_.size() - 1;
    for (std::size_t k = 0; k < entries_.size(); ++k) {
      const uint64_t h = hash_bytes(keys_[k]);
      std::size_t i = static_cast<std::size_t>(h) & (slots_.size() - 1);
      while (slots_[i]) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = (h << 32) | (k + 1);
      add_to_filter(h);
    }
  }
  // Blocked filter: both bits of a key in one 64-bit word, so one load answers.
  static uint64_t filter_bits(uint64_t h) {
    return (uint64_t{1} << (h & 63)) | (uint64_t{1} << ((h >> 6) & 63));
  }
  void add_to_filter(uint64_t h) { filter_[(h >> 12) & filter_mask_] |= filter_bits(h); }
  std::vector<uint64_t> filter_;
  uint64_t filter_mask_ = 0;
  std::vector<uint64_t> slots_;
  std::vector<Entry> entries_;
  std::vector<std::string_view> keys_;  // full keys, by entry index
  std::deque<std::string> storage_;     // stable addresses for the keys
};

std::vector<std::string_view> split_words(std::string_view phrase) {
  std::vector<std::string_view> out;
  std::size_t b = 0;
  while (b <= phrase.size()) {
    std::size_t e = phrase.find(' ', b);
    if (e == std::string_view::npos) e = phrase.size();
    out.push_back(phrase.substr(b, e - b));
    b = e + 1;
  }
  return out;
}

// Python's str.strip() (Unicode whitespace) on a UTF-8 view.
std::string_view py_strip(std::string_view s) {
  const char* b = s.data();
  const char* e = b + s.size();
  while (b < e) {
    uint32_t cp;
    std::size_t n = next_cp(b, e, &cp);
    if (!py_space(cp)) break;
    b += n;
  }
  while (e > b) {
    const char* p = e - 1;
    while (p > b && (static_cast<unsigned char>(*p) & 0xC0) == 0x80 && e - p < 4) --p;
    uint32_t cp;
    std::size_t n = next_cp(p, e, &cp);
    if (p + n != e) {  // not one well-formed code point: treat the last byte alone
      p = e - 1;
      n = next_cp(p, e, &cp);
    }
    if (!py_space(cp)) break;
    e = p;
  }
  return {b, static_cast<std::size_t>(e - b)};
}

std::size_t count_cps(std::string_view s) {
  std::size_t n = 0;
  const char* p = s.data();
  const char* e = p + s.size();
  while (p < e) {
    uint32_t cp;
    p += next_cp(p, e, &cp);
    ++n;
  }
  return n;
}

}  // namespace

struct VaderLexicon::Impl {
  WordTable words;
  std::size_t lexicon_keys = 0;
  // Emoji descriptions by code point: open addressing over non-ASCII code points
  // (slot = code point, index + 1 into emoji_desc); ASCII keys use a flat array.
  std::vector<std::pair<uint32_t, uint32_t>> emoji_slots;
  std::vector<std::string> emoji_desc;
  std::size_t emoji_count = 0;
  static std::size_t emoji_hash(uint32_t cp, std::size_t mask) {
    return (static_cast<std::size_t>(cp) * 0x9E3779B97F4A7C15ull >> 32) & mask;
  }
  const std::string* find_emoji(uint32_t cp) const {
    const std::size_t mask = emoji_slots.size() - 1;
    for (std::size_t i = emoji_hash(cp, mask);; i = (i + 1) & mask) {
      const auto& slot = emoji_slots[i];
      if (slot.second == 0) return nullptr;
      if (slot.first == cp) return &emoji_desc[slot.second - 1];
    }
  }
  void set_emoji(uint32_t cp, std::string desc) {
    const std::size_t mask = emoji_slots.size() - 1;
    std::size_t i = emoji_hash(cp, mask);
    while (emoji_slots[i].second != 0 && emoji_slots[i].first != cp) i = (i + 1) & mask;
    if (emoji_slots[i].second != 0) {
      emoji_desc[emoji_slots[i].second - 1] = std::move(desc);  // last line wins
      return;
    }
    if ((emoji_count + 1) * 2 > emoji_slots.size()) {  // keep the load under 1/2
      std::vector<std::pair<uint32_t, uint32_t>> old = std::move(emoji_slots);
      emoji_slots.assign(old.size() * 2, {0, 0});
      for (const auto& o : old) {
        if (o.second == 0) continue;
        std::size_t j = emoji_hash(o.first, emoji_slots.size() - 1);
        while (emoji_slots[j].second != 0) j = (j + 1) & (emoji_slots.size() - 1);
        emoji_slots[j] = o;
      }
      set_emoji(cp, std::move(desc));
      return;
    }
    emoji_desc.push_back(std::move(desc));
    emoji_slots[i] = {cp, static_cast<uint32_t>(emoji_desc.size())};
    ++emoji_count;
  }
  std::string ascii_emoji[128];
  bool has_ascii_emoji[128] = {};
  bool any_ascii_emoji = false;
  // SPECIAL_CASES and the multi-word BOOSTER_DICT keys, split into words.
  struct Phrase {
    std::vector<std::string_view> words;
    double value;
  };
  std::vector<Phrase> special_cases;
  std::vector<Phrase> booster_ngrams;
};

namespace {

using Impl = VaderLexicon::Impl;

void add_rule_words(Impl& lx) {
  for (const char* w : kNegateWords) lx.words.insert(w).flags |= kNegate;
  for (const Booster& b : kBoosters) {
    std::string_view w = b.word;
    if (w.find(' ') != std::string_view::npos) {
      lx.booster_ngrams.push_back({split_words(w), b.value});
      for (auto part : lx.booster_ngrams.back().words) lx.words.insert(part).flags |= kIdiomWord;
    }
    WordInfo& info = lx.words.insert(w);
    info.flags |= kIsBooster;
    if (b.value < 0) info.flags |= kBoosterDecr;
  }
  for (const Booster& s : kSpecialCases) {
    lx.special_cases.push_back({split_words(s.word), s.value});
    for (auto part : lx.special_cases.back().words) lx.words.insert(part).flags |= kIdiomWord;
  }
  const std::pair<const char*, uint32_t> singles[] = {
      {"no", kNo},       {"or", kOrNor},    {"nor", kOrNor},       {"never", kNever},
      {"so", kSoThis},   {"this", kSoThis}, {"without", kWithout}, {"doubt", kDoubt},
      {"least", kLeast}, {"at", kAtVery},   {"very", kAtVery},     {"kind", kKind},
      {"of", kOf},       {"but", kBut}};
  for (const auto& [w, f] : singles) lx.words.insert(w).flags |= f;
}

// Splits text like Python's `text.rstrip('\n').split('\n')`, calling f(line_no, line).
template <typename F>
void for_each_line(std::string_view text, F&& f) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  std::size_t b = 0, line_no = 1;
  while (b <= text.size()) {
    std::size_t e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    f(line_no++, text.substr(b, e - b));
    b = e + 1;
  }
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size(), i = 0;
  while (i < n) {
    uint32_t cp;
    std::size_t k = score::decode_utf8(p + i, n - i, &cp);
    if (k == 0) return false;
    i += k;
  }
  return true;
}

// Python's float() for a lexicon measure: surrounding whitespace allowed, nothing else.
bool parse_measure(std::string_view s, double* out) {
  while (!s.empty() && (s.front() == ' ' || (s.front() >= '\t' && s.front() <= '\r')))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || (s.back() >= '\t' && s.back() <= '\r')))
    s.remove_suffix(1);
  if (s.empty()) return false;
  std::string_view num = s.front() == '+' ? s.substr(1) : s;
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), *out);
  return ec == std::errc() && ptr == num.data() + num.size();
}

std::string read_file(const std::string& path, std::string& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors += path + ": cannot open: " + std::strerror(errno) + "\n";
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void load_lexicon_text(Impl& lx, std::string_view name, std::string_view text,
                       std::string& errors) {
  if (!valid_utf8(text)) {
    errors += std::string(name) + ": not valid UTF-8\n";
    return;
  }
  for_each_line(text, [&](std::size_t line_no, std::string_view line) {
    if (line.empty()) return;  // make_lex_dict skips empty lines
    std::string_view s = py_strip(line);
    std::size_t tab = s.find('\t');
    if (tab == std::string_view::npos) {
      errors += std::string(name) + ":" + std::to_string(line_no) +
                ": expected 'word<TAB>valence', found no tab\n";
      return;
    }
    std::string_view word = s.substr(0, tab);
    std::string_view rest = s.substr(tab + 1);
    std::string_view measure = rest.substr(0, rest.find('\t'));
    double v;
    if (!parse_measure(measure, &v)) {
      errors += std::string(name) + ":" + std::to_string(line_no) + ": valence '" +
                std::string(measure) + "' is not a number\n";
      return;
    }
    WordInfo& info = lx.words.insert(word);
    if (!(info.flags & kInLexicon)) ++lx.lexicon_keys;
    info.flags |= kInLexicon;
    info.valence = v;  // a repeated key: the last line wins, as in a Python dict
  });
}

void load_emoji_text(Impl& lx, std::string_view name, std::string_view text, std::string& errors) {
  if (!valid_utf8(text)) {
    errors += std::string(name) + ": not valid UTF-8\n";
    return;
  }
  for_each_line(text, [&](std::size_t line_no, std::string_view line) {
    // make_emoji_dict would raise on an empty line; skipping it is the kinder reading.
    if (line.empty()) return;
    std::string_view s = py_strip(line);
    std::size_t tab = s.find('\t');
    if (tab == std::string_view::npos) {
      errors += std::string(name) + ":" + std::to_string(line_no) +
                ": expected 'emoji<TAB>description', found no tab\n";
      return;
    }
    std::string_view key = s.substr(0, tab);
    std::string_view rest = s.substr(tab + 1);
    std::string_view desc = rest.substr(0, rest.find('\t'));
    // polarity_scores() looks up one code point at a time, so a key of several code
    // points (flags, keycaps, sequences with U+FE0F) can never match: keep only singles.
    uint32_t cp;
    if (key.empty() || next_cp(key.data(), key.data() + key.size(), &cp) != key.size()) return;
    if (cp < 128) {
      lx.ascii_emoji[cp] = std::string(desc);
      lx.has_ascii_emoji[cp] = true;
      lx.any_ascii_emoji = true;
    } else {
      lx.set_emoji(cp, std::string(desc));
    }
  });
}

}  // namespace

VaderLexicon::VaderLexicon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VaderLexicon::~VaderLexicon() = default;

std::size_t VaderLexicon::lexicon_size() const {
  return impl_->lexicon_keys;
}
std::size_t VaderLexicon::emoji_size() const {
  return impl_->emoji_count +
         std::count(std::begin(impl_->has_ascii_emoji), std::end(impl_->has_ascii_emoji), true);
}

std::shared_ptr<const VaderLexicon> VaderLexicon::from_text(std::string_view lexicon_name,
                                                            std::string_view lexicon_text,
                                                            std::string_view emoji_name,
                                                            std::string_view emoji_text) {
  auto impl = std::make_unique<Impl>();
  impl->emoji_slots.assign(1 << 12, {0, 0});
  add_rule_words(*impl);
  std::string errors;
  load_lexicon_text(*impl, lexicon_name, lexicon_text, errors);
  load_emoji_text(*impl, emoji_name, emoji_text, errors);
  if (impl->lexicon_keys == 0 && errors.empty())
    errors += std::string(lexicon_name) + ": no lexicon entries\n";
  if (!errors.empty()) {
    errors.pop_back();
    throw VaderLexiconError(errors);
  }
  return std::make_shared<const VaderLexicon>(std::move(impl));
}

std::shared_ptr<const VaderLexicon> VaderLexicon::load(const std::string& lexicon_path,
                                                       const std::string& emoji_path) {
  std::string errors;
  std::string lex = read_file(lexicon_path, errors);
  std::string emo = emoji_path.empty() ? std::string() : read_file(emoji_path, errors);
  if (!errors.empty()) {
    errors.pop_back();
    throw VaderLexiconError(errors);
  }
  return from_text(lexicon_path, lex, emoji_path, emo);
}

// ---------------------------------------------------------------------------------------
// The analyzer.

namespace {

struct Token {
  uint32_t off, len;          // the token as VADER keeps it, in Scratch::text
  uint32_t low_off, low_len;  // its str.lower(), in Scratch::lower
  uint32_t flags;             // WordFlag bits of the lower-cased word
  bool upper;                 // str.isupper()
  double valence;             // lexicon valence when flags has kInLexicon
};

// str.isupper(): no lower/title-case character and at least one upper-case one.
bool py_isupper(std::string_view s) {
  bool cased = false;
  const char* p = s.data();
  const char* e = p + s.size();
  while (p < e) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c < 0x80) {
      if (c >= 'a' && c <= 'z') return false;
      if (c >= 'A' && c <= 'Z') cased = true;
      ++p;
      continue;
    }
    uint32_t cp;
    p += next_cp(p, e, &cp);
    if (in_ranges(kPyRejectUpper, cp)) return false;
    if (!cased && in_ranges(kPyUpper, cp)) cased = true;
  }
  return cased;
}

// str.lower() appended to out. The context-dependent final sigma (U+03A3 at a word end
// becomes U+03C2 in Python) is not reproduced: it matters only for Greek lexicon keys.
std::size_t py_lower(std::string_view s, char* out) {
  char* o = out;
  const char* p = s.data();
  const char* e = p + s.size();
  while (p < e) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c < 0x80) {
      *o++ = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      ++p;
      continue;
    }
    uint32_t cp;
    const std::size_t n = next_cp(p, e, &cp);
    const LowerMap* it = std::lower_bound(std::begin(kPyLower), std::end(kPyLower), cp,
                                          [](const LowerMap& m, uint32_t c) { return m.cp < c; });
    if (it != std::end(kPyLower) && it->cp == cp) {
      std::memcpy(o, it->utf8, it->len);
      o += it->len;
    } else {
      std::memcpy(o, p, n);
      o += n;
    }
    p += n;
  }
  return static_cast<std::size_t>(o - out);
}

}  // namespace

struct VaderAnalyzer::Scratch {
  std::string text;   // the text after emoji replacement
  std::string lower;  // lower-cased tokens, back to back
  std::vector<Token> tokens;
  std::vector<double> sentiments;
};

VaderAnalyzer::VaderAnalyzer(std::shared_ptr<const VaderLexicon> lexicon)
    : lexicon_(std::move(lexicon)), scratch_(std::make_unique<Scratch>()) {}
VaderAnalyzer::~VaderAnalyzer() = default;

namespace {

// Helpers over the token list; `w` is the token vector, `low` the lower-case arena.
struct Words {
  const std::vector<Token>& t;
  const std::string& low;
  std::size_t size() const { return t.size(); }
  std::string_view lower(std::size_t i) const { return {low.data() + t[i].low_off, t[i].low_len}; }
  bool has(std::size_t i, uint32_t f) const { return (t[i].flags & f) != 0; }
  bool in_lexicon(std::size_t i) const { return has(i, kInLexicon); }
};

bool phrase_is(const Impl::Phrase& p, const Words& w, std::size_t first, std::size_t n) {
  if (p.words.size() != n) return false;
  for (std::size_t k = 0; k < n; ++k)
    if (p.words[k] != w.lower(first + k)) return false;
  return true;
}

// Value of the first phrase in `ps` equal to words [first, first+n), if any.
const Impl::Phrase* find_phrase(const std::vector<Impl::Phrase>& ps, const Words& w,
                                std::size_t first, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k)
    if (!w.has(first + k, kIdiomWord)) return nullptr;
  for (const auto& p : ps)
    if (phrase_is(p, w, first, n)) return &p;
  return nullptr;
}

// negated([word]): the word is in NEGATE or contains "n't" (both folded into kNegate).
inline bool negated(const Words& w, std::size_t i) {
  return w.has(i, kNegate);
}

// scalar_inc_dec()
double scalar_inc_dec(const Words& w, std::size_t j, double valence, bool is_cap_diff) {
  double scalar = 0.0;
  if (w.has(j, kIsBooster)) {
    scalar = w.has(j, kBoosterDecr) ? kBDecr : kBIncr;
    if (valence < 0) scalar *= -1;
    if (w.t[j].upper && is_cap_diff) {
      if (valence > 0)
        scalar += kCIncr;
      else
        scalar -= kCIncr;
    }
  }
  return scalar;
}

// _negation_check()
double negation_check(double valence, const Words& w, int start_i, std::size_t i) {
  if (start_i == 0) {
    if (negated(w, i - 1)) valence = valence * kNScalar;
  } else if (start_i == 1) {
    if (w.has(i - 2, kNever) && w.has(i - 1, kSoThis)) {
      valence = valence * 1.25;
    } else if (w.has(i - 2, kWithout) && w.has(i - 1, kDoubt)) {
      // unchanged
    } else if (negated(w, i - 2)) {
      valence = valence * kNScalar;
    }
  } else {
    // Python: `a == "never" and (b in so/this) or (c in so/this)`: the "or" binds last,
    // so "so"/"this" right before the word multiplies by 1.25 whatever precedes it.
    if ((w.has(i - 3, kNever) && w.has(i - 2, kSoThis)) || w.has(i - 1, kSoThis)) {
      valence = valence * 1.25;
    } else if (w.has(i - 3, kWithout) && (w.has(i - 2, kDoubt) || w.has(i - 1, kDoubt))) {
      // unchanged
    } else if (negated(w, i - 3)) {
      valence = valence * kNScalar;
    }
  }
  return valence;
}

// _special_idioms_check(); only reached with i >= 3.
double special_idioms_check(double valence, const Words& w, std::size_t i, const Impl& lx) {
  // onezero, twoonezero, twoone, threetwoone, threetwo: the first that is a special case.
  const std::pair<std::size_t, std::size_t> seqs[] = {
      {i - 1, 2}, {i - 2, 3}, {i - 2, 2}, {i - 3, 3}, {i - 3, 2}};
  for (const auto& [first, n] : seqs) {
    if (const auto* p = find_phrase(lx.special_cases, w, first, n)) {
      valence = p->value;
      break;
    }
  }
  if (w.size() - 1 > i) {
    if (const auto* p = find_phrase(lx.special_cases, w, i, 2)) valence = p->value;
  }
  if (w.size() - 1 > i + 1) {
    if (const auto* p = find_phrase(lx.special_cases, w, i, 3)) valence = p->value;
  }
  // Booster n-grams ("kind of", "sort of", "just enough") before the word are added
  // without the sign of the valence, unlike single boosters.
  const std::pair<std::size_t, std::size_t> ngrams[] = {{i - 3, 3}, {i - 3, 2}, {i - 2, 2}};
  for (const auto& [first, n] : ngrams) {
    if (const auto* p = find_phrase(lx.booster_ngrams, w, first, n)) valence = valence + p->value;
  }
  return valence;
}

// _least_check()
double least_check(double valence, const Words& w, std::size_t i) {
  if (i > 1 && !w.in_lexicon(i - 1) && w.has(i - 1, kLeast)) {
    // "at least" and "very least" do not negate; "least" elsewhere does.
    if (!(w.has(i - 2, kAtVery))) valence = valence * kNScalar;
  } else if (i > 0 && !w.in_lexicon(i - 1) && w.has(i - 1, kLeast)) {
    valence = valence * kNScalar;
  }
  return valence;
}

// sentiment_valence() for a token that is not a booster and not "kind" of "kind of".
double sentiment_valence(const Words& w, std::size_t i, bool is_cap_diff, const Impl& lx) {
  if (!w.in_lexicon(i)) return 0;
  const double lex_value = w.t[i].valence;
  double valence = lex_value;
  const std::size_t n = w.size();
  // "no" before another lexicon word negates that word instead of counting itself.
  if (w.has(i, kNo) && i != n - 1 && w.in_lexicon(i + 1)) valence = 0.0;
  if ((i > 0 && w.has(i - 1, kNo)) || (i > 1 && w.has(i - 2, kNo)) ||
      (i > 2 && w.has(i - 3, kNo) && w.has(i - 1, kOrNor)))
    valence = lex_value * kNScalar;
  if (w.t[i].upper && is_cap_diff) {
    if (valence > 0)
      valence += kCIncr;
    else
      valence -= kCIncr;  // also for a valence of exactly 0, as VADER does
  }
  for (int start_i = 0; start_i < 3; ++start_i) {
    const std::size_t j = i - (start_i + 1);
    if (i > static_cast<std::size_t>(start_i) && !w.in_lexicon(j)) {
      double s = scalar_inc_dec(w, j, valence, is_cap_diff);
      if (start_i == 1 && s != 0) s = s * 0.95;
      if (start_i == 2 && s != 0) s = s * 0.9;
      valence = valence + s;
      valence = negation_check(valence, w, start_i, i);
      if (start_i == 2) valence = special_idioms_check(valence, w, i, lx);
    }
  }
  return least_check(valence, w, i);
}

// Positions holding each value, for the list.index() lookups of long texts: a min-heap
// of positions per value (position si is always the smallest of its value, and moves to
// the value v * factor), so a text of n tokens costs O(n log n), not O(n^2) as in Python.
// Only texts over kButIndexMin tokens use it; it allocates (rare, long texts only).
constexpr std::size_t kButIndexMin = 128;

uint64_t value_key(double v) {
  if (v == 0) v = 0.0;  // -0.0 == 0.0
  uint64_t k;
  std::memcpy(&k, &v, sizeof k);
  return k;
}

void scale_first_equal(std::vector<double>& s, std::size_t bi) {
  using MinHeap = std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<uint32_t>>;
  std::unordered_map<uint64_t, MinHeap> where;
  for (std::size_t k = 0; k < s.size(); ++k)
    if (!std::isnan(s[k])) where[value_key(s[k])].push(static_cast<uint32_t>(k));
  for (std::size_t k = 0; k < s.size(); ++k) {
    const double v = s[k];
    if (std::isnan(v)) {  // equal to nothing: the naive scan stops at k itself
      if (k < bi) s[k] = v * 0.5;
      if (k > bi) s[k] = v * 1.5;
      continue;
    }
    MinHeap& heap = where[value_key(v)];
    const std::size_t si = heap.top();
    if (si == bi) continue;
    const double nv = v * (si < bi ? 0.5 : 1.5);
    s[si] = nv;
    if (value_key(nv) == value_key(v)) continue;  // 0 stays 0: the heaps do not change
    heap.pop();
    if (!std::isnan(nv)) where[value_key(nv)].push(static_cast<uint32_t>(si));
  }
}

// _but_check(), including its list.index() behaviour: for each position k in order, the
// value v = s[k] is looked up again with s.index(v), the FIRST position holding an equal
// value (0 == -0.0), and that position is the one scaled (x0.5 before the first "but",
// x1.5 after it, untouched at it). With repeated values the scaling lands on the wrong
// element, or on the same element twice; we do exactly that.
void but_check(const Words& w, std::vector<double>& s) {
  std::size_t bi = w.size();
  for (std::size_t k = 0; k < w.size(); ++k)
    if (w.has(k, kBut)) {
      bi = k;
      break;
    }
  if (bi == w.size()) return;
  if (s.size() > kButIndexMin) {
    scale_first_equal(s, bi);
    return;
  }
  for (std::size_t k = 0; k < s.size(); ++k) {
    const double v = s[k];
    std::size_t si = 0;
    while (si < k && !(s[si] == v)) ++si;  // s[k] == v, so at most k (a NaN stays at k)
    if (si < bi)
      s[si] = v * 0.5;
    else if (si > bi)
      s[si] = v * 1.5;
  }
}

// normalize()
double normalize(double score) {
  const double norm = score / std::sqrt((score * score) + 15);
  if (norm < -1.0) return -1.0;
  if (norm > 1.0) return 1.0;
  return norm;
}

}  // namespace

VaderScores VaderAnalyzer::polarity_scores(std::string_view input) {
  const Impl& lx = lexicon_->impl();
  Scratch& sc = *scratch_;

  // 1. Emoji replacement, one code point at a time: a description is preceded by a
  //    space unless the previous character was ' ' (only U+0020 counts), and nothing is
  //    added after it ("💘abc" -> "heart with arrowabc").
  sc.text.clear();
  {
    bool prev_space = true;
    const char* p = input.data();
    const char* e = p + input.size();
    while (p < e) {
      const unsigned char c = static_cast<unsigned char>(*p);
      if (c < 0x80 && !lx.any_ascii_emoji) {  // a run of ASCII is copied as it is
        const char* q = p + 1;
        while (q < e && static_cast<unsigned char>(*q) < 0x80) ++q;
        sc.text.append(p, q);
        prev_space = q[-1] == ' ';
        p = q;
        continue;
      }
      if (c < 0x80) {
        if (lx.has_ascii_emoji[c]) {
          if (!prev_space) sc.text += ' ';
          sc.text += lx.ascii_emoji[c];
          prev_space = false;
        } else {
          sc.text += static_cast<char>(c);
          prev_space = c == ' ';
        }
        ++p;
        continue;
      }
      uint32_t cp;
      std::size_t n = next_cp(p, e, &cp);
      if (const std::string* desc = lx.find_emoji(cp)) {
        if (!prev_space) sc.text += ' ';
        sc.text += *desc;
        prev_space = false;
      } else {
        sc.text.append(p, n);
        prev_space = false;
      }
      p += n;
    }
  }
  const std::size_t text_len = sc.text.size();
  sc.text.append(8, '\0');  // slack for the 8-byte loads of the tokeniser
  const std::string_view text = py_strip(std::string_view(sc.text.data(), text_len));

  // 2. SentiText: whitespace split; each token loses leading/trailing ASCII punctuation
  //    unless that leaves 2 code points or fewer (then it is kept whole: ":)", "(:").
  sc.tokens.clear();
  if (sc.tokens.capacity() < text.size() / 2 + 1) sc.tokens.reserve(text.size() / 2 + 1);
  // Lower-casing never makes a text more than 3 times longer (U+0130 -> "i" U+0307 is
  // the worst case: 2 bytes -> 3), so one size check per text covers every token.
  if (sc.lower.size() < 3 * text.size() + 16) sc.lower.resize(3 * text.size() + 16);
  std::size_t lower_used = 0;
  {
    const char* p = text.data();
    const char* e = p + text.size();
    while (p < e) {
      uint32_t cp;
      std::size_t n = next_cp(p, e, &cp);
      if (py_space(cp)) {
        p += n;
        continue;
      }
      const char* b = p;
      p += n;
      while (p < e) {
        // Skip 8 bytes at a time while none can end the word: whitespace is either an
        // ASCII byte <= 0x20 or part of a non-ASCII sequence (reading into the slack).
        uint64_t x;
        std::memcpy(&x, p, 8);
        const uint64_t stop = (x & kHigh) | bytes_in(x & ~kHigh, 0, 0x20);
        if (stop == 0) {
          p += 8;
          continue;
        }
        p += __builtin_ctzll(stop) >> 3;
        if (p >= e) break;
        if (static_cast<unsigned char>(*p) < 0x80) {  // ASCII: no decoding needed
          if (py_space(static_cast<unsigned char>(*p))) break;
          ++p;
          continue;
        }
        n = next_cp(p, e, &cp);
        if (py_space(cp)) break;
        p += n;
      }
      if (p > e) p = e;
      std::string_view tok(b, static_cast<std::size_t>(p - b));
      std::string_view stripped = tok;
      while (!stripped.empty() && py_punct(static_cast<unsigned char>(stripped.front())))
        stripped.remove_prefix(1);
      while (!stripped.empty() && py_punct(static_cast<unsigned char>(stripped.back())))
        stripped.remove_suffix(1);
      // More than 8 bytes are at least 3 code points; fewer are counted (ASCII: bytes).
      if (stripped.size() > 2) {
        bool ascii = stripped.size() > 8;
        if (!ascii) {
          unsigned char any = 0;
          for (char c : stripped) any |= static_cast<unsigned char>(c);
          ascii = any < 0x80;
        }
        if (ascii || count_cps(stripped) > 2) tok = stripped;
      }
      Token t;
      t.off = static_cast<uint32_t>(tok.data() - sc.text.data());
      t.len = static_cast<uint32_t>(tok.size());
      t.low_off = static_cast<uint32_t>(lower_used);
      // ASCII tokens (nearly all in English text): lower-case, hash and case facts in one
      // pass; anything else goes through the Unicode tables.
      // 8 bytes at a time; sc.text and sc.lower have >= 8 bytes of slack past the text,
      // so whole-word loads and stores stay inside them (bytes past the token are masked).
      char* dst = sc.lower.data() + lower_used;
      uint64_t h = hash_start(tok.size());
      uint64_t lower_seen = 0, upper_seen = 0, apos_seen = 0, high_seen = 0;
      for (std::size_t k = 0; k < tok.size(); k += 8) {
        uint64_t x;
        std::memcpy(&x, tok.data() + k, 8);
        if (tok.size() - k < 8) x &= (uint64_t{1} << (8 * (tok.size() - k))) - 1;
        high_seen |= x & kHigh;
        if (high_seen) break;
        const uint64_t up = bytes_in(x, 'A', 'Z');
        upper_seen |= up;
        lower_seen |= bytes_in(x, 'a', 'z');
        apos_seen |= bytes_in(x, '\'', '\'');
        x |= up >> 2;  // +0x20: 'A'..'Z' -> 'a'..'z'
        std::memcpy(dst + k, &x, 8);
        h = hash_step(h, x);
      }
      std::string_view low;
      bool apostrophe = apos_seen != 0;
      if (!high_seen) {
        low = std::string_view(dst, tok.size());
        h = finish_hash(h);
        t.upper = upper_seen && !lower_seen;
      } else {
        low = std::string_view(dst, py_lower(tok, dst));
        h = hash_bytes(low);
        t.upper = py_isupper(tok);
        apostrophe = true;
      }
      t.low_len = static_cast<uint32_t>(low.size());
      lower_used += low.size();
      const WordInfo* info = lx.words.find(low, h);
      t.flags = info ? info->flags : 0;
      t.valence = info ? info->valence : 0;
      if (apostrophe && low.find("n't") != std::string_view::npos) t.flags |= kNegate;
      sc.tokens.push_back(t);
    }
  }
  const Words w{sc.tokens, sc.lower};
  const std::size_t n = w.size();

  // allcap_differential(): some, but not all, tokens are ALL CAPS.
  std::size_t allcaps = 0;
  for (const Token& t : sc.tokens) allcaps += t.upper;
  const bool is_cap_diff = n - allcaps > 0 && n - allcaps < n;

  // 3. One sentiment per token.
  sc.sentiments.clear();
  for (std::size_t i = 0; i < n; ++i) {
    if (w.has(i, kIsBooster) || (i < n - 1 && w.has(i, kKind) && w.has(i + 1, kOf))) {
      sc.sentiments.push_back(0);
      continue;
    }
    sc.sentiments.push_back(sentiment_valence(w, i, is_cap_diff, lx));
  }
  but_check(w, sc.sentiments);

  // 4. score_valence()
  VaderScores out;
  if (sc.sentiments.empty()) return out;
  double sum_s = 0.0;  // Python 3.11's sum(): left to right, no compensation
  for (double s : sc.sentiments) sum_s += s;
  std::size_t ep_count = 0, qm_count = 0;  // text.count("!"), text.count("?")
  for (char c : text) {
    ep_count += c == '!';
    qm_count += c == '?';
  }
  if (ep_count > 4) ep_count = 4;
  const double ep_amplifier = static_cast<double>(ep_count) * 0.292;
  double qm_amplifier = 0;
  if (qm_count > 1) qm_amplifier = qm_count <= 3 ? static_cast<double>(qm_count) * 0.18 : 0.96;
  const double punct = ep_amplifier + qm_amplifier;
  if (sum_s > 0)
    sum_s += punct;
  else if (sum_s < 0)
    sum_s -= punct;
  const double compound = normalize(sum_s);

  double pos_sum = 0.0, neg_sum = 0.0;
  std::size_t neu_count = 0;
  for (double s : sc.sentiments) {
    if (s > 0) pos_sum += (s + 1);
    if (s < 0) neg_sum += (s - 1);
    if (s == 0) neu_count += 1;
  }
  if (pos_sum > std::fabs(neg_sum))
    pos_sum += punct;
  else if (pos_sum < std::fabs(neg_sum))
    neg_sum -= punct;
  const double total = pos_sum + std::fabs(neg_sum) + static_cast<double>(neu_count);
  out.pos = python_round(std::fabs(pos_sum / total), 3);
  out.neg = python_round(std::fabs(neg_sum / total), 3);
  out.neu = python_round(std::fabs(static_cast<double>(neu_count) / total), 3);
  out.compound = python_round(compound, 4);
  return out;
}

double python_round(double x, int ndigits) {
  if (!std::isfinite(x)) return x;
  // Fast path: x * 10^n is within a few ulps of the true product; unless that lands next
  // to a .5 tie, the nearest integer r is certain, and r / 10^n (both exact) is correctly
  // rounded by IEEE division, i.e. the double nearest the decimal, as Python returns.
  static constexpr double kPow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  if (ndigits >= 0 && ndigits <= 8 && std::fabs(x) < 1e6) {
    const double scaled = x * kPow10[ndigits];
    const double fl = std::floor(scaled);
    const double frac = scaled - fl;
    if (std::fabs(frac - 0.5) > 1e-6) {
      const double r = frac > 0.5 ? fl + 1 : fl;
      const double y = r / kPow10[ndigits];
      if (y == 0) return std::signbit(x) ? -0.0 : 0.0;
      return y;
    }
  }
  // std::to_chars with a precision prints the exact binary value correctly rounded
  // (ties to even), which is what CPython's round() computes with dtoa mode 3.
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, ndigits);
  double y = 0;
  std::from_chars(buf, r.ptr, y);
  if (y == 0) return std::signbit(x) ? -0.0 : 0.0;  // round(-0.00001, 4) is -0.0
  return y;
}

void append_python_float(double x, std::string& out) {
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed);
  std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
  out += s;
  if (s.find('.') == std::string_view::npos && std::isfinite(x)) out += ".0";
}

void append_scores_json(const VaderScores& s, std::string& out) {
  out += "{\"neg\":";
  append_python_float(s.neg, out);
  out += ",\"neu\":";
  append_python_float(s.neu, out);
  out += ",\"pos\":";
  append_python_float(s.pos, out);
  out += ",\"compound\":";
  append_python_float(s.compound, out);
  out += '}';
}

}  // namespace sentistream::vader

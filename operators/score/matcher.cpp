#include "operators/score/matcher.h"

#include <algorithm>
#include <array>

namespace sentistream::score {

// Builds the double array from sorted keys, depth first: a node covering keys[lo, hi)
// (which share their first `depth` bytes) gets the smallest base whose child cells are
// all free, searched from a hint that skips the densely filled front of the array
// (as darts does), so building is near-linear in the number of trie nodes.
class MatcherBuilder {
 public:
  explicit MatcherBuilder(std::vector<Matcher::Key>& keys) : keys_(keys) {}

  Matcher build() {
    std::sort(keys_.begin(), keys_.end(),
              [](const Matcher::Key& a, const Matcher::Key& b) { return a.bytes < b.bytes; });
    m_.cells_.assign(1024, {});
    m_.values_.assign(1024, Matcher::kNone);
    m_.cells_[0].check = -2;
    m_.cells_[0].base = 1 << 1;
    if (!keys_.empty()) place(0, 0, keys_.size(), 0);
    // Every base + byte stays inside the array, so walk() needs no bounds check.
    int32_t max_base = 0;
    for (const auto& c : m_.cells_) max_base = std::max(max_base, c.base >> 1);
    ensure(static_cast<std::size_t>(max_base) + 256);
    m_.cells_.shrink_to_fit();
    m_.values_.shrink_to_fit();
    build_filters();
    build_han_states();
    return std::move(m_);
  }

 private:
  void ensure(std::size_t size) {
    if (m_.cells_.size() >= size) return;
    const std::size_t n = std::max(size, m_.cells_.size() * 2);
    m_.cells_.resize(n);
    m_.values_.resize(n, Matcher::kNone);
  }

  static unsigned char byte_at(const Matcher::Key& k, std::size_t i) {
    return static_cast<unsigned char>(k.bytes[i]);
  }

  void place(int32_t node, std::size_t lo, std::size_t hi, std::size_t depth) {
    if (keys_[lo].bytes.size() == depth) {  // sorted: the key equal to the prefix is first
      m_.values_[node] = keys_[lo].value;
      m_.cells_[node].base |= 1;
      ++lo;
    }
    if (lo == hi) return;

    std::array<unsigned char, 256> labels{};
    std::array<std::size_t, 257> starts{};
    int k = 0;
    for (std::size_t i = lo; i < hi; ++i) {
      const unsigned char c = byte_at(keys_[i], depth);
      if (k == 0 || labels[k - 1] != c) {
        labels[k] = c;
        starts[k] = i;
        ++k;
      }
    }
    starts[k] = hi;

    const int32_t base = find_base(labels.data(), k);
    m_.cells_[node].base = (base << 1) | (m_.cells_[node].base & 1);
    for (int j = 0; j < k; ++j) m_.cells_[base + labels[j]].check = node;
    for (int j = 0; j < k; ++j) place(base + labels[j], starts[j], starts[j + 1], depth + 1);
  }

  int32_t find_base(const unsigned char* labels, int k) {
    std::size_t pos = std::max<std::size_t>(next_check_, labels[0] + 1);
    std::size_t occupied = 0;
    const std::size_t first = pos;
    for (;; ++pos) {
      ensure(pos + 257);
      if (m_.cells_[pos].check != -1) {
        ++occupied;
        continue;
      }
      const std::size_t base = pos - labels[0];
      if (base < 1) continue;
      bool ok = true;
      for (int j = 1; j < k && ok; ++j) ok = m_.cells_[base + labels[j]].check == -1;
      if (!ok) continue;
      // The scanned stretch is nearly full: start later searches after it.
      if (occupied * 20 >= (pos - first + 1) * 19) next_check_ = pos;
      return static_cast<int32_t>(base);
    }
  }

  static void size_bits(Matcher::Bits& b, std::size_t count) {
    std::size_t bits = 1024;  // >= 16 bits per key: ~6% false positives
    while (bits < count * 16 && bits < (std::size_t{1} << 26)) bits *= 2;
    b.words.assign(bits / 64, 0);
    b.shift = 64 - std::countr_zero(bits);
  }

  static void set_cp(std::vector<uint64_t>& bmp, Matcher::Bits& astral, uint32_t cp) {
    if (cp < 0x10000) {
      bmp[cp >> 6] |= 1ull << (cp & 63);
    } else {
      astral.set(cp);
    }
  }

  void build_han_states() {
    const Matcher::Cell* cells = m_.cells_.data();
    for (uint32_t cp = Matcher::kHanFirst; cp <= Matcher::kHanLast; ++cp) {
      const unsigned char bytes[3] = {static_cast<unsigned char>(0xE0 | (cp >> 12)),
                                      static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F)),
                                      static_cast<unsigned char>(0x80 | (cp & 0x3F))};
      int32_t s = 0;
      for (unsigned char b : bytes) {
        const int32_t t = (cells[s].base >> 1) + kFold[b];
        if (cells[t].check != s) {
          s = 0;
          break;
        }
        s = t;
      }
      m_.han_state_[cp - Matcher::kHanFirst] = s;
    }
  }

  void build_filters() {
    struct Entry {
      enum { word, word_pair, cp_pair } kind;
      uint64_t key;
    };
    std::vector<Entry> entries;
    size_bits(m_.first_astral_, 256);  // emoji: a few hundred first code points
    size_bits(m_.single_astral_, 256);
    std::size_t markers = 0;
    for (const auto& k : keys_) markers += k.marker;
    size_bits(m_.marker_word_, markers);
    size_bits(m_.marker_cp_, markers);
    std::string padded;
    for (const auto& k : keys_) {
      padded.assign(k.bytes);
      padded.append(kFilterPadding, '\0');
      const auto* p = reinterpret_cast<const unsigned char*>(padded.data());
      const auto* end = p + k.bytes.size();
      if (kByteClass[p[0]] == kWord) {
        const auto* e1 = word_run_end(p, end);
        const uint64_t run1 = word_run_hash(p, static_cast<std::size_t>(e1 - p));
        if (k.marker) m_.marker_word_.set_mixed(run1);
        // Pair only when the text scanner would also form it: one ASCII separator byte,
        // then a second run.
        if (e1 + 1 < end && *e1 < 0x80 && kByteClass[e1[1]] == kWord) {
          const auto* e2 = word_run_end(e1 + 1, end);
          const uint64_t run2 = word_run_hash(e1 + 1, static_cast<std::size_t>(e2 - e1 - 1));
          entries.push_back({Entry::word_pair, word_pair_key(run1, *e1, run2)});
        } else {
          entries.push_back({Entry::word, run1});
        }
        continue;
      }
      const uint32_t cp1 = folded_code_point(p);
      set_cp(m_.first_bmp_, m_.first_astral_, cp1);
      if (k.marker) m_.marker_cp_.set(cp1);
      const std::size_t len1 = utf8_len(p[0]);
      if (k.bytes.size() == len1) {
        set_cp(m_.single_bmp_, m_.single_astral_, cp1);
      } else {
        const uint32_t cp2 = folded_code_point(p + len1);
        entries.push_back({Entry::cp_pair, (static_cast<uint64_t>(cp1) << 21) | cp2});
      }
    }
    std::size_t counts[3] = {};
    for (const auto& e : entries) ++counts[e.kind];
    size_bits(m_.word_, counts[Entry::word]);
    size_bits(m_.word_pair_, counts[Entry::word_pair]);
    size_bits(m_.cp_pair_, counts[Entry::cp_pair]);
    for (const auto& e : entries) {
      switch (e.kind) {
        case Entry::word:
          m_.word_.set_mixed(e.key);
          break;
        case Entry::word_pair:
          m_.word_pair_.set_mixed(e.key);
          break;
        case Entry::cp_pair:
          m_.cp_pair_.set(e.key);
          break;
      }
    }
  }

  std::vector<Matcher::Key>& keys_;
  Matcher m_;
  std::size_t next_check_ = 1;
};

Matcher::Matcher() : cells_(257), values_(257, kNone) {
  cells_[0].check = -2;
  cells_[0].base = 1 << 1;
}

Matcher Matcher::build(std::vector<Key> keys) {
  return MatcherBuilder(keys).build();
}

}  // namespace sentistream::score

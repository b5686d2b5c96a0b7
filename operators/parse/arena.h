// ScratchArena: bump allocator for the bytes the parser has to rewrite (decoded HTML,
// numbers turned into id strings, reject details). Internal to operators/parse.
//
// Lifetime: memory handed out stays valid and never moves until reset(); the arena is
// made of chunks, and growing adds a chunk instead of reallocating, so string_views into
// earlier allocations survive later ones. The DocumentParser resets it once per document
// and keeps the chunks, so a warm parser allocates nothing.
// Threading: owned by one DocumentParser, not shared.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace sentistream::parse_detail {

class ScratchArena {
 public:
  explicit ScratchArena(std::size_t chunk_bytes = 64 * 1024) : chunk_bytes_(chunk_bytes) {}
  ScratchArena(const ScratchArena&) = delete;
  ScratchArena& operator=(const ScratchArena&) = delete;

  // Forget every allocation; keep the chunks for the next document.
  void reset() {
    current_ = 0;
    used_ = 0;
  }

  // n bytes, valid until reset(). Never returns nullptr (throws std::bad_alloc like new).
  char* allocate(std::size_t n) {
    while (true) {
      if (current_ < chunks_.size()) {
        Chunk& c = chunks_[current_];
        if (c.size - used_ >= n) {
          char* p = c.data.get() + used_;
          used_ += n;
          last_ = p;
          return p;
        }
        // Does not fit: move on; the tail of this chunk stays unused until reset().
        ++current_;
        used_ = 0;
        continue;
      }
      const std::size_t size = n > chunk_bytes_ ? n : chunk_bytes_;
      chunks_.push_back(Chunk{std::make_unique<char[]>(size), size});
    }
  }

  // Gives back the unused tail of the most recent allocation p (of which only `used`
  // bytes were written). Lets callers allocate an upper bound, then keep what they wrote.
  std::string_view commit(char* p, std::size_t used) {
    if (p == last_ && current_ < chunks_.size()) {
      used_ = static_cast<std::size_t>(p - chunks_[current_].data.get()) + used;
    }
    return {p, used};
  }

  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // Total bytes reserved in chunks (for tests: it must stop growing once warm).
  std::size_t reserved_bytes() const {
    std::size_t total = 0;
    for (const Chunk& c : chunks_) total += c.size;
    return total;
  }

 private:
  struct Chunk {
    std::unique_ptr<char[]> data;
    std::size_t size;
  };
  std::vector<Chunk> chunks_;
  std::size_t chunk_bytes_;
  std::size_t current_ = 0;  // chunk being filled
  std::size_t used_ = 0;     // bytes used in chunks_[current_]
  char* last_ = nullptr;     // start of the most recent allocation
};

// Appends pieces into one arena allocation of a known upper bound. Used for reject details
// ("created_at: '5分钟前' ..."), so values are cut at `max_piece` bytes on a UTF-8 boundary.
class ArenaText {
 public:
  ArenaText(ScratchArena& arena, std::size_t capacity)
      : arena_(arena), p_(arena.allocate(capacity)), cap_(capacity) {}
  ArenaText& add(std::string_view s) {
    const std::size_t n = s.size() < cap_ - len_ ? s.size() : cap_ - len_;
    if (n) std::memcpy(p_ + len_, s.data(), n);  // s.data() may be null when empty
    len_ += n;
    return *this;
  }
  // Adds at most max_bytes of s, never splitting a UTF-8 sequence; marks the cut with "…".
  ArenaText& add_clipped(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return add(s);
    std::size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return add(s.substr(0, n)).add("\xE2\x80\xA6");
  }
  ArenaText& add_uint(unsigned long long v) {
    char buf[24];
    int i = 24;
    do {
      buf[--i] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    return add(std::string_view(buf + i, static_cast<std::size_t>(24 - i)));
  }
  std::string_view view() { return arena_.commit(p_, len_); }

 private:
  ScratchArena& arena_;
  char* p_;
  std::size_t cap_;
  std::size_t len_ = 0;
};

}  // namespace sentistream::parse_detail

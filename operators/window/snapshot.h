// Binary snapshot encoding for WindowOperator::save / restore (format: README.md
// "Snapshots").
//
// Everything is little-endian and fixed-width; nothing depends on pointers or on hash-map
// layouts, so the same state always encodes to the same bytes. The frame is
//   magic "SSWINDOW" | u32 version | u32 reserved (0) | u64 payload size | u64 checksum
// followed by the payload: tagged sections (u32 tag, u64 size, body). Every read is
// length-checked; every problem is a std::runtime_error starting "window checkpoint: ".
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "operators/window/accumulator.h"
#include "operators/window/interner.h"
#include "operators/window/window.h"

namespace sentistream::window_internal {

inline constexpr uint32_t kSnapshotVersion = 1;

// Host <-> little-endian (a no-op on the usual hosts).
template <class T>
T to_little(T v) {
  if constexpr (std::endian::native == std::endian::big) {
    if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(v));
    if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(v));
    if constexpr (sizeof(T) == 8) return static_cast<T>(__builtin_bswap64(v));
  }
  return v;
}

// Section tags: four ASCII characters read as a little-endian u32.
constexpr uint32_t section_tag(const char (&name)[5]) {
  return static_cast<uint32_t>(static_cast<uint8_t>(name[0])) |
         static_cast<uint32_t>(static_cast<uint8_t>(name[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(name[2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(name[3])) << 24;
}

// 64-bit multiply-rotate hash over 8-byte little-endian words (then the tail and the
// length), finished with fmix64. Detects corruption, not tampering.
uint64_t snapshot_checksum(std::string_view payload);

class SnapshotWriter {
 public:
  // Reserves the frame header at the end of `out`; finish() fills it in.
  explicit SnapshotWriter(std::string& out);
  void finish();

  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { put(v); }
  void u32(uint32_t v) { put(v); }
  void u64(uint64_t v) { put(v); }
  void i64(int64_t v) { put(static_cast<uint64_t>(v)); }
  void i128(int128 v) {
    const auto u = static_cast<unsigned __int128>(v);
    put(static_cast<uint64_t>(u));
    put(static_cast<uint64_t>(u >> 64));
  }
  void str(std::string_view s) {  // u32 length + bytes
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  void raw(const void* data, std::size_t n) { out_.append(static_cast<const char*>(data), n); }

  // Sections: begin returns a handle for end, which patches the section size.
  std::size_t begin_section(uint32_t tag);
  void end_section(std::size_t handle);

 private:
  template <class T>
  void put(T v) {
    v = to_little(v);
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }

  std::string& out_;
  std::size_t frame_at_;
};

class SnapshotReader {
 public:
  // A reader over a whole frame: checks magic, version, size and checksum, then reads the
  // payload.
  static SnapshotReader open(std::string_view frame);

  uint8_t u8();
  uint16_t u16() { return get<uint16_t>(); }
  uint32_t u32() { return get<uint32_t>(); }
  uint64_t u64() { return get<uint64_t>(); }
  int64_t i64() { return static_cast<int64_t>(get<uint64_t>()); }
  int128 i128();
  std::string_view str();
  void raw(void* data, std::size_t n);
  bool boolean();  // a u8 that must be 0 or 1

  // A count of items each taking at least `min_bytes`: fails unless they can fit in what
  // is left, so corrupt counts never drive huge allocations or long loops.
  std::size_t count(uint64_t n, std::size_t min_bytes, const char* what);
  // The next section, which must carry `tag`; this reader moves past it.
  SnapshotReader section(uint32_t tag, const char* name);
  // Fails unless every byte was read.
  void expect_end(const char* what) const;
  [[noreturn]] static void fail(const std::string& problem);

 private:
  explicit SnapshotReader(std::string_view bytes) : data_(bytes) {}
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return to_little(v);
  }
  void need(std::size_t n) const;

  std::string_view data_;
  std::size_t pos_ = 0;
};

// WindowConfig: written in full; check_config names every difference.
void write_config(SnapshotWriter& w, const WindowConfig& c);
void check_config(SnapshotReader& r, const WindowConfig& now);

// Interned strings by id: id limit, live flag and text per id, free ids in reuse order.
// Reference counts are not written: the caller recomputes them from the state.
void write_interner(SnapshotWriter& w, const StringInterner& s);
void read_interner(SnapshotReader& r, StringInterner& s, const char* what);

// One (pane, group) accumulator, sketches included (HyperLogLog sparse list in its
// order or the dense registers; Space-Saving counters in position order). Hashtag ids
// must be live in `hashtags`.
void write_accumulator(SnapshotWriter& w, const Accumulator& a);
void read_accumulator(SnapshotReader& r, Accumulator& a, std::size_t hashtag_capacity,
                      const StringInterner& hashtags);

}  // namespace sentistream::window_internal

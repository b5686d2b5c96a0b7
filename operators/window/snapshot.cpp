#include "operators/window/snapshot.h"

#include <bit>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

#include "operators/window/flat_map.h"

namespace sentistream::window_internal {

namespace {

constexpr char kMagic[8] = {'S', 'S', 'W', 'I', 'N', 'D', 'O', 'W'};
constexpr std::size_t kHeaderSize = 8 + 4 + 4 + 8 + 8;
constexpr int64_t kMaxCount = int64_t{1} << 40;  // far above any real pane's row count

uint64_t load_le64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return to_little(v);
}

void store_le64(char* p, uint64_t v) {
  v = to_little(v);
  std::memcpy(p, &v, 8);
}

uint64_t rotl(uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

std::string join(const std::vector<std::string>& items) {
  std::string s = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) s += ", ";
    s += items[i];
  }
  return s + "]";
}

}  // namespace

uint64_t snapshot_checksum(std::string_view payload) {
  constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
  constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
  uint64_t h = 0x27D4EB2F165667C5ULL;
  const char* p = payload.data();
  std::size_t n = payload.size();
  for (; n >= 8; p += 8, n -= 8) h = rotl(h ^ (load_le64(p) * kPrime2), 31) * kPrime1;
  uint64_t tail = 0;
  for (std::size_t i = 0; i < n; ++i)
    tail |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  h = rotl(h ^ (tail * kPrime2), 31) * kPrime1;
  return mix64(h ^ payload.size());
}

// ------------------------------------------------------------------ writer

SnapshotWriter::SnapshotWriter(std::string& out) : out_(out), frame_at_(out.size()) {
  out_.append(kHeaderSize, '\0');
}

void SnapshotWriter::finish() {
  char* header = out_.data() + frame_at_;
  const std::string_view payload(header + kHeaderSize, out_.size() - frame_at_ - kHeaderSize);
  std::memcpy(header, kMagic, 8);
  const uint32_t version = to_little(kSnapshotVersion);
  std::memcpy(header + 8, &version, 4);
  std::memset(header + 12, 0, 4);
  store_le64(header + 16, payload.size());
  store_le64(header + 24, snapshot_checksum(payload));
}

std::size_t SnapshotWriter::begin_section(uint32_t tag) {
  u32(tag);
  const std::size_t at = out_.size();
  u64(0);
  return at;
}

void SnapshotWriter::end_section(std::size_t handle) {
  store_le64(out_.data() + handle, out_.size() - handle - 8);
}

// ------------------------------------------------------------------ reader

void SnapshotReader::fail(const std::string& problem) {
  throw std::runtime_error("window checkpoint: " + problem);
}

SnapshotReader SnapshotReader::open(std::string_view frame) {
  if (frame.size() < kHeaderSize) {
    fail("truncated (" + std::to_string(frame.size()) + " bytes, the header alone is " +
         std::to_string(kHeaderSize) + ")");
  }
  if (std::memcmp(frame.data(), kMagic, 8) != 0) fail("not a window state snapshot (bad magic)");
  uint32_t version;
  std::memcpy(&version, frame.data() + 8, 4);
  version = to_little(version);
  if (version != kSnapshotVersion) {
    fail("format version " + std::to_string(version) + ", this build reads version " +
         std::to_string(kSnapshotVersion));
  }
  uint32_t reserved;
  std::memcpy(&reserved, frame.data() + 12, 4);
  if (reserved != 0) fail("unknown header flags (written by a newer build?)");
  const uint64_t size = load_le64(frame.data() + 16);
  if (size != frame.size() - kHeaderSize) {
    fail("payload is " + std::to_string(frame.size() - kHeaderSize) + " bytes, header says " +
         std::to_string(size) + " (truncated or padded)");
  }
  const std::string_view payload = frame.substr(kHeaderSize);
  if (snapshot_checksum(payload) != load_le64(frame.data() + 24))
    fail("checksum mismatch (corrupted)");
  return SnapshotReader(payload);
}

void SnapshotReader::need(std::size_t n) const {
  if (n > data_.size() - pos_) {
    fail("truncated: needed " + std::to_string(n) + " bytes at offset " + std::to_string(pos_) +
         ", " + std::to_string(data_.size() - pos_) + " left");
  }
}

uint8_t SnapshotReader::u8() {
  need(1);
  return static_cast<uint8_t>(data_[pos_++]);
}

int128 SnapshotReader::i128() {
  const uint64_t lo = u64();
  const uint64_t hi = u64();
  return static_cast<int128>(static_cast<unsigned __int128>(hi) << 64 | lo);
}

std::string_view SnapshotReader::str() {
  const uint32_t n = u32();
  need(n);
  const std::string_view s = data_.substr(pos_, n);
  pos_ += n;
  return s;
}

void SnapshotReader::raw(void* data, std::size_t n) {
  need(n);
  std::memcpy(data, data_.data() + pos_, n);
  pos_ += n;
}

bool SnapshotReader::boolean() {
  const uint8_t v = u8();
  if (v > 1) fail("flag byte " + std::to_string(v) + " at offset " + std::to_string(pos_ - 1));
  return v != 0;
}

std::size_t SnapshotReader::count(uint64_t n, std::size_t min_bytes, const char* what) {
  if (min_bytes != 0 && n > (data_.size() - pos_) / min_bytes) {
    fail(std::string(what) + " count " + std::to_string(n) + " exceeds the remaining " +
         std::to_string(data_.size() - pos_) + " bytes");
  }
  return static_cast<std::size_t>(n);
}

SnapshotReader SnapshotReader::section(uint32_t tag, const char* name) {
  const uint32_t got = u32();
  if (got != tag)
    fail(std::string("expected section ") + name + " at offset " + std::to_string(pos_ - 4));
  const uint64_t size = u64();
  need(count(size, 1, name));
  SnapshotReader sub(data_.substr(pos_, size));
  pos_ += size;
  return sub;
}

void SnapshotReader::expect_end(const char* what) const {
  if (pos_ != data_.size()) {
    fail(std::to_string(data_.size() - pos_) + " unexpected bytes at the end of " + what);
  }
}

// ------------------------------------------------------------------ config

void write_config(SnapshotWriter& w, const WindowConfig& c) {
  w.u32(static_cast<uint32_t>(c.specs.size()));
  for (const WindowSpec& s : c.specs) {
    w.str(s.name);
    w.i64(s.size_ms);
    w.i64(s.slide_ms);
  }
  w.u32(static_cast<uint32_t>(c.group_by.size()));
  for (const Dimension d : c.group_by) w.u8(static_cast<uint8_t>(d));
  w.u32(static_cast<uint32_t>(c.marker_names.size()));
  for (const std::string& m : c.marker_names) w.str(m);
  w.i64(c.max_out_of_orderness_ms);
  w.i64(c.allowed_lateness_ms);
  w.i64(c.top_hashtags);
  w.i64(c.hashtag_capacity);
}

void check_config(SnapshotReader& r, const WindowConfig& now) {
  std::vector<std::string> differences;
  const auto differ = [&differences](const std::string& what, const std::string& then,
                                     const std::string& current) {
    differences.push_back("checkpoint was written with " + what + " " + then + ", config now has " +
                          current);
  };

  const auto spec_text = [](const WindowSpec& s) {
    // The name, unless it does not say what the sizes are (hand-built configs).
    const std::string canonical =
        s.size_ms == s.slide_ms ? format_duration(s.size_ms)
                                : format_duration(s.size_ms) + "/" + format_duration(s.slide_ms);
    return s.name == canonical ? s.name : s.name + " (" + canonical + ")";
  };
  std::vector<std::string> then_specs, now_specs;
  bool same = true;
  const std::size_t n_specs = r.count(r.u32(), 20, "window spec");
  for (std::size_t i = 0; i < n_specs; ++i) {
    WindowSpec s;
    s.name = std::string(r.str());
    s.size_ms = r.i64();
    s.slide_ms = r.i64();
    same = same && i < now.specs.size() && now.specs[i].name == s.name &&
           now.specs[i].size_ms == s.size_ms && now.specs[i].slide_ms == s.slide_ms;
    then_specs.push_back(spec_text(s));
  }
  for (const WindowSpec& s : now.specs) now_specs.push_back(spec_text(s));
  if (!same || n_specs != now.specs.size())
    differ("window specs", join(then_specs), join(now_specs));

  std::vector<std::string> then_dims, now_dims;
  const std::size_t n_dims = r.count(r.u32(), 1, "group_by");
  for (std::size_t i = 0; i < n_dims; ++i) {
    const uint8_t d = r.u8();
    std::string name = "#";  // a dimension this build does not know
    if (d <= static_cast<uint8_t>(Dimension::region)) {
      name = to_string(static_cast<Dimension>(d));
    } else {
      name.append(std::to_string(d));
    }
    then_dims.push_back(std::move(name));
  }
  for (const Dimension d : now.group_by) now_dims.emplace_back(to_string(d));
  if (then_dims != now_dims) differ("group_by", join(then_dims), join(now_dims));

  std::vector<std::string> then_markers;
  const std::size_t n_markers = r.count(r.u32(), 4, "marker category");
  for (std::size_t i = 0; i < n_markers; ++i) then_markers.emplace_back(r.str());
  if (then_markers != now.marker_names) {
    differ("marker categories", join(then_markers), join(now.marker_names));
  }

  const int64_t ooo = r.i64();
  if (ooo != now.max_out_of_orderness_ms) {
    differ("max_out_of_orderness", format_duration(ooo),
           format_duration(now.max_out_of_orderness_ms));
  }
  const int64_t lateness = r.i64();
  if (lateness != now.allowed_lateness_ms) {
    differ("allowed_lateness", format_duration(lateness), format_duration(now.allowed_lateness_ms));
  }
  const int64_t top = r.i64();
  if (top != now.top_hashtags)
    differ("top_hashtags", std::to_string(top), std::to_string(now.top_hashtags));
  const int64_t capacity = r.i64();
  if (capacity != now.hashtag_capacity) {
    differ("hashtag_capacity", std::to_string(capacity), std::to_string(now.hashtag_capacity));
  }
  r.expect_end("the config section");

  if (differences.empty()) return;
  std::string message = "does not match the window config (same config required): ";
  for (std::size_t i = 0; i < differences.size(); ++i) {
    if (i != 0) message += "; ";
    message += differences[i];
  }
  SnapshotReader::fail(message);
}

// ------------------------------------------------------------------ interner

void write_interner(SnapshotWriter& w, const StringInterner& s) {
  const std::size_t limit = s.id_limit();
  w.u32(static_cast<uint32_t>(limit));
  for (std::size_t id = 0; id < limit; ++id) {
    const bool live = s.live(static_cast<uint32_t>(id));
    w.u8(live ? 1 : 0);
    if (live) w.str(s.str(static_cast<uint32_t>(id)));
  }
  const std::vector<uint32_t>& free_ids = s.free_ids();
  w.u32(static_cast<uint32_t>(free_ids.size()));
  for (const uint32_t id : free_ids) w.u32(id);
}

void read_interner(SnapshotReader& r, StringInterner& s, const char* what) {
  const std::size_t limit = r.count(r.u32(), 1, what);
  std::vector<std::string> texts(limit);
  std::vector<uint8_t> live(limit, 0);
  for (std::size_t id = 0; id < limit; ++id) {
    live[id] = r.boolean() ? 1 : 0;
    if (live[id] != 0) texts[id] = std::string(r.str());
  }
  const std::size_t n_free = r.count(r.u32(), 4, what);
  std::vector<uint32_t> free_ids(n_free);
  for (uint32_t& id : free_ids) id = r.u32();
  if (std::string problem = s.assign(std::move(texts), live, std::move(free_ids));
      !problem.empty()) {
    SnapshotReader::fail(std::string(what) + ": " + problem);
  }
}

// ------------------------------------------------------------------ accumulator

namespace {

enum HllMode : uint8_t { kHllEmpty = 0, kHllSparse = 1, kHllDense = 2 };

void write_hll(SnapshotWriter& w, const HyperLogLog& h) {
  if (h.empty()) {
    w.u8(kHllEmpty);
  } else if (h.sparse()) {
    w.u8(kHllSparse);
    w.u16(static_cast<uint16_t>(h.sparse_size()));
    const uint32_t* list = h.sparse_list();
    for (std::size_t i = 0; i < h.sparse_size(); ++i) w.u32(list[i]);
  } else {
    w.u8(kHllDense);
    w.raw(h.registers()->data(), HyperLogLog::kRegisters);
  }
}

void read_hll(SnapshotReader& r, HyperLogLog& h) {
  const uint8_t mode = r.u8();
  if (mode == kHllEmpty) {
    h.reset();
  } else if (mode == kHllSparse) {
    const std::size_t n = r.count(r.u16(), 4, "sparse register");
    if (n > HyperLogLog::kSparseMax) SnapshotReader::fail("sparse register list too long");
    uint32_t entries[HyperLogLog::kSparseMax];
    std::vector<uint8_t> seen(HyperLogLog::kRegisters, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const uint32_t e = r.u32();
      const uint32_t index = e >> 8, value = e & 0xff;
      if (index >= HyperLogLog::kRegisters || value == 0 || value > HyperLogLog::kMaxRank ||
          seen[index] != 0) {
        SnapshotReader::fail("invalid sparse register entry");
      }
      seen[index] = 1;
      entries[i] = e;
    }
    h.restore_sparse(entries, n);
  } else if (mode == kHllDense) {
    HyperLogLog::Registers registers;
    r.raw(registers.data(), registers.size());
    std::size_t nonzero = 0;
    for (const uint8_t v : registers) {
      if (v > HyperLogLog::kMaxRank) SnapshotReader::fail("HyperLogLog register out of range");
      nonzero += v != 0;
    }
    if (nonzero <= HyperLogLog::kSparseMax)
      SnapshotReader::fail("dense HyperLogLog with few registers");
    h.restore_dense(registers);
  } else {
    SnapshotReader::fail("unknown HyperLogLog mode " + std::to_string(mode));
  }
}

}  // namespace

void write_accumulator(SnapshotWriter& w, const Accumulator& a) {
  w.i64(a.count);
  w.i64(a.sum);
  w.i128(a.sum_sq);
  for (const int64_t v : a.labels) w.i64(v);
  w.u8(static_cast<uint8_t>(a.markers.size()));
  for (const int64_t v : a.markers) w.i64(v);
  w.i128(a.sum_weight);
  w.i128(a.sum_weighted);
  write_hll(w, a.authors);
  const SpaceSaving& tags = a.hashtags;
  w.u32(static_cast<uint32_t>(tags.size()));
  w.u8(tags.tracking() ? 1 : 0);
  for (std::size_t i = 0; i < tags.size(); ++i) {
    w.u32(tags.id(i));
    w.i64(tags.count(i));
  }
}

void read_accumulator(SnapshotReader& r, Accumulator& a, std::size_t hashtag_capacity,
                      const StringInterner& hashtags) {
  a.count = r.i64();
  a.sum = r.i64();
  a.sum_sq = r.i128();
  for (int64_t& v : a.labels) v = r.i64();
  if (r.u8() != a.markers.size()) {
    SnapshotReader::fail("written with " + std::to_string(a.markers.size()) +
                         " marker slots per state by a different build");
  }
  for (int64_t& v : a.markers) v = r.i64();
  a.sum_weight = r.i128();
  a.sum_weighted = r.i128();
  // Bounds the emission arithmetic relies on (n * sum_sq and sum^2 in 128 bits), so a
  // consistent-looking but corrupt state cannot overflow it: compound in [-1e6, 1e6].
  const int128 n = a.count;
  bool ok = a.count >= 0 && a.count <= kMaxCount && a.sum >= -n * 1'000'000 &&
            a.sum <= n * 1'000'000 && a.sum_sq >= 0 && a.sum_sq <= n * 1'000'000'000'000;
  for (const int64_t v : a.labels) ok = ok && v >= 0 && v <= a.count;
  for (const int64_t v : a.markers) ok = ok && v >= 0 && v <= a.count;
  if (!ok) SnapshotReader::fail("accumulator sums out of range");
  read_hll(r, a.authors);

  const std::size_t n_tags = r.count(r.u32(), 12, "hashtag counter");
  const bool tracking = r.boolean();
  std::vector<uint32_t> ids(n_tags);
  std::vector<int64_t> counts(n_tags);
  for (std::size_t i = 0; i < n_tags; ++i) {
    ids[i] = r.u32();
    counts[i] = r.i64();
    if (!hashtags.live(ids[i]))
      SnapshotReader::fail("hashtag counter refers to an unknown hashtag");
  }
  if (std::string problem =
          a.hashtags.restore(ids.data(), counts.data(), n_tags, tracking, hashtag_capacity);
      !problem.empty()) {
    SnapshotReader::fail("hashtag summary: " + problem);
  }
}

}  // namespace sentistream::window_internal

#include "operators/window/interner.h"

#include <cstring>

#include "operators/window/flat_map.h"

namespace sentistream::window_internal {

uint64_t hash_bytes(std::string_view bytes) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  uint64_t h = 0x243F6A8885A308D3ULL ^ (bytes.size() * kMul);
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = (h ^ mix64(word)) * kMul;
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  if (n != 0) std::memcpy(&tail, p, n);
  h = (h ^ mix64(tail ^ n)) * kMul;
  return mix64(h);
}

StringInterner::StringInterner() : slots_(16, kNone), mask_(15) {}

uint32_t StringInterner::find(std::string_view text) const {
  const uint64_t hash = hash_bytes(text);
  for (std::size_t i = slot_of(hash);; i = (i + 1) & mask_) {
    const uint32_t id = slots_[i];
    if (id == kNone) return kNone;
    const Entry& e = entries_[id];
    if (e.hash == hash && e.text == text) return id;
  }
}

std::pair<uint32_t, bool> StringInterner::intern(std::string_view text) {
  const uint64_t hash = hash_bytes(text);
  std::size_t i = slot_of(hash);
  for (;; i = (i + 1) & mask_) {
    const uint32_t id = slots_[i];
    if (id == kNone) break;
    const Entry& e = entries_[id];
    if (e.hash == hash && e.text == text) return {id, false};
  }
  if ((live_ + 1) * 2 > slots_.size()) {
    grow();
    for (i = slot_of(hash); slots_[i] != kNone; i = (i + 1) & mask_) {
    }
  }
  uint32_t id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  Entry& e = entries_[id];
  e.text.assign(text.data(), text.size());
  e.hash = hash;
  e.refs = 0;
  e.live = true;
  slots_[i] = id;
  ++live_;
  return {id, true};
}

void StringInterner::erase(uint32_t id) {
  Entry& e = entries_[id];
  std::size_t i = slot_of(e.hash);
  while (slots_[i] != id) i = (i + 1) & mask_;
  // Backward-shift deletion, as in FlatHashMap.
  std::size_t hole = i;
  for (std::size_t j = (i + 1) & mask_; slots_[j] != kNone; j = (j + 1) & mask_) {
    const std::size_t h = slot_of(entries_[slots_[j]].hash);
    const bool movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
    if (movable) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = kNone;
  e.live = false;
  e.refs = 0;
  free_ids_.push_back(id);
  --live_;
}

void StringInterner::grow() {
  std::vector<uint32_t> old = std::move(slots_);
  slots_.assign(old.size() * 2, kNone);
  mask_ = slots_.size() - 1;
  for (const uint32_t id : old) {
    if (id == kNone) continue;
    std::size_t i = slot_of(entries_[id].hash);
    while (slots_[i] != kNone) i = (i + 1) & mask_;
    slots_[i] = id;
  }
}

std::string StringInterner::assign(std::vector<std::string> texts, const std::vector<uint8_t>& live,
                                   std::vector<uint32_t> free_ids) {
  if (live.size() != texts.size()) return "live flags and texts differ in number";
  std::size_t n_live = 0;
  for (const uint8_t l : live) n_live += l != 0;
  if (n_live + free_ids.size() != texts.size()) return "free ids do not match the dead ids";
  std::vector<uint8_t> freed(texts.size(), 0);
  for (const uint32_t id : free_ids) {
    if (id >= texts.size() || live[id] != 0 || freed[id] != 0) {
      return "free id " + std::to_string(id) + " is live, repeated or out of range";
    }
    freed[id] = 1;
  }
  std::size_t slots = 16;
  while ((n_live + 1) * 2 > slots) slots *= 2;
  std::vector<Entry> entries(texts.size());
  std::vector<uint32_t> table(slots, kNone);
  const std::size_t mask = slots - 1;
  for (std::size_t id = 0; id < texts.size(); ++id) {
    if (live[id] == 0) continue;
    Entry& e = entries[id];
    e.text = std::move(texts[id]);
    e.hash = hash_bytes(e.text);
    e.live = true;
    std::size_t i = static_cast<std::size_t>(e.hash) & mask;
    for (; table[i] != kNone; i = (i + 1) & mask) {
      const Entry& other = entries[table[i]];
      if (other.hash == e.hash && other.text == e.text) return "duplicate string";
    }
    table[i] = static_cast<uint32_t>(id);
  }
  entries_ = std::move(entries);
  slots_ = std::move(table);
  mask_ = mask;
  free_ids_ = std::move(free_ids);
  live_ = n_live;
  return {};
}

std::size_t StringInterner::bytes() const {
  std::size_t total = entries_.capacity() * sizeof(Entry) + slots_.capacity() * sizeof(uint32_t) +
                      free_ids_.capacity() * sizeof(uint32_t);
  for (const Entry& e : entries_) {
    if (e.text.capacity() > 15) total += e.text.capacity() + 1;
  }
  return total;
}

}  // namespace sentistream::window_internal

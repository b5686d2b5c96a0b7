// Small hashing helpers and an open-addressing hash map for the window stage's hot path.
//
// FlatHashMap: linear probing over one array, power-of-two capacity, load <= 1/2,
// backward-shift deletion (no tombstones, so lookups stay short however many entries
// come and go). Keys and values must be trivially copyable. find/try_emplace/erase are
// O(1) expected; try_emplace may rehash, which invalidates pointers returned earlier.
// Not thread-safe: owned by the (serial) window stage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sentistream::window_internal {

// murmur3's 64-bit finaliser: a cheap bijective mixer with good avalanche.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// Hash of a byte string (8 bytes at a time, then mixed). Stable across runs.
uint64_t hash_bytes(std::string_view bytes);

template <class Key, class Value, class Hash>
class FlatHashMap {
  static_assert(std::is_trivially_copyable_v<Key> && std::is_trivially_copyable_v<Value>);

 public:
  FlatHashMap() { rehash(16); }

  Value* find(const Key& key) {
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.used) return nullptr;
      if (slot.key == key) return &slot.value;
    }
  }

  // Value-initialises the value when the key is new. The pointer is valid until the next
  // insertion.
  std::pair<Value*, bool> try_emplace(const Key& key) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.used) {
        slot.used = true;
        slot.key = key;
        slot.value = Value{};
        ++size_;
        return {&slot.value, true};
      }
      if (slot.key == key) return {&slot.value, false};
    }
  }

  bool erase(const Key& key) {
    std::size_t i = home(key);
    for (;; i = (i + 1) & mask_) {
      if (!slots_[i].used) return false;
      if (slots_[i].key == key) break;
    }
    // Backward shift: move later members of the probe run into the hole when their home
    // slot does not lie (cyclically) between the hole and their position.
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask_; slots_[j].used; j = (j + 1) & mask_) {
      const std::size_t h = home(slots_[j].key);
      const bool movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
      if (movable) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole].used = false;
    --size_;
    return true;
  }

  template <class F>
  void for_each(F&& f) const {
    for (const Slot& slot : slots_) {
      if (slot.used) f(slot.key, slot.value);
    }
  }

  void clear() {
    slots_.assign(slots_.size(), Slot{});
    size_ = 0;
  }
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    Key key{};
    Value value{};
    bool used = false;
  };

  std::size_t home(const Key& key) const { return static_cast<std::size_t>(Hash{}(key)) & mask_; }

  void rehash(std::size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    size_ = 0;
    for (const Slot& slot : old) {
      if (!slot.used) continue;
      std::size_t i = home(slot.key);
      while (slots_[i].used) i = (i + 1) & mask_;
      slots_[i] = slot;
      ++size_;
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace sentistream::window_internal

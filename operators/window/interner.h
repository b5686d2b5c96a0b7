// StringInterner: maps byte strings to small dense ids, with reference counts so ids can
// be released when no window state refers to them any more (memory then follows the open
// state, not the length of the stream). Freed ids are reused; a reused entry keeps its
// string capacity, so interning allocates only for strings longer than any freed one.
//
// Ids carry no meaning beyond identity: nothing in the output may depend on their values
// (callers sort by the strings themselves). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sentistream::window_internal {

class StringInterner {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  StringInterner();

  // Returns the id of `text` and whether it was new (then its reference count is 0).
  std::pair<uint32_t, bool> intern(std::string_view text);
  uint32_t find(std::string_view text) const;
  // Removes the string; its id may be handed out again by a later intern().
  void erase(uint32_t id);

  std::string_view str(uint32_t id) const { return entries_[id].text; }
  bool live(uint32_t id) const { return id < entries_.size() && entries_[id].live; }
  void ref(uint32_t id) { ++entries_[id].refs; }
  // Returns true when the count drops to zero.
  bool unref(uint32_t id) { return --entries_[id].refs == 0; }
  uint32_t refs(uint32_t id) const { return entries_[id].refs; }

  std::size_t size() const { return live_; }
  std::size_t id_limit() const { return entries_.size(); }  // ids are < id_limit()
  std::size_t bytes() const;

  // Snapshot support. Freed ids, in the order intern() will reuse them (from the back).
  const std::vector<uint32_t>& free_ids() const { return free_ids_; }
  // Replaces the contents with `texts` (by id; ignored where `live` is 0) and the free
  // list `free_ids`, which must hold exactly the dead ids. Reference counts start at 0.
  // Returns a description of the problem, or an empty string on success.
  std::string assign(std::vector<std::string> texts, const std::vector<uint8_t>& live,
                     std::vector<uint32_t> free_ids);

 private:
  struct Entry {
    std::string text;
    uint64_t hash = 0;
    uint32_t refs = 0;
    bool live = false;
  };

  std::size_t slot_of(uint64_t hash) const { return static_cast<std::size_t>(hash) & mask_; }
  void grow();

  std::vector<Entry> entries_;
  std::vector<uint32_t> free_ids_;
  std::vector<uint32_t> slots_;  // entry ids, kNone = empty; linear probing
  std::size_t mask_ = 0;
  std::size_t live_ = 0;
};

}  // namespace sentistream::window_internal

// WindowOperator: per-row event-time windowing over slide-sized panes.
//
// How it works (see README.md for the user-facing rules):
// - Time is cut into panes of gcd(all sizes and slides). State lives per (pane, group) in
//   one Accumulator; a window is the merge of its panes' accumulators at emission time,
//   so a row is added once however many hopping windows contain it.
// - Everything is decided per row, in input order: the lateness test, the watermark
//   advance, and every emission point. Batches only carry rows; cutting the same rows
//   into other batches gives the same output.
// - The per-row path is: pane from a cached range, one comparison for lateness, a cached
//   or hashed (pane, group) -> accumulator lookup, integer sums, and one comparison of
//   the watermark against the next event time (window end, purge, pane free or pending
//   re-emission). All closing work happens in process(), only when that time is reached.
//
// Lifecycle of a window (spec, end): pending (some pane has state, watermark < end) ->
// first emission at watermark >= end -> retained while watermark < end + allowed_lateness
// (late rows update it and are re-emitted) -> purged with a final emission. Panes are
// freed once every window containing them is purged. Single-threaded, like the stage.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "operators/window/accumulator.h"
#include "operators/window/flat_map.h"
#include "operators/window/interner.h"
#include "operators/window/snapshot.h"
#include "operators/window/window.h"

namespace sentistream {

namespace {

using window_internal::Accumulator;
using window_internal::FlatHashMap;
using window_internal::mix64;
using window_internal::section_tag;
using window_internal::SnapshotReader;
using window_internal::SnapshotWriter;
using window_internal::SpaceSaving;
using window_internal::StringInterner;
using window_internal::Summarizer;
using window_internal::SummaryContext;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
// Event times beyond +-2^62 ms (146 million years) are treated as late, so window and
// pane arithmetic never overflows.
constexpr int64_t kMaxEventMs = int64_t{1} << 62;
constexpr char kKeySeparator = '\x1f';

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
int64_t sat_add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kNever : kMin;
  return r;
}
int64_t sat_sub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b > 0 ? kMin : kNever;
  return r;
}

struct PaneGroup {
  int64_t pane = 0;
  uint32_t gid = 0;
  bool operator==(const PaneGroup&) const = default;
};
struct PaneGroupHash {
  uint64_t operator()(const PaneGroup& k) const {
    return mix64(static_cast<uint64_t>(k.pane) * 0x9E3779B97F4A7C15ULL + k.gid);
  }
};

// A window is identified by its end and its spec (start = end - size).
struct WindowRef {
  int64_t end = 0;
  uint32_t spec = 0;
  auto operator<=>(const WindowRef&) const = default;
};

struct Pane {
  int64_t free_at = 0;  // watermark at which no unpurged window contains the pane
  std::vector<std::pair<uint32_t, uint32_t>> groups;  // (group id, accumulator index)
};

// Emission bookkeeping of one (retained window, group).
struct GroupMeta {
  uint32_t revision = 0;  // last emitted revision, valid when `emitted`
  bool emitted = false;
  bool dirty = false;  // rows added since the last emission
  int64_t late = 0;    // rows added after the window's first emission
};
struct Retained {
  std::unordered_map<uint32_t, GroupMeta> groups;
  bool has_dirty = false;
};

// Active partitions hold the watermark back; idle (live: no data for a while) and ended
// (end of input) ones do not. Any row of a partition makes it active again.
enum class PartitionState : uint8_t { active = 0, idle = 1, ended = 2 };

struct Partition {
  uint32_t source = 0;  // source partition number
  int64_t max_event = kMin;
  PartitionState state = PartitionState::active;
};

struct Spec {
  std::string name;
  int64_t size = 0;
  int64_t slide = 0;
};

std::string validate(const WindowConfig& c) {
  std::string problems;
  const auto problem = [&problems](const std::string& p) {
    if (!problems.empty()) problems += "; ";
    problems += p;
  };
  if (c.specs.empty()) problem("at least one window spec is required");
  for (const WindowSpec& s : c.specs) {
    if (s.size_ms <= 0 || s.slide_ms <= 0 || s.slide_ms > s.size_ms ||
        s.size_ms % s.slide_ms != 0) {
      problem("window spec '" + s.name + "': size " + std::to_string(s.size_ms) + "ms and slide " +
              std::to_string(s.slide_ms) + "ms must be > 0 with slide dividing size");
    }
  }
  if (c.max_out_of_orderness_ms < 0) problem("max_out_of_orderness must not be negative");
  if (c.allowed_lateness_ms < 0) problem("allowed_lateness must not be negative");
  if (c.marker_names.size() > static_cast<std::size_t>(kMaxMarkerCategories)) {
    problem("at most " + std::to_string(kMaxMarkerCategories) + " marker categories, got " +
            std::to_string(c.marker_names.size()));
  }
  if (c.top_hashtags < 0) problem("top_hashtags must not be negative");
  if (c.hashtag_capacity < 0) problem("hashtag_capacity must not be negative");
  return problems;
}

}  // namespace

struct WindowOperator::Impl {
  explicit Impl(WindowConfig c) : config(std::move(c)) {
    if (std::string problems = validate(config); !problems.empty()) {
      throw std::invalid_argument("window config: " + problems);
    }
    pane_ms = 0;
    for (const WindowSpec& s : config.specs) {
      specs.push_back({s.name, s.size_ms, s.slide_ms});
      pane_ms = std::gcd(pane_ms, std::gcd(s.size_ms, s.slide_ms));
    }
    ooo_ms = config.max_out_of_orderness_ms;
    lateness_ms = config.allowed_lateness_ms;
    hashtag_capacity = static_cast<std::size_t>(config.hashtag_capacity);
    summary.marker_names = &config.marker_names;
    summary.hashtag_display = &hashtag_display;
    summary.top_hashtags = static_cast<std::size_t>(config.top_hashtags);
    summary.hashtag_capacity = hashtag_capacity;
  }

  // --- configuration
  WindowConfig config;
  std::vector<Spec> specs;
  int64_t pane_ms = 1;
  int64_t ooo_ms = 0;
  int64_t lateness_ms = 0;
  std::size_t hashtag_capacity = 0;
  SummaryContext summary;

  // --- watermark
  std::vector<Partition> partitions;
  std::unordered_map<uint32_t, uint32_t> partition_index;  // source partition -> index
  uint32_t argmin = kNone;                                 // active partition holding the minimum
  int64_t raw_min = kMin;                                  // min watermark over active partitions
  int64_t second_min = kMin;  // lower bound of the min over the other active partitions
  int64_t wm = kMin;          // operator watermark, monotonic
  int64_t late_below = kMin;  // rows whose pane ends at or before this are late
  int64_t next_event = kNever;
  int64_t redo_at = kNever;  // pane boundary at which pending re-emissions go out

  // --- interned strings
  StringInterner groups;  // joined group keys; refs = number of (pane, group) states
  std::vector<std::vector<std::string>> group_values;  // by group id, in group_by order
  std::vector<uint32_t> zero_ref_groups;               // candidates for release
  std::vector<uint32_t> batch_gids;                    // RowBatch group index -> group id
  StringInterner hashtags;  // ASCII-lower-cased; refs = Space-Saving counters holding it
  std::vector<std::string> hashtag_display;  // by hashtag id: spelling when first interned
  std::string fold_buffer;

  // --- state
  FlatHashMap<PaneGroup, uint32_t, PaneGroupHash> index;  // (pane, group) -> accumulator
  std::deque<Accumulator> accumulators;                   // stable addresses
  std::vector<uint32_t> free_accumulators;
  std::map<int64_t, Pane> panes;           // by pane number; free_at grows with the pane number
  std::set<WindowRef> pending;             // windows with state, not yet emitted
  std::map<WindowRef, Retained> retained;  // emitted, within allowed lateness
  int64_t late_count = 0;

  // --- per-row caches
  int64_t cur_pane = 0, cur_lo = 1, cur_hi = 0;  // pane of the last row and its range
  int64_t cached_pane = 0;
  uint32_t cached_gid = kNone;
  Accumulator* cached = nullptr;

  // --- emission scratch
  struct Job {
    WindowRef ref;
    enum Kind : uint8_t { first, redo, purge } kind;
    Retained* retained;
  };
  struct Member {
    uint32_t gid;
    uint32_t order;  // pane order within the window
    const Accumulator* acc;
  };
  struct Selected {
    uint32_t gid;
    std::size_t begin, end;  // range in members
    uint32_t revision;
    int64_t late;
  };
  std::vector<Job> jobs;
  std::vector<Member> members;
  std::vector<Selected> selected;
  std::vector<const Accumulator*> acc_list;
  Summarizer summarizer;

  // ------------------------------------------------------------------ groups

  uint32_t intern_group(std::string_view key) {
    const auto [id, inserted] = groups.intern(key);
    if (inserted) {
      split_group_key(id, key);
      zero_ref_groups.push_back(id);
    }
    return id;
  }

  // group_values[id] = the key's values, in group_by order.
  void split_group_key(uint32_t id, std::string_view key) {
    if (group_values.size() <= id) group_values.resize(id + 1);
    std::vector<std::string>& values = group_values[id];
    values.assign(config.group_by.size(), std::string());
    std::size_t begin = 0;
    for (std::size_t d = 0; d < values.size() && begin <= key.size(); ++d) {
      std::size_t end = key.find(kKeySeparator, begin);
      if (end == std::string_view::npos || d + 1 == values.size()) end = key.size();
      values[d].assign(key.substr(begin, end - begin));
      begin = end + 1;
    }
  }

  bool key_less(uint32_t a, uint32_t b) const {
    const std::vector<std::string>& va = group_values[a];
    const std::vector<std::string>& vb = group_values[b];
    for (std::size_t d = 0; d < va.size(); ++d) {
      const int c = va[d].compare(vb[d]);
      if (c != 0) return c < 0;
    }
    return false;
  }

  // Group ids are released only between calls, never while a batch's ids are in use.
  // (Ids never reach the output, so when this happens does not matter for determinism.)
  void release_groups() {
    for (const uint32_t id : zero_ref_groups) {
      if (groups.live(id) && groups.refs(id) == 0) groups.erase(id);
    }
    zero_ref_groups.clear();
  }

  // ------------------------------------------------------------------ watermark

  void rescan() {
    argmin = kNone;
    raw_min = kNever;
    second_min = kNever;
    int64_t max_all = kMin;
    bool any_active = false;
    for (uint32_t i = 0; i < partitions.size(); ++i) {
      const int64_t pwm = sat_sub(partitions[i].max_event, ooo_ms);
      max_all = std::max(max_all, pwm);
      if (partitions[i].state != PartitionState::active) continue;
      any_active = true;
      if (pwm < raw_min) {
        second_min = raw_min;
        raw_min = pwm;
        argmin = i;
      } else if (pwm < second_min) {
        second_min = pwm;
      }
    }
    // No partition holds the watermark back (every one ended or idle): it goes as far as
    // any partition got. Replay: end of input. Live: every partition is caught up (or
    // quiet for idle_timeout), so none may keep windows open; a partition that resumes
    // with older events finds them late, the price of idleness.
    if (!any_active) raw_min = partitions.empty() ? kMin : max_all;
  }

  void set_watermark(int64_t w) {
    wm = w;
    late_below = sat_sub(w, lateness_ms);
  }

  void advance_if_needed(std::vector<WindowAggregate>& closed) {
    if (raw_min <= wm) return;
    set_watermark(raw_min);
    if (wm >= next_event) process(closed);
  }

  // A row with event time `t` seen in partition `p` (late rows included: a partition
  // that is behind must still be able to catch up).
  void observe(uint32_t p, int64_t t, std::vector<WindowAggregate>& closed) {
    Partition& part = partitions[p];
    if (t <= part.max_event) return;
    part.max_event = t;
    if (p != argmin) return;  // not the minimum: the operator watermark cannot move
    const int64_t pwm = sat_sub(t, ooo_ms);
    if (pwm <= second_min) {
      raw_min = pwm;
    } else {
      rescan();
    }
    advance_if_needed(closed);
  }

  // The index of a source partition about to receive a row; makes it active (a new
  // partition, or a row after end_partition / set_partition_idle: it holds again).
  uint32_t begin_partition(uint32_t source_partition) {
    const auto [it, inserted] =
        partition_index.try_emplace(source_partition, static_cast<uint32_t>(partitions.size()));
    if (inserted) {
      partitions.push_back({source_partition, kMin, PartitionState::active});
      rescan();
    } else if (partitions[it->second].state != PartitionState::active) {
      partitions[it->second].state = PartitionState::active;
      rescan();
    }
    return it->second;
  }

  // After a partition stopped holding the watermark back (or was forgotten).
  void watermark_inputs_changed(std::vector<WindowAggregate>& closed) {
    rescan();
    advance_if_needed(closed);
    release_groups();
  }

  void set_partition_state(uint32_t source_partition, PartitionState state,
                           std::vector<WindowAggregate>& closed) {
    const auto it = partition_index.find(source_partition);
    if (it == partition_index.end()) {
      // Activating an unknown partition (live mode: just assigned) registers it without
      // rows: it holds the watermark where it is until its first row arrives.
      if (state == PartitionState::active) begin_partition(source_partition);
      return;
    }
    Partition& part = partitions[it->second];
    if (part.state == state) return;
    if (state == PartitionState::idle && part.state == PartitionState::ended) return;
    part.state = state;
    watermark_inputs_changed(closed);
  }

  void remove_partition(uint32_t source_partition, std::vector<WindowAggregate>& closed) {
    const auto it = partition_index.find(source_partition);
    if (it == partition_index.end()) return;
    partitions.erase(partitions.begin() + it->second);  // keeps the others in first-seen order
    partition_index.clear();
    for (uint32_t i = 0; i < partitions.size(); ++i) partition_index[partitions[i].source] = i;
    watermark_inputs_changed(closed);
  }

  // ------------------------------------------------------------------ state

  void refresh_next_event() {
    int64_t n = redo_at;
    if (!pending.empty()) n = std::min(n, pending.begin()->end);
    if (!retained.empty()) n = std::min(n, sat_add(retained.begin()->first.end, lateness_ms));
    if (!panes.empty()) n = std::min(n, panes.begin()->second.free_at);
    next_event = n;
  }

  Pane& pane_for(int64_t pane) {
    const auto [it, inserted] = panes.try_emplace(pane);
    if (!inserted) return it->second;
    const int64_t pane_start = pane * pane_ms;
    int64_t last_end = kMin;
    for (uint32_t s = 0; s < specs.size(); ++s) {
      const Spec& spec = specs[s];
      const int64_t newest_start = floor_div(pane_start, spec.slide) * spec.slide;
      last_end = std::max(last_end, newest_start + spec.size);
      for (int64_t start = newest_start; start + spec.size > pane_start; start -= spec.slide) {
        const int64_t end = start + spec.size;
        if (end > wm) pending.insert({end, s});  // windows already past: see mark_updated
      }
    }
    it->second.free_at = sat_add(last_end, lateness_ms);
    refresh_next_event();
    return it->second;
  }

  Accumulator* state_for(int64_t pane, uint32_t gid) {
    const auto [slot, inserted] = index.try_emplace({pane, gid});
    uint32_t a;
    if (inserted) {
      if (!free_accumulators.empty()) {
        a = free_accumulators.back();
        free_accumulators.pop_back();
      } else {
        a = static_cast<uint32_t>(accumulators.size());
        accumulators.emplace_back();
      }
      *slot = a;  // before pane_for: no insertion into `index` in between
      pane_for(pane).groups.emplace_back(gid, a);
      groups.ref(gid);
    } else {
      a = *slot;
    }
    cached_pane = pane;
    cached_gid = gid;
    cached = &accumulators[a];
    return cached;
  }

  void release_accumulator(uint32_t a) {
    Accumulator& acc = accumulators[a];
    for (std::size_t i = 0; i < acc.hashtags.size(); ++i) {
      const uint32_t id = acc.hashtags.id(i);
      if (hashtags.unref(id)) hashtags.erase(id);
    }
    acc.reset();
    free_accumulators.push_back(a);
  }

  void free_panes() {
    while (!panes.empty() && panes.begin()->second.free_at <= wm) {
      const auto it = panes.begin();
      for (const auto& [gid, a] : it->second.groups) {
        index.erase({it->first, gid});
        release_accumulator(a);
        if (groups.unref(gid)) zero_ref_groups.push_back(gid);
      }
      panes.erase(it);
    }
    cached = nullptr;
  }

  void add_hashtags(Accumulator& acc, const PostRow& row, const RowBatch& batch) {
    const std::size_t end = std::min<std::size_t>(
        std::size_t{row.hashtag_begin} + row.hashtag_count, batch.hashtags.size());
    for (std::size_t h = row.hashtag_begin; h < end; ++h) {
      const auto [offset, length] = batch.hashtags[h];
      if (length == 0 || offset > batch.hashtag_bytes.size() ||
          length > batch.hashtag_bytes.size() - offset) {
        continue;
      }
      const std::string_view tag(batch.hashtag_bytes.data() + offset, length);
      // ASCII-fold into a stack buffer (fold_buffer for long tags): no string copy per tag.
      char small[64];
      char* folded = small;
      if (tag.size() > sizeof(small)) {
        fold_buffer.resize(tag.size());
        folded = fold_buffer.data();
      }
      for (std::size_t k = 0; k < tag.size(); ++k) {
        const char c = tag[k];
        folded[k] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      }
      const auto [id, inserted] = hashtags.intern(std::string_view(folded, tag.size()));
      if (inserted) {
        if (hashtag_display.size() <= id) hashtag_display.resize(id + 1);
        hashtag_display[id].assign(tag);
      }
      const SpaceSaving::AddResult r = acc.hashtags.add(id, hashtag_capacity);
      if (r.inserted) hashtags.ref(id);
      if (r.evicted != SpaceSaving::kNone && hashtags.unref(r.evicted)) hashtags.erase(r.evicted);
    }
  }

  // A row was added to `pane`, which ends at or before the watermark: windows containing
  // it may already have been emitted. Each such window (and group) is marked for
  // re-emission at the next pane boundary the watermark reaches.
  void mark_updated(int64_t pane, uint32_t gid) {
    const int64_t pane_start = pane * pane_ms;
    bool any = false;
    for (uint32_t s = 0; s < specs.size(); ++s) {
      const Spec& spec = specs[s];
      const int64_t newest_start = floor_div(pane_start, spec.slide) * spec.slide;
      for (int64_t start = newest_start; start + spec.size > pane_start; start -= spec.slide) {
        const int64_t end = start + spec.size;
        if (end > wm) continue;  // still pending: the row is simply part of it
        // Not late, so end + allowed_lateness > wm: the window is retained, or it had no
        // state when the watermark passed its end (then it starts retained, unemitted).
        Retained& r = retained[{end, s}];
        GroupMeta& m = r.groups[gid];
        ++m.late;
        m.dirty = true;
        r.has_dirty = true;
        any = true;
      }
    }
    if (!any) return;
    redo_at = std::min(redo_at, (floor_div(wm, pane_ms) + 1) * pane_ms);
    refresh_next_event();
  }

  // ------------------------------------------------------------------ rows

  void add(const RowBatch& batch, std::vector<WindowAggregate>& closed,
           std::vector<LateRow>& late) {
    if (batch.rows.empty()) return;
    batch_gids.resize(batch.group_keys.size());
    for (std::size_t i = 0; i < batch.group_keys.size(); ++i) {
      batch_gids[i] = intern_group(batch.group_keys[i]);
    }
    uint32_t fallback_gid = kNone;  // for rows whose group index is out of range
    // Partition of the previous row: a batch usually holds long runs of one partition, so
    // the lookup (and re-activation) happens only when the partition changes. Nothing
    // deactivates a partition within add(), so the cached index stays valid.
    uint32_t part = kNone;
    uint32_t part_source = 0;
    const std::vector<PostRow>& rows = batch.rows;
    const std::size_t n = rows.size();
    for (std::size_t i = 0; i < n; ++i) {
      const PostRow& row = rows[i];
      if (part == kNone || row.partition != part_source) [[unlikely]] {
        part_source = row.partition;
        part = begin_partition(part_source);
      }
      const int64_t t = row.event_ms;
      if (t < cur_lo || t >= cur_hi) [[unlikely]] {
        if (t < -kMaxEventMs || t > kMaxEventMs) {
          late.push_back({static_cast<uint32_t>(i)});
          ++late_count;
          continue;
        }
        cur_pane = floor_div(t, pane_ms);
        cur_lo = cur_pane * pane_ms;
        cur_hi = cur_lo + pane_ms;
      }
      if (cur_hi <= late_below) [[unlikely]] {
        late.push_back({static_cast<uint32_t>(i)});
        ++late_count;
        observe(part, t, closed);
        continue;
      }
      uint32_t gid;
      if (row.group < batch_gids.size()) [[likely]] {
        gid = batch_gids[row.group];
      } else {
        if (fallback_gid == kNone) fallback_gid = intern_group(std::string_view(""));
        gid = fallback_gid;
      }
      Accumulator* acc = (cached != nullptr && gid == cached_gid && cur_pane == cached_pane)
                             ? cached
                             : state_for(cur_pane, gid);
      acc->add(row);
      if (row.hashtag_count != 0 && hashtag_capacity != 0) add_hashtags(*acc, row, batch);
      if (cur_hi <= wm) [[unlikely]]
        mark_updated(cur_pane, gid);
      observe(part, t, closed);
    }
    release_groups();
  }

  void flush(std::vector<WindowAggregate>& closed) {
    set_watermark(kNever);
    late_below = kNever;  // nothing can be added any more
    process(closed);
    release_groups();
  }

  // ------------------------------------------------------------------ emission

  // One emission point: everything that is due at the current watermark, in output order.
  void process(std::vector<WindowAggregate>& closed) {
    jobs.clear();
    while (!pending.empty() && pending.begin()->end <= wm) {
      jobs.push_back({*pending.begin(), Job::first, nullptr});
      pending.erase(pending.begin());
    }
    const bool redo_due = wm >= redo_at;
    for (auto it = retained.begin(); it != retained.end(); ++it) {
      if (sat_add(it->first.end, lateness_ms) <= wm) {
        jobs.push_back({it->first, Job::purge, &it->second});
      } else if (!redo_due) {
        break;  // purge times grow with the end; nothing else to do
      } else if (it->second.has_dirty) {
        jobs.push_back({it->first, Job::redo, &it->second});
      }
    }
    if (redo_due) redo_at = kNever;
    std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.ref < b.ref; });
    for (const Job& job : jobs) emit(job, closed);
    while (!retained.empty() && sat_add(retained.begin()->first.end, lateness_ms) <= wm) {
      retained.erase(retained.begin());
    }
    free_panes();
    refresh_next_event();
  }

  void emit(const Job& job, std::vector<WindowAggregate>& closed) {
    const Spec& spec = specs[job.ref.spec];
    const int64_t end = job.ref.end;
    const int64_t start = end - spec.size;

    // Every (group, accumulator) of the window's panes, grouped by group in pane order.
    members.clear();
    uint32_t order = 0;
    const int64_t last_pane = end / pane_ms;  // exclusive; `end` is a multiple of pane_ms
    for (auto it = panes.lower_bound(start / pane_ms); it != panes.end() && it->first < last_pane;
         ++it, ++order) {
      for (const auto& [gid, a] : it->second.groups)
        members.push_back({gid, order, &accumulators[a]});
    }
    std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) {
      return a.gid != b.gid ? a.gid < b.gid : a.order < b.order;
    });

    const bool final_now =
        job.kind == Job::purge || (job.kind == Job::first && sat_add(end, lateness_ms) <= wm);
    Retained* keep = nullptr;
    if (job.kind == Job::first && !final_now) keep = &retained[job.ref];

    selected.clear();
    for (std::size_t i = 0; i < members.size();) {
      std::size_t j = i;
      while (j < members.size() && members[j].gid == members[i].gid) ++j;
      const uint32_t gid = members[i].gid;
      Selected sel{gid, i, j, 0, 0};
      i = j;
      if (job.kind == Job::first) {
        if (keep != nullptr) keep->groups[gid] = GroupMeta{0, true, false, 0};
      } else {
        const auto m = job.retained->groups.find(gid);
        if (m == job.retained->groups.end()) {
          // Unreachable: every group of a retained window has bookkeeping. Emit it as new.
          if (job.kind == Job::redo) continue;
        } else {
          GroupMeta& meta = m->second;
          if (job.kind == Job::redo && !meta.dirty) continue;
          sel.revision = meta.emitted ? meta.revision + 1 : 0;
          sel.late = meta.late;
          meta.revision = sel.revision;
          meta.emitted = true;
          meta.dirty = false;
        }
      }
      selected.push_back(sel);
    }
    if (job.kind == Job::redo) job.retained->has_dirty = false;

    std::sort(selected.begin(), selected.end(),
              [this](const Selected& a, const Selected& b) { return key_less(a.gid, b.gid); });
    for (const Selected& sel : selected) {
      WindowAggregate out;
      out.spec = spec.name;
      out.start_ms = start;
      out.end_ms = end;
      const std::vector<std::string>& values = group_values[sel.gid];
      out.key.reserve(values.size());
      for (std::size_t d = 0; d < values.size(); ++d)
        out.key.emplace_back(config.group_by[d], values[d]);
      acc_list.clear();
      for (std::size_t k = sel.begin; k < sel.end; ++k) acc_list.push_back(members[k].acc);
      summarizer.summarize(acc_list.data(), acc_list.size(), summary, out);
      out.late = sel.late;
      out.revision = sel.revision;
      out.final = final_now;
      closed.push_back(std::move(out));
    }
  }

  // ------------------------------------------------------------------ snapshots
  //
  // Sections, in this order. Group and hashtag ids are written as they are (with the
  // interners' free lists), so a restored operator hands out the same ids in the future;
  // reference counts are recomputed from the states and checked. Retained windows' groups
  // are written sorted by id (not in hash-map order), so equal states give equal bytes.
  static constexpr uint32_t kConfigTag = section_tag("CONF");
  static constexpr uint32_t kWatermarkTag = section_tag("WMRK");
  static constexpr uint32_t kGroupsTag = section_tag("GKEY");
  static constexpr uint32_t kHashtagsTag = section_tag("HTAG");
  static constexpr uint32_t kPanesTag = section_tag("PANE");
  static constexpr uint32_t kPendingTag = section_tag("PEND");
  static constexpr uint32_t kRetainedTag = section_tag("RETN");

  void save(std::string& out) const {
    SnapshotWriter w(out);
    std::size_t section = w.begin_section(kConfigTag);
    window_internal::write_config(w, config);
    w.end_section(section);

    section = w.begin_section(kWatermarkTag);
    w.u32(static_cast<uint32_t>(partitions.size()));
    for (const Partition& p : partitions) {
      w.u32(p.source);
      w.i64(p.max_event);
      w.u8(static_cast<uint8_t>(p.state));
    }
    w.u32(argmin);
    for (const int64_t v : {raw_min, second_min, wm, late_below, next_event, redo_at, late_count}) {
      w.i64(v);
    }
    w.end_section(section);

    section = w.begin_section(kGroupsTag);
    window_internal::write_interner(w, groups);
    w.end_section(section);

    section = w.begin_section(kHashtagsTag);
    window_internal::write_interner(w, hashtags);
    for (uint32_t id = 0; id < hashtags.id_limit(); ++id) {
      if (hashtags.live(id)) w.str(hashtag_display[id]);
    }
    w.end_section(section);

    section = w.begin_section(kPanesTag);
    w.u64(panes.size());
    for (const auto& [number, pane] : panes) {
      w.i64(number);
      w.i64(pane.free_at);
      w.u32(static_cast<uint32_t>(pane.groups.size()));
      for (const auto& [gid, a] : pane.groups) {
        w.u32(gid);
        window_internal::write_accumulator(w, accumulators[a]);
      }
    }
    w.end_section(section);

    section = w.begin_section(kPendingTag);
    w.u64(pending.size());
    for (const WindowRef& ref : pending) {
      w.i64(ref.end);
      w.u32(ref.spec);
    }
    w.end_section(section);

    section = w.begin_section(kRetainedTag);
    w.u64(retained.size());
    std::vector<std::pair<uint32_t, GroupMeta>> sorted;
    for (const auto& [ref, r] : retained) {
      w.i64(ref.end);
      w.u32(ref.spec);
      w.u8(r.has_dirty ? 1 : 0);
      sorted.assign(r.groups.begin(), r.groups.end());
      std::sort(sorted.begin(), sorted.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      w.u32(static_cast<uint32_t>(sorted.size()));
      for (const auto& [gid, meta] : sorted) {
        w.u32(gid);
        w.u32(meta.revision);
        w.u8(meta.emitted ? 1 : 0);
        w.u8(meta.dirty ? 1 : 0);
        w.i64(meta.late);
      }
    }
    w.end_section(section);
    w.finish();
  }

  // Fills this freshly constructed Impl from a snapshot; throws std::runtime_error on any
  // mismatch or inconsistency (the caller then discards this Impl).
  void restore(std::string_view bytes) {
    SnapshotReader r = SnapshotReader::open(bytes);
    {
      SnapshotReader sec = r.section(kConfigTag, "CONF");
      window_internal::check_config(sec, config);
    }
    {
      SnapshotReader sec = r.section(kWatermarkTag, "WMRK");
      const std::size_t n = sec.count(sec.u32(), 13, "partition");
      for (std::size_t i = 0; i < n; ++i) {
        Partition p;
        p.source = sec.u32();
        p.max_event = sec.i64();
        const uint8_t state = sec.u8();
        if (state > static_cast<uint8_t>(PartitionState::ended)) {
          SnapshotReader::fail("unknown partition state " + std::to_string(state));
        }
        p.state = static_cast<PartitionState>(state);
        if (!partition_index.try_emplace(p.source, static_cast<uint32_t>(i)).second) {
          SnapshotReader::fail("partition " + std::to_string(p.source) + " listed twice");
        }
        partitions.push_back(p);
      }
      argmin = sec.u32();
      if (argmin != kNone && argmin >= partitions.size()) SnapshotReader::fail("bad argmin");
      for (int64_t* v :
           {&raw_min, &second_min, &wm, &late_below, &next_event, &redo_at, &late_count}) {
        *v = sec.i64();
      }
      sec.expect_end("the watermark section");
    }
    {
      SnapshotReader sec = r.section(kGroupsTag, "GKEY");
      window_internal::read_interner(sec, groups, "group keys");
      for (uint32_t id = 0; id < groups.id_limit(); ++id) {
        if (groups.live(id)) split_group_key(id, groups.str(id));
      }
      sec.expect_end("the group key section");
    }
    {
      SnapshotReader sec = r.section(kHashtagsTag, "HTAG");
      window_internal::read_interner(sec, hashtags, "hashtags");
      hashtag_display.assign(hashtags.id_limit(), std::string());
      for (uint32_t id = 0; id < hashtags.id_limit(); ++id) {
        if (hashtags.live(id)) hashtag_display[id] = std::string(sec.str());
      }
      sec.expect_end("the hashtag section");
    }
    {
      SnapshotReader sec = r.section(kPanesTag, "PANE");
      const std::size_t n = sec.count(sec.u64(), 20, "pane");
      // Pane numbers whose times stay within +-2^62 ms, as add() guarantees.
      const int64_t lowest = floor_div(-kMaxEventMs, pane_ms);
      const int64_t highest = floor_div(kMaxEventMs, pane_ms);
      for (std::size_t i = 0; i < n; ++i) {
        const int64_t number = sec.i64();
        if (number < lowest || number > highest ||
            (!panes.empty() && number <= panes.rbegin()->first)) {
          SnapshotReader::fail("pane numbers out of range or order");
        }
        Pane& pane = panes.emplace_hint(panes.end(), number, Pane{})->second;
        pane.free_at = sec.i64();
        const std::size_t n_groups = sec.count(sec.u32(), 200, "pane group");
        pane.groups.reserve(n_groups);
        for (std::size_t g = 0; g < n_groups; ++g) {
          const uint32_t gid = sec.u32();
          if (!groups.live(gid)) SnapshotReader::fail("pane state of an unknown group");
          const auto [slot, inserted] = index.try_emplace({number, gid});
          if (!inserted) SnapshotReader::fail("pane state listed twice");
          const auto a = static_cast<uint32_t>(accumulators.size());
          *slot = a;
          Accumulator& acc = accumulators.emplace_back();
          window_internal::read_accumulator(sec, acc, hashtag_capacity, hashtags);
          pane.groups.emplace_back(gid, a);
          groups.ref(gid);
          for (std::size_t k = 0; k < acc.hashtags.size(); ++k) hashtags.ref(acc.hashtags.id(k));
        }
      }
      sec.expect_end("the pane section");
    }
    const auto read_ref = [this](SnapshotReader& sec) {
      WindowRef ref;
      ref.end = sec.i64();
      ref.spec = sec.u32();
      if (ref.spec >= specs.size()) SnapshotReader::fail("window of an unknown spec");
      const int64_t size = specs[ref.spec].size;
      if (ref.end < -kMaxEventMs || ref.end > sat_add(kMaxEventMs, size)) {
        SnapshotReader::fail("window end out of range");
      }
      return ref;
    };
    {
      SnapshotReader sec = r.section(kPendingTag, "PEND");
      const std::size_t n = sec.count(sec.u64(), 12, "pending window");
      for (std::size_t i = 0; i < n; ++i) {
        if (!pending.insert(read_ref(sec)).second) SnapshotReader::fail("window listed twice");
      }
      sec.expect_end("the pending window section");
    }
    {
      SnapshotReader sec = r.section(kRetainedTag, "RETN");
      const std::size_t n = sec.count(sec.u64(), 17, "retained window");
      for (std::size_t i = 0; i < n; ++i) {
        const auto [it, inserted] = retained.try_emplace(read_ref(sec));
        if (!inserted) SnapshotReader::fail("window listed twice");
        it->second.has_dirty = sec.boolean();
        const std::size_t n_groups = sec.count(sec.u32(), 18, "retained group");
        for (std::size_t g = 0; g < n_groups; ++g) {
          const uint32_t gid = sec.u32();
          if (!groups.live(gid)) SnapshotReader::fail("retained window of an unknown group");
          GroupMeta meta;
          meta.revision = sec.u32();
          meta.emitted = sec.boolean();
          meta.dirty = sec.boolean();
          meta.late = sec.i64();
          if (!it->second.groups.emplace(gid, meta).second)
            SnapshotReader::fail("group listed twice");
        }
      }
      sec.expect_end("the retained window section");
    }
    r.expect_end("the snapshot");
    // Between calls every live id is held by some state (release_groups and the
    // Space-Saving unref run before a call returns).
    for (uint32_t id = 0; id < groups.id_limit(); ++id) {
      if (groups.live(id) && groups.refs(id) == 0) SnapshotReader::fail("group key without state");
    }
    for (uint32_t id = 0; id < hashtags.id_limit(); ++id) {
      if (hashtags.live(id) && hashtags.refs(id) == 0)
        SnapshotReader::fail("hashtag without state");
    }
  }

  std::size_t state_bytes() const {
    std::size_t total = sizeof(Impl) + index.bytes() + accumulators.size() * sizeof(Accumulator) +
                        free_accumulators.capacity() * sizeof(uint32_t);
    for (const Accumulator& a : accumulators) total += a.heap_bytes();
    constexpr std::size_t kNode = 48;  // rough red-black tree node overhead
    for (const auto& [p, pane] : panes) {
      total += kNode + sizeof(Pane) + pane.groups.capacity() * sizeof(pane.groups[0]);
    }
    total += pending.size() * (kNode + sizeof(WindowRef));
    for (const auto& [ref, r] : retained) {
      total += kNode + sizeof(Retained) + r.groups.size() * (sizeof(GroupMeta) + 32);
    }
    total += groups.bytes() + hashtags.bytes();
    for (const std::string& s : hashtag_display)
      total += sizeof(s) + (s.capacity() > 15 ? s.capacity() : 0);
    for (const auto& values : group_values) {
      for (const std::string& s : values)
        total += sizeof(s) + (s.capacity() > 15 ? s.capacity() : 0);
    }
    return total;
  }
};

WindowOperator::WindowOperator(WindowConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}
WindowOperator::~WindowOperator() = default;

void WindowOperator::add(const RowBatch& batch, std::vector<WindowAggregate>& closed,
                         std::vector<LateRow>& late) {
  impl_->add(batch, closed, late);
}
void WindowOperator::end_partition(uint32_t partition, std::vector<WindowAggregate>& closed) {
  impl_->set_partition_state(partition, PartitionState::ended, closed);
}
void WindowOperator::set_partition_idle(uint32_t partition, bool idle,
                                        std::vector<WindowAggregate>& closed) {
  impl_->set_partition_state(partition, idle ? PartitionState::idle : PartitionState::active,
                             closed);
}
void WindowOperator::remove_partition(uint32_t partition, std::vector<WindowAggregate>& closed) {
  impl_->remove_partition(partition, closed);
}
void WindowOperator::save(std::string& out) const {
  impl_->save(out);
}
void WindowOperator::restore(std::string_view bytes) {
  // Into a fresh state, swapped in only when complete: a failed restore changes nothing.
  auto fresh = std::make_unique<Impl>(impl_->config);
  fresh->restore(bytes);
  impl_ = std::move(fresh);
}
void WindowOperator::flush(std::vector<WindowAggregate>& closed) {
  impl_->flush(closed);
}
int64_t WindowOperator::watermark_ms() const {
  return impl_->wm;
}
std::size_t WindowOperator::open_windows() const {
  return impl_->pending.size() + impl_->retained.size();
}
std::size_t WindowOperator::state_bytes() const {
  return impl_->state_bytes();
}
int64_t WindowOperator::late_rows() const {
  return impl_->late_count;
}
const WindowConfig& WindowOperator::config() const {
  return impl_->config;
}

}  // namespace sentistream

#include "pipeline/replay.h"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "pipeline/batch_processor.h"
#include "pipeline/encode.h"

namespace sentistream {

uint64_t RunStats::posts_parsed() const {
  uint64_t n = 0;
  for (uint64_t v : totals.parsed) n += v;
  return n;
}

uint64_t RunStats::posts_rejected() const {
  uint64_t n = 0;
  for (uint64_t v : totals.rejected) n += v;
  return n;
}

namespace {

// Fixed pool of batches: the pipeline never has more than `tokens` in flight, so the
// pool never runs dry, and batches (with their buffers) are reused instead of reallocated.
// Bumped (release) before each pipeline starts and loaded (acquire) first thing in every
// stage body, before the body reads its captures: makes the hand-over of the stage
// closures to TBB's reused worker threads visible to TSAN. A global, because a stage
// cannot acquire anything before reading its own closure otherwise.
std::atomic<uint64_t> g_published{0};

// Stage entry and exit, for TSAN's benefit: free functions, so entering reads no closure
// before the acquire. `b` may be null (the source stage has no batch yet).
void enter(Batch* b) {
  g_published.load(std::memory_order_acquire);
  if (b) b->handoff.load(std::memory_order_acquire);
}
void leave(Batch* b) {
  b->handoff.fetch_add(1, std::memory_order_release);
}

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
double seconds_since(int64_t start_ns, int64_t now_ns) {
  return static_cast<double>(now_ns - start_ns) * 1e-9;
}

class BatchPool {
 public:
  explicit BatchPool(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      owned_.push_back(std::make_unique<Batch>());
      free_.push_back(owned_.back().get());
    }
  }
  Batch* take() {
    std::lock_guard lock(mu_);
    Batch* b = free_.back();
    free_.pop_back();
    return b;
  }
  // After a cancelled run (a stage threw): waits out every other stage's last use of the
  // pool and of its batches, so this thread may destroy them (and TSAN can see it may).
  void quiesce() {
    std::lock_guard lock(mu_);
    for (const auto& b : owned_) b->handoff.load(std::memory_order_acquire);
  }
  void give(Batch* b) {
    b->clear();
    std::lock_guard lock(mu_);
    free_.push_back(b);
  }

 private:
  std::mutex mu_;  // taken twice per batch, never per post
  // The pool owns every batch for its whole life (also when a stage throws and the
  // pipeline is cancelled with batches in flight); free_ lists the idle ones.
  std::vector<std::unique_ptr<Batch>> owned_;
  std::vector<Batch*> free_;
};

}  // namespace

RunStats run_pipeline(Source& source, const Config& config, std::shared_ptr<const Lexicon> lexicon,
                      AggregateSink& output, RejectSink* dlq, const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const size_t tokens = static_cast<size_t>(threads * config.tokens_per_thread);

  RunStats stats;
  stats.threads = threads;
  stats.windows_emitted.assign(config.windows.size(), 0);

  const ProcessorConfig processor_config = ProcessorConfig::from(config);
  tbb::enumerable_thread_specific<std::unique_ptr<BatchProcessor>> processors;
  WindowOperator windows(config.window_config(lexicon->marker_categories()));
  if (options.hooks) options.hooks->on_start(windows);
  BatchPool pool(tokens);
  uint64_t seq = 0;
  auto last_progress = started;
  std::string origin;
  std::string late_detail;

  // Serial stages may run on different worker threads from one batch to the next. TBB
  // orders them, but TSAN cannot see that (TBB is not instrumented), so each serial stage
  // also takes an (always uncontended) mutex, and g_published (bumped before the pipeline
  // starts, loaded on entry to every stage) shows that what this thread built before
  // the start reaches TBB's reused workers. Once per batch, never per post.
  std::mutex source_gate, window_gate, output_gate;
  Metrics* const metrics = options.metrics;
  int64_t last_state_sample_ns = 0;  // window stage: state_bytes() walks the state, so <= 1/s

  auto count_emitted = [&](const std::vector<WindowAggregate>& closed) {
    for (const auto& a : closed) {
      for (size_t i = 0; i < config.windows.size(); ++i) {
        if (config.windows[i].name == a.spec) ++stats.windows_emitted[i];
      }
    }
  };

  auto write_output = [&](Batch& b) {
    stats.totals.add(b.counters);
    const uint64_t dlq_before = stats.dlq_written;
    if (!b.closed.empty()) {
      output.write(b.closed);
      count_emitted(b.closed);
    }
    stats.late_posts += b.late.size();
    stats.totals.rejected[static_cast<int>(RejectReason::late)] += b.late.size();
    if (dlq) {
      // A document's bytes go to the DLQ once, with its first entry: an API response with
      // many bad posts must not be copied once per post.
      uint32_t last_doc = UINT32_MAX;
      auto letter_for = [&](uint32_t doc_index) {
        const RawDoc& d = b.docs[doc_index];
        DeadLetter letter;
        origin = source.origin(d);
        letter.origin = origin;
        letter.doc = &d;
        if (doc_index != last_doc) {
          letter.raw = std::string_view(b.bytes.data() + d.offset, d.length);
          letter.truncated = d.too_large;
        } else {
          letter.raw_omitted = true;
        }
        last_doc = doc_index;
        return letter;
      };
      // Parse rejects and late rows, merged in document order, so the DLQ reads the same
      // whatever the batch boundaries (within a document: parse rejects first).
      size_t ri = 0, li = 0;
      while (ri < b.rejects.size() || li < b.late.size()) {
        bool take_reject =
            li == b.late.size() ||
            (ri < b.rejects.size() && b.rejects[ri].doc <= b.rows.rows[b.late[li].row].doc);
        if (take_reject) {
          const Reject& r = b.rejects[ri++];
          DeadLetter letter = letter_for(r.doc);
          letter.post_index = r.post_index;
          letter.reason = r.reason;
          letter.detail = r.detail;
          dlq->write(letter);
        } else {
          const PostRow& row = b.rows.rows[b.late[li++].row];
          DeadLetter letter = letter_for(row.doc);
          letter.reason = RejectReason::late;
          late_detail = "event time ";
          append_rfc3339(row.event_ms, late_detail);
          late_detail += " is older than watermark - allowed_lateness";
          letter.detail = late_detail;
          dlq->write(letter);
        }
        ++stats.dlq_written;
      }
    }
    if (metrics) {
      metrics->record_batch(b.counters);
      metrics->record_late(b.late.size());
      metrics->record_dlq(stats.dlq_written - dlq_before);
      metrics->record_closed(b.closed);
    }
    if (options.on_progress) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_progress >= std::chrono::milliseconds(options.progress_interval_ms)) {
        last_progress = now;
        stats.seconds = std::chrono::duration<double>(now - started).count();
        options.on_progress(stats, source.progress());
      }
    }
  };

  // --threads may exceed the core count (tests do); lift TBB's default worker limit so
  // the arena really gets `threads` threads instead of a warning.
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                  static_cast<size_t>(threads));
  tbb::task_arena arena(threads);
  try {
    arena.execute([&] {
      auto read = [&](tbb::flow_control& fc) -> Batch* {
        enter(nullptr);
        std::lock_guard gate(source_gate);
        Batch* b = pool.take();
        const int64_t t0 = metrics ? steady_ns() : 0;
        if (!source.next(*b)) {
          pool.give(b);
          fc.stop();
          return nullptr;
        }
        b->seq = seq++;
        if (metrics) {
          b->read_ns = steady_ns();
          metrics->observe_stage(Stage::source, seconds_since(t0, b->read_ns));
        }
        leave(b);
        return b;
      };
      auto parse_and_score = [&](Batch* b) {
        enter(b);
        auto& p = processors.local();
        if (!p) p = std::make_unique<BatchProcessor>(processor_config, lexicon);
        const int64_t t0 = metrics ? steady_ns() : 0;
        p->process(*b);
        if (metrics) metrics->observe_stage(Stage::parse_score, seconds_since(t0, steady_ns()));
        leave(b);
        return b;
      };
      auto window = [&](Batch* b) {
        enter(b);
        std::lock_guard gate(window_gate);
        if (options.hooks) options.hooks->before_window(*b, windows);
        const int64_t t0 = metrics ? steady_ns() : 0;
        windows.add(b->rows, b->closed, b->late);
        if (metrics) {
          const int64_t t1 = steady_ns();
          metrics->observe_stage(Stage::window, seconds_since(t0, t1));
          metrics->set_open_windows(windows.open_windows());
          if (t1 - last_state_sample_ns >= 1'000'000'000) {
            last_state_sample_ns = t1;
            metrics->set_state_bytes(windows.state_bytes());
          }
          const int64_t wm = windows.watermark_ms();
          if (wm != INT64_MIN) {
            const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
            metrics->set_watermark_lag(static_cast<double>(now_ms - wm) / 1000.0);
          }
        }
        if (options.hooks) options.hooks->after_window(*b, windows);
        leave(b);
        return b;
      };
      auto emit = [&](Batch* b) {
        enter(b);
        std::lock_guard gate(output_gate);
        const int64_t t0 = metrics ? steady_ns() : 0;
        write_output(*b);
        if (metrics) {
          const int64_t t1 = steady_ns();
          metrics->observe_stage(Stage::output, seconds_since(t0, t1));
          // Live mode observes broker time -> written itself (after_output).
          if (!options.hooks) metrics->observe_end_to_end(seconds_since(b->read_ns, t1));
        }
        if (options.hooks) options.hooks->after_output(*b);
        pool.give(b);
      };
      tbb::filter<void, void> chain =
          tbb::make_filter<void, Batch*>(tbb::filter_mode::serial_in_order, read) &
          tbb::make_filter<Batch*, Batch*>(tbb::filter_mode::parallel, parse_and_score) &
          tbb::make_filter<Batch*, Batch*>(tbb::filter_mode::serial_in_order, window) &
          tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, emit);
      g_published.fetch_add(1, std::memory_order_release);  // after the closures are built
      tbb::parallel_pipeline(tokens, chain);
    });
  } catch (...) {
    // A stage threw (an unwritable output, an unreadable input): TBB cancelled the
    // pipeline. Take the gates and quiesce the pool before anything is destroyed.
    std::scoped_lock drained(source_gate, window_gate, output_gate);
    pool.quiesce();
    throw;
  }

  // The pipeline has drained; the gates make that visible to TSAN as well.
  std::scoped_lock drained(source_gate, window_gate, output_gate);
  std::vector<WindowAggregate> closed;
  if (options.close_windows_at_end) windows.flush(closed);
  if (!closed.empty()) {
    output.write(closed);
    count_emitted(closed);
    if (metrics) metrics->record_closed(closed);
  }
  if (metrics) {
    metrics->set_open_windows(windows.open_windows());
    metrics->set_state_bytes(windows.state_bytes());
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (options.on_progress) options.on_progress(stats, source.progress());
  return stats;
}

std::string summary_json(const RunStats& stats, const Config& config,
                         const std::vector<std::string>& marker_names) {
  std::string out = "{\"documents\":" + std::to_string(stats.totals.documents);
  out += ",\"bytes\":" + std::to_string(stats.totals.bytes);
  uint64_t parsed = stats.posts_parsed();
  uint64_t rejected = stats.posts_rejected();
  // Late posts were parsed, then dropped by the window stage: read = parsed + the
  // rejects that happened before parsing finished.
  uint64_t late = stats.totals.rejected[static_cast<int>(RejectReason::late)];
  out += ",\"posts_read\":" + std::to_string(parsed + rejected - late);
  out += ",\"posts_parsed\":" + std::to_string(parsed);
  out += ",\"posts_by_platform\":{";
  for (int p = 0; p < kPlatformCount; ++p) {
    if (p) out += ',';
    out += "\"" + std::string(to_string(static_cast<Platform>(p))) +
           "\":" + std::to_string(stats.totals.parsed[static_cast<size_t>(p)]);
  }
  out += "},\"posts_rejected\":{";
  for (int r = 0; r < kRejectReasonCount; ++r) {
    if (r) out += ',';
    out += "\"" + std::string(to_string(static_cast<RejectReason>(r))) +
           "\":" + std::to_string(stats.totals.rejected[static_cast<size_t>(r)]);
  }
  out += "},\"rejected_total\":" + std::to_string(rejected);
  out += ",\"late_posts\":" + std::to_string(stats.late_posts);
  out += ",\"labels\":{\"negative\":" + std::to_string(stats.totals.labels[0]) +
         ",\"neutral\":" + std::to_string(stats.totals.labels[1]) +
         ",\"positive\":" + std::to_string(stats.totals.labels[2]) + "}";
  out += ",\"marker_posts\":{";
  for (size_t i = 0; i < marker_names.size(); ++i) {
    if (i) out += ',';
    append_json_string(marker_names[i], out);
    out += ':' + std::to_string(stats.totals.marker_posts[i]);
  }
  out += "},\"windows_emitted\":{";
  for (size_t i = 0; i < config.windows.size(); ++i) {
    if (i) out += ',';
    append_json_string(config.windows[i].name, out);
    out += ':' + std::to_string(stats.windows_emitted[i]);
  }
  out += "},\"dlq_written\":" + std::to_string(stats.dlq_written);
  out += ",\"threads\":" + std::to_string(stats.threads);
  out += ",\"seconds\":";
  append_fixed(stats.seconds, 3, out);
  double secs = stats.seconds > 0 ? stats.seconds : 1e-9;
  out += ",\"posts_per_second\":";
  append_fixed(static_cast<double>(parsed) / secs, 0, out);
  out += ",\"mb_per_second\":";
  append_fixed(static_cast<double>(stats.totals.bytes) / secs / 1e6, 1, out);
  out += "}\n";
  return out;
}

}  // namespace sentistream

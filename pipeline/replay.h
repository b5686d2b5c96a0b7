// The processing pipeline shared by replay (files) and, later, live mode (Kafka):
//
//   source (serial, in order) -> parse+score (parallel) -> window (serial, in order)
//     -> output (serial, in order)
//
// on oneTBB's parallel_pipeline with a bounded number of batches in flight. Output is
// identical for any thread count and batch size: every order-sensitive step (windowing,
// sinks) runs serially in input order, and the parallel stage is a pure function of its
// batch.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "operators/score/scorer.h"
#include "pipeline/batch.h"
#include "pipeline/metrics.h"
#include "pipeline/sink.h"
#include "pipeline/source.h"

namespace sentistream {

struct RunStats {
  BatchCounters totals;
  uint64_t late_posts = 0;
  std::vector<uint64_t> windows_emitted;  // per window spec, in config order
  uint64_t dlq_written = 0;
  double seconds = 0;
  int threads = 0;

  uint64_t posts_parsed() const;
  uint64_t posts_rejected() const;
};

// Live mode's hooks into the serial stages (replay passes none). Each is called from the
// stage named, in batch order, one batch at a time.
class StageHooks {
 public:
  virtual ~StageHooks() = default;
  // Before the pipeline starts (restore a checkpoint into the operator).
  virtual void on_start(WindowOperator& /*windows*/) {}
  // Window stage, before and after the batch's rows are added.
  virtual void before_window(Batch& /*batch*/, WindowOperator& /*windows*/) {}
  virtual void after_window(Batch& /*batch*/, WindowOperator& /*windows*/) {}
  // Output stage, after the batch's aggregates and rejects went to the sinks.
  virtual void after_output(Batch& /*batch*/) {}
};

struct RunOptions {
  int threads = 0;  // 0 = hardware concurrency
  // Called from the output stage at most every `progress_interval_ms` with the totals so
  // far; display only, never influences output.
  std::function<void(const RunStats&, const Source::Progress&)> on_progress;
  int progress_interval_ms = 250;
  // Optional Prometheus probe: per batch, stage durations, counters, closed windows and
  // window-state gauges. Null = no metrics work at all (not even clock reads).
  Metrics* metrics = nullptr;
  StageHooks* hooks = nullptr;
  // Replay closes every window at the end of input; live mode keeps them open (they are
  // in the checkpoint and continue after a restart).
  bool close_windows_at_end = true;
};

// Runs the pipeline until the source is exhausted, then closes every window.
RunStats run_pipeline(Source& source, const Config& config, std::shared_ptr<const Lexicon> lexicon,
                      AggregateSink& output, RejectSink* dlq, const RunOptions& options);

// One-line JSON summary of a run (ends with '\n').
std::string summary_json(const RunStats& stats, const Config& config,
                         const std::vector<std::string>& marker_names);

}  // namespace sentistream

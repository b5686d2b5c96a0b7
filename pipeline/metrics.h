// Metrics: the Prometheus probe of the pipeline (prefix sentistream_, DESIGN.md "Metrics").
//
// Every family is registered once, in the constructor, and every label child whose label
// values are known up front (platforms, reject reasons, score languages, labels, stages,
// marker categories, window specs) is created there too and kept by pointer: updating a
// metric from a batch is an array walk and atomic adds, no map lookup, no string
// building. Updates are per batch (or per closed window, per statistics callback), never
// per post.
//
// Label sets are bounded: window gauges exist only for the top `top_keys` keys of each
// spec's latest closed window (keys that fall out are removed), and Kafka lag gauges only
// for the partitions librdkafka currently reports (or the live runner set).
//
// Threading: all methods are thread-safe. Counters, gauges and histograms are atomic or
// internally locked (prometheus-cpp); the top-N and per-partition bookkeeping take their
// own mutex. record_batch / record_closed are meant for the serial output stage,
// observe_stage for any stage, on_kafka_statistics for librdkafka's callback thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "operators/window/window.h"
#include "pipeline/batch.h"

namespace prometheus {
class Registry;
}

namespace sentistream {

// Pipeline stages timed per batch (label values of sentistream_stage_duration_seconds).
enum class Stage : uint8_t { source = 0, parse_score, window, output };
inline constexpr int kStageCount = 4;
std::string_view to_string(Stage stage);

struct MetricsOptions {
  std::vector<std::string> window_specs;  // WindowSpec::name, config order
  std::vector<Dimension> group_by;        // key dimensions = label names of window gauges
  std::vector<std::string> marker_names;  // lexicon order (index = BatchCounters slot)
  int top_keys = 20;                      // window gauges per spec: the N largest keys
  std::string version;                    // sentistream_build_info{version}
};

struct Config;
// Options from the config (window specs, group_by, metrics.top_keys) and the lexicon's
// marker categories.
MetricsOptions metrics_options(const Config& config, std::vector<std::string> marker_names);

class Metrics {
 public:
  explicit Metrics(MetricsOptions options);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The registry the HTTP endpoint serves; callers may register their own families.
  std::shared_ptr<prometheus::Registry> registry() const;
  // Prometheus text exposition format 0.0.4 of everything registered.
  std::string serialize() const;

  // --- pipeline (per batch) ---
  // messages_consumed (= documents), posts_parsed, posts_rejected, posts_scored,
  // marker_posts from one batch's counters.
  void record_batch(const BatchCounters& counters);
  // Posts the window stage dropped as late: late_posts and posts_rejected{reason="late"}.
  void record_late(uint64_t posts);
  void record_dlq(uint64_t messages);
  // windows_emitted per spec, and the top-N window gauges of each spec's latest closed
  // window (a later window end replaces the set; revisions of the same end update it).
  void record_closed(const std::vector<WindowAggregate>& closed);
  void observe_stage(Stage stage, double seconds);
  // Batch latency: replay, from the source handing a batch over until its output was
  // written; live, the runner may observe (now - broker timestamp) instead.
  void observe_end_to_end(double seconds);
  void set_open_windows(uint64_t windows);
  void set_state_bytes(uint64_t bytes);
  // Wall clock minus the pipeline watermark (event time); for a replay of old dumps this
  // is the age of the data, for live mode how far event time trails real time.
  void set_watermark_lag(double seconds);

  // --- live mode ---
  void record_commit(bool ok);      // kafka_commits_total{result="ok"|"error"}
  void record_checkpoint(bool ok);  // checkpoints_total{result="ok"|"error"}
  void set_checkpoint_age(double seconds);
  void record_delivery_failure(std::string_view topic, uint64_t messages = 1);
  // Parses librdkafka's statistics JSON (statistics.interval.ms callback) and sets
  // consumer_lag_messages{topic,partition} for every partition with a known lag
  // (consumer_lag >= 0; the internal partition -1 is skipped); partitions set by an
  // earlier call but absent or unknown now are removed. Returns false, changing nothing,
  // when the JSON is malformed. Never throws.
  bool on_kafka_statistics(std::string_view json);
  void set_consumer_lag_seconds(std::string_view topic, int32_t partition, double seconds);
  // A partition was revoked: drop both lag gauges of it.
  void remove_partition(std::string_view topic, int32_t partition);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentistream

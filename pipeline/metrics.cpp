#include "pipeline/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <utility>

#include "config/config.h"

#ifndef SENTISTREAM_VERSION
#define SENTISTREAM_VERSION "0.0.0"
#endif

namespace sentistream {

namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;
using prometheus::Labels;

// Per-batch stage times: a batch of ~2k posts takes ~0.1-10 ms per stage; a stalled
// sink or a Kafka fetch wait can take seconds.
const Histogram::BucketBoundaries kStageBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
// End-to-end latency: milliseconds in replay, seconds to minutes behind a live stream.
const Histogram::BucketBoundaries kLatencyBuckets = {0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5,
                                                     1,     2.5,   5,    10,   30,  60,   300};

constexpr std::array<Label, 3> kLabels = {Label::negative, Label::neutral, Label::positive};

Family<Counter>& counter_family(prometheus::Registry& r, const std::string& name,
                                const std::string& help) {
  return prometheus::BuildCounter().Name("sentistream_" + name).Help(help).Register(r);
}
Family<Gauge>& gauge_family(prometheus::Registry& r, const std::string& name,
                            const std::string& help) {
  return prometheus::BuildGauge().Name("sentistream_" + name).Help(help).Register(r);
}

}  // namespace

std::string_view to_string(Stage stage) {
  switch (stage) {
    case Stage::source:
      return "source";
    case Stage::parse_score:
      return "parse_score";
    case Stage::window:
      return "window";
    case Stage::output:
      return "output";
  }
  return "unknown";
}

MetricsOptions metrics_options(const Config& config, std::vector<std::string> marker_names) {
  MetricsOptions o;
  for (const WindowSpec& spec : config.windows) o.window_specs.push_back(spec.name);
  o.group_by = config.group_by;
  o.marker_names = std::move(marker_names);
  o.top_keys = config.metrics_top_keys;
  o.version = SENTISTREAM_VERSION;
  return o;
}

struct Metrics::Impl {
  MetricsOptions opt;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

  // Children created up front, kept by pointer (the families own them).
  Counter* messages_consumed = nullptr;
  std::array<Counter*, kPlatformCount> posts_parsed{};
  std::array<Counter*, kRejectReasonCount> posts_rejected{};
  std::array<Counter*, kScoredSlots> posts_scored{};
  std::vector<Counter*> marker_posts;     // per marker category index
  std::vector<Counter*> windows_emitted;  // per window spec, config order
  Counter* late_posts = nullptr;
  Counter* dlq_messages = nullptr;
  std::array<Counter*, 2> commits{};      // error, ok
  std::array<Counter*, 2> checkpoints{};  // error, ok
  Family<Counter>* delivery_failures = nullptr;
  std::array<Histogram*, kStageCount> stage_duration{};
  Histogram* end_to_end = nullptr;
  Gauge* watermark_lag = nullptr;
  Gauge* checkpoint_age = nullptr;
  Gauge* open_windows = nullptr;
  Gauge* state_bytes = nullptr;
  Family<Gauge>* lag_messages = nullptr;
  Family<Gauge>* lag_seconds = nullptr;
  Family<Gauge>* window_mean = nullptr;
  Family<Gauge>* window_marker_rate = nullptr;

  // Top-N window gauges, per spec.
  struct KeyValues {
    Labels dims;  // dimension name -> key value
    int64_t count = 0;
    double mean = 0;
    std::vector<std::pair<std::string, double>> rates;  // category, rate
  };
  struct Exported {
    Gauge* mean = nullptr;
    std::vector<Gauge*> rates;  // same order as KeyValues::rates
  };
  struct SpecGauges {
    int64_t end_ms = INT64_MIN;                // end of the latest closed window seen
    std::map<std::string, KeyValues> latest;   // its keys (id = values joined by \x1f)
    std::map<std::string, Exported> exported;  // keys that currently have gauges
  };
  std::mutex windows_mu;
  std::vector<SpecGauges> specs;

  // Kafka: per-topic and per-partition children, created on demand (bounded by the
  // topics and partitions this consumer is assigned).
  struct PartitionGauges {
    Gauge* messages = nullptr;
    Gauge* seconds = nullptr;
  };
  std::mutex kafka_mu;
  std::map<std::string, Counter*, std::less<>> delivery_by_topic;
  std::map<std::pair<std::string, int32_t>, PartitionGauges> partitions;
  simdjson::ondemand::parser stats_parser;

  explicit Impl(MetricsOptions o) : opt(std::move(o)) {
    auto& r = *registry;
    messages_consumed = &counter_family(r, "messages_consumed_total",
                                        "Input messages consumed (Kafka messages or dump "
                                        "documents), before parsing.")
                             .Add({});
    auto& parsed = counter_family(r, "posts_parsed_total", "Posts parsed, by platform.");
    for (int p = 0; p < kPlatformCount; ++p) {
      posts_parsed[p] = &parsed.Add({{"platform", std::string(to_string(Platform(p)))}});
    }
    auto& rejected = counter_family(r, "posts_rejected_total",
                                    "Documents or posts rejected, by reason (late = parsed but "
                                    "too late for its window).");
    for (int i = 0; i < kRejectReasonCount; ++i) {
      posts_rejected[i] = &rejected.Add({{"reason", std::string(to_string(RejectReason(i)))}});
    }
    auto& scored = counter_family(r, "posts_scored_total",
                                  "Posts scored, by platform, scoring language and label.");
    for (int p = 0; p < kPlatformCount; ++p) {
      for (size_t lang = 0; lang < kScoreLangs.size(); ++lang) {
        for (Label l : kLabels) {
          posts_scored[scored_slot(Platform(p), static_cast<uint8_t>(lang), l)] =
              &scored.Add({{"platform", std::string(to_string(Platform(p)))},
                           {"lang", std::string(kScoreLangs[lang])},
                           {"label", std::string(to_string(l))}});
        }
      }
    }
    auto& markers = counter_family(r, "marker_posts_total",
                                   "Posts with at least one hit of a marker category.");
    for (const auto& name : opt.marker_names)
      marker_posts.push_back(&markers.Add({{"category", name}}));
    late_posts = &counter_family(r, "late_posts_total",
                                 "Posts older than watermark - allowed_lateness, not counted "
                                 "in any window.")
                      .Add({});
    auto& emitted = counter_family(r, "windows_emitted_total",
                                   "Window aggregates emitted (revisions included), by spec.");
    for (const auto& spec : opt.window_specs)
      windows_emitted.push_back(&emitted.Add({{"spec", spec}}));
    dlq_messages =
        &counter_family(r, "dlq_messages_total", "Entries written to the dead-letter queue.")
             .Add({});
    auto& commit = counter_family(r, "kafka_commits_total", "Kafka offset commits, by result.");
    commits = {&commit.Add({{"result", "error"}}), &commit.Add({{"result", "ok"}})};
    auto& checkpoint = counter_family(r, "checkpoints_total", "State checkpoints, by result.");
    checkpoints = {&checkpoint.Add({{"result", "error"}}), &checkpoint.Add({{"result", "ok"}})};
    delivery_failures = &counter_family(r, "kafka_delivery_failures_total",
                                        "Messages the Kafka producer failed to deliver, by topic.");

    auto& stages = prometheus::BuildHistogram()
                       .Name("sentistream_stage_duration_seconds")
                       .Help("Time a pipeline stage spent on one batch.")
                       .Register(r);
    for (int s = 0; s < kStageCount; ++s) {
      stage_duration[s] = &stages.Add({{"stage", std::string(to_string(Stage(s)))}}, kStageBuckets);
    }
    end_to_end = &prometheus::BuildHistogram()
                      .Name("sentistream_end_to_end_latency_seconds")
                      .Help(
                          "Batch latency from input (replay: read; live: broker timestamp) "
                          "to written output.")
                      .Register(r)
                      .Add({}, kLatencyBuckets);

    lag_messages = &gauge_family(r, "consumer_lag_messages",
                                 "Messages between the consumer position and the partition's "
                                 "high watermark (librdkafka statistics).");
    lag_seconds = &gauge_family(r, "consumer_lag_seconds",
                                "Age of the newest consumed message's broker timestamp.");
    watermark_lag = &gauge_family(r, "watermark_lag_seconds",
                                  "Wall clock minus the pipeline's event-time watermark.")
                         .Add({});
    checkpoint_age =
        &gauge_family(r, "checkpoint_age_seconds", "Seconds since the last successful checkpoint.")
             .Add({});
    open_windows =
        &gauge_family(r, "open_windows", "Windows holding state (open or within lateness).")
             .Add({});
    state_bytes = &gauge_family(r, "state_bytes", "Approximate bytes of window state.").Add({});
    window_mean = &gauge_family(r, "window_sentiment_mean",
                                "Mean compound sentiment of the latest closed window, for the "
                                "top keys by post count.");
    window_marker_rate = &gauge_family(r, "window_marker_rate",
                                       "Share of posts with a marker hit in the latest closed "
                                       "window, for the top keys by post count.");
    gauge_family(r, "build_info", "Build information; the value is always 1.")
        .Add({{"version", opt.version}})
        .Set(1);
    specs.resize(opt.window_specs.size());
  }

  // Re-derives a spec's exported window gauges from its latest closed window.
  void refresh(size_t spec_index) {
    SpecGauges& sg = specs[spec_index];
    std::vector<const std::pair<const std::string, KeyValues>*> order;
    order.reserve(sg.latest.size());
    for (const auto& entry : sg.latest) order.push_back(&entry);
    const size_t n = std::min(order.size(), static_cast<size_t>(std::max(opt.top_keys, 0)));
    // Largest count first; ties by key so the chosen set does not depend on arrival order.
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                      [](const auto* a, const auto* b) {
                        if (a->second.count != b->second.count) {
                          return a->second.count > b->second.count;
                        }
                        return a->first < b->first;
                      });
    std::set<std::string_view> keep;
    for (size_t i = 0; i < n; ++i) keep.insert(order[i]->first);
    for (auto it = sg.exported.begin(); it != sg.exported.end();) {
      if (keep.count(it->first)) {
        ++it;
        continue;
      }
      window_mean->Remove(it->second.mean);
      for (Gauge* g : it->second.rates) window_marker_rate->Remove(g);
      it = sg.exported.erase(it);
    }
    for (size_t i = 0; i < n; ++i) {
      const auto& [id, kv] = *order[i];
      Exported& e = sg.exported[id];
      if (!e.mean) {
        Labels labels = kv.dims;
        labels["spec"] = opt.window_specs[spec_index];
        e.mean = &window_mean->Add(labels);
        for (const auto& [category, rate] : kv.rates) {
          Labels with_category = labels;
          with_category["category"] = category;
          e.rates.push_back(&window_marker_rate->Add(with_category));
        }
      }
      e.mean->Set(kv.mean);
      for (size_t c = 0; c < e.rates.size() && c < kv.rates.size(); ++c) {
        e.rates[c]->Set(kv.rates[c].second);
      }
    }
  }

  PartitionGauges& partition(std::string_view topic, int32_t p) {
    return partitions[{std::string(topic), p}];
  }
  Labels partition_labels(const std::string& topic, int32_t p) {
    return {{"topic", topic}, {"partition", std::to_string(p)}};
  }
};

Metrics::Metrics(MetricsOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Metrics::~Metrics() = default;

std::shared_ptr<prometheus::Registry> Metrics::registry() const {
  return impl_->registry;
}

std::string Metrics::serialize() const {
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

void Metrics::record_batch(const BatchCounters& c) {
  Impl& m = *impl_;
  auto add = [](Counter* counter, uint64_t v) {
    if (v) counter->Increment(static_cast<double>(v));
  };
  add(m.messages_consumed, c.documents);
  for (size_t i = 0; i < m.posts_parsed.size(); ++i) add(m.posts_parsed[i], c.parsed[i]);
  for (size_t i = 0; i < m.posts_rejected.size(); ++i) add(m.posts_rejected[i], c.rejected[i]);
  for (size_t i = 0; i < m.posts_scored.size(); ++i) add(m.posts_scored[i], c.scored[i]);
  for (size_t i = 0; i < m.marker_posts.size() && i < c.marker_posts.size(); ++i) {
    add(m.marker_posts[i], c.marker_posts[i]);
  }
}

void Metrics::record_late(uint64_t posts) {
  if (!posts) return;
  impl_->late_posts->Increment(static_cast<double>(posts));
  impl_->posts_rejected[static_cast<int>(RejectReason::late)]->Increment(
      static_cast<double>(posts));
}

void Metrics::record_dlq(uint64_t messages) {
  if (messages) impl_->dlq_messages->Increment(static_cast<double>(messages));
}

void Metrics::record_closed(const std::vector<WindowAggregate>& closed) {
  if (closed.empty()) return;
  Impl& m = *impl_;
  std::lock_guard lock(m.windows_mu);
  std::vector<bool> dirty(m.specs.size(), false);
  std::string id;
  for (const WindowAggregate& a : closed) {
    size_t s = 0;
    while (s < m.opt.window_specs.size() && m.opt.window_specs[s] != a.spec) ++s;
    if (s == m.opt.window_specs.size()) continue;  // not a configured spec: nothing to label
    m.windows_emitted[s]->Increment();
    if (m.opt.top_keys <= 0) continue;
    Impl::SpecGauges& sg = m.specs[s];
    if (a.end_ms < sg.end_ms) continue;  // a revision of an older window: not the latest
    if (a.end_ms > sg.end_ms) {
      sg.end_ms = a.end_ms;
      sg.latest.clear();
    }
    id.clear();
    for (const auto& [dim, value] : a.key) {
      id += value;
      id += '\x1f';
    }
    Impl::KeyValues& kv = sg.latest[id];
    kv.dims.clear();
    for (const auto& [dim, value] : a.key) {
      // Only configured dimensions become labels: the label set stays the one declared.
      if (std::find(m.opt.group_by.begin(), m.opt.group_by.end(), dim) != m.opt.group_by.end()) {
        kv.dims[std::string(to_string(dim))] = value;
      }
    }
    kv.count = a.count;
    kv.mean = a.mean;
    kv.rates.clear();
    for (const auto& marker : a.markers) kv.rates.emplace_back(marker.name, marker.rate);
    dirty[s] = true;
  }
  for (size_t s = 0; s < dirty.size(); ++s) {
    if (dirty[s]) m.refresh(s);
  }
}

void Metrics::observe_stage(Stage stage, double seconds) {
  impl_->stage_duration[static_cast<int>(stage)]->Observe(seconds);
}
void Metrics::observe_end_to_end(double seconds) {
  impl_->end_to_end->Observe(seconds);
}
void Metrics::set_open_windows(uint64_t windows) {
  impl_->open_windows->Set(static_cast<double>(windows));
}
void Metrics::set_state_bytes(uint64_t bytes) {
  impl_->state_bytes->Set(static_cast<double>(bytes));
}
void Metrics::set_watermark_lag(double seconds) {
  impl_->watermark_lag->Set(seconds);
}
void Metrics::record_commit(bool ok) {
  impl_->commits[ok ? 1 : 0]->Increment();
}
void Metrics::record_checkpoint(bool ok) {
  impl_->checkpoints[ok ? 1 : 0]->Increment();
}
void Metrics::set_checkpoint_age(double seconds) {
  impl_->checkpoint_age->Set(seconds);
}

void Metrics::record_delivery_failure(std::string_view topic, uint64_t messages) {
  Impl& m = *impl_;
  std::lock_guard lock(m.kafka_mu);
  auto it = m.delivery_by_topic.find(topic);
  if (it == m.delivery_by_topic.end()) {
    it =
        m.delivery_by_topic
            .emplace(std::string(topic), &m.delivery_failures->Add({{"topic", std::string(topic)}}))
            .first;
  }
  it->second->Increment(static_cast<double>(messages));
}

bool Metrics::on_kafka_statistics(std::string_view json) {
  Impl& m = *impl_;
  std::lock_guard lock(m.kafka_mu);
  // Collect everything first: a malformed document changes no gauge.
  std::vector<std::tuple<std::string, int32_t, int64_t>> lags;
  {
    simdjson::padded_string padded(json);
    simdjson::ondemand::document doc;
    if (m.stats_parser.iterate(padded).get(doc)) return false;
    simdjson::ondemand::object root;
    if (doc.get_object().get(root)) return false;
    simdjson::ondemand::object topics;
    auto err = root["topics"].get_object().get(topics);
    if (err && err != simdjson::NO_SUCH_FIELD) return false;
    if (!err) {
      for (auto topic_field : topics) {
        if (topic_field.error()) return false;
        std::string_view topic_name;
        simdjson::ondemand::object topic;
        if (topic_field.unescaped_key().get(topic_name)) return false;
        std::string name(topic_name);  // the key's buffer is reused by the next field
        if (topic_field.value().get_object().get(topic)) return false;
        simdjson::ondemand::object parts;
        err = topic["partitions"].get_object().get(parts);
        if (err == simdjson::NO_SUCH_FIELD) continue;
        if (err) return false;
        for (auto part_field : parts) {
          if (part_field.error()) return false;
          simdjson::ondemand::object part;
          if (part_field.value().get_object().get(part)) return false;
          int64_t partition = 0, lag = -1;
          if (part["partition"].get_int64().get(partition)) return false;
          err = part["consumer_lag"].get_int64().get(lag);
          if (err && err != simdjson::NO_SUCH_FIELD) return false;
          // -1: librdkafka's internal "unassigned" partition; lag -1: not known yet.
          if (partition < 0 || partition > INT32_MAX || err || lag < 0) continue;
          lags.emplace_back(name, static_cast<int32_t>(partition), lag);
        }
      }
    }
  }
  std::set<std::pair<std::string, int32_t>> seen;
  for (const auto& [topic, partition, lag] : lags) {
    Impl::PartitionGauges& g = m.partition(topic, partition);
    if (!g.messages) g.messages = &m.lag_messages->Add(m.partition_labels(topic, partition));
    g.messages->Set(static_cast<double>(lag));
    seen.emplace(topic, partition);
  }
  for (auto it = m.partitions.begin(); it != m.partitions.end();) {
    if (it->second.messages && !seen.count(it->first)) {
      m.lag_messages->Remove(it->second.messages);
      it->second.messages = nullptr;
    }
    it = it->second.messages || it->second.seconds ? std::next(it) : m.partitions.erase(it);
  }
  return true;
}

void Metrics::set_consumer_lag_seconds(std::string_view topic, int32_t partition, double seconds) {
  Impl& m = *impl_;
  std::lock_guard lock(m.kafka_mu);
  Impl::PartitionGauges& g = m.partition(topic, partition);
  if (!g.seconds)
    g.seconds = &m.lag_seconds->Add(m.partition_labels(std::string(topic), partition));
  g.seconds->Set(seconds);
}

void Metrics::remove_partition(std::string_view topic, int32_t partition) {
  Impl& m = *impl_;
  std::lock_guard lock(m.kafka_mu);
  auto it = m.partitions.find({std::string(topic), partition});
  if (it == m.partitions.end()) return;
  if (it->second.messages) m.lag_messages->Remove(it->second.messages);
  if (it->second.seconds) m.lag_seconds->Remove(it->second.seconds);
  m.partitions.erase(it);
}

}  // namespace sentistream

// Metrics (registry content after synthetic batches, top-N window gauges, librdkafka
// statistics), the metrics HTTP endpoint (/metrics, /healthz, /readyz) and the logger.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "config/builtin_lexicons.h"
#include "config/config.h"
#include "operators/parse/parser.h"
#include "pipeline/log.h"
#include "pipeline/metrics.h"
#include "pipeline/metrics_server.h"
#include "pipeline/replay.h"
#include "pipeline/source.h"

using namespace sentistream;

namespace {

// Prometheus text format, parsed strictly enough to catch malformed output: every sample
// line is `name{labels} value`, and every sample's family has # HELP and # TYPE lines
// before it.
struct Exposition {
  std::map<std::string, double> samples;  // "name{a=\"x\",b=\"y\"}" -> value
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  std::vector<std::string> problems;

  double value(const std::string& series) const {
    auto it = samples.find(series);
    return it == samples.end() ? -1 : it->second;
  }
  bool has(const std::string& series) const { return samples.count(series) != 0; }
  // Sum over every series of a metric name.
  double sum(const std::string& name) const {
    double total = 0;
    for (const auto& [series, v] : samples) {
      if (series == name || series.rfind(name + "{", 0) == 0) total += v;
    }
    return total;
  }
  size_t count(const std::string& name) const {
    size_t n = 0;
    for (const auto& [series, v] : samples) n += series.rfind(name + "{", 0) == 0;
    return n;
  }
};

Exposition parse_exposition(const std::string& text) {
  Exposition e;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.rfind("# HELP ", 0) == 0) {
      std::string rest = line.substr(7);
      std::string name = rest.substr(0, rest.find(' '));
      if (rest.size() <= name.size() + 1) e.problems.push_back("empty help: " + line);
      e.helped.insert(name);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::string rest = line.substr(7);
      size_t sp = rest.find(' ');
      e.types[rest.substr(0, sp)] = rest.substr(sp + 1);
      continue;
    }
    if (line[0] == '#') continue;
    size_t sp = line.rfind(' ');
    if (sp == std::string::npos) {
      e.problems.push_back("no value: " + line);
      continue;
    }
    std::string series = line.substr(0, sp);
    std::string name = series.substr(0, series.find('{'));
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s = suffix;
      if (!e.types.count(family) && family.size() > s.size() &&
          family.compare(family.size() - s.size(), s.size(), s) == 0) {
        family = family.substr(0, family.size() - s.size());
      }
    }
    if (!e.types.count(family) || !e.helped.count(family)) {
      e.problems.push_back("sample before # HELP/# TYPE: " + line);
    }
    try {
      e.samples[series] = std::stod(line.substr(sp + 1));
    } catch (...) {
      e.problems.push_back("bad value: " + line);
    }
  }
  return e;
}

MetricsOptions test_options(int top_keys = 20) {
  MetricsOptions o;
  o.window_specs = {"1m", "1h"};
  o.group_by = {Dimension::platform, Dimension::lang};
  o.marker_names = {"pride", "sarcasm"};
  o.top_keys = top_keys;
  o.version = "9.8.7";
  return o;
}

WindowAggregate aggregate(const std::string& spec, int64_t end_ms, const std::string& platform,
                          const std::string& lang, int64_t count, double mean) {
  WindowAggregate a;
  a.spec = spec;
  a.start_ms = end_ms - 60000;
  a.end_ms = end_ms;
  a.key = {{Dimension::platform, platform}, {Dimension::lang, lang}};
  a.count = count;
  a.mean = mean;
  a.markers = {{"pride", count / 2, 0.5}, {"sarcasm", 0, 0.0}};
  return a;
}

std::string key(const std::string& spec, const std::string& platform, const std::string& lang) {
  return "sentistream_window_sentiment_mean{lang=\"" + lang + "\",platform=\"" + platform +
         "\",spec=\"" + spec + "\"}";
}

// A librdkafka statistics document, shaped as in librdkafka's STATISTICS.md (consumer
// handle; fields the parser does not read are kept to make the shape realistic).
const char* kStats = R"({
  "name": "rdkafka#consumer-1", "client_id": "sentistream", "type": "consumer",
  "ts": 5016483227792, "time": 1527060869, "age": 5000123, "replyq": 0,
  "msg_cnt": 0, "msg_size": 0, "msg_max": 100000, "msg_size_max": 1073741824,
  "simple_cnt": 0, "metadata_cache_cnt": 2,
  "brokers": {
    "localhost:9092/1": {"name": "localhost:9092/1", "nodeid": 1, "state": "UP",
      "rtt": {"min": 100, "max": 2000, "avg": 450, "cnt": 12},
      "toppars": {"posts-0": {"topic": "posts", "partition": 0}}}
  },
  "topics": {
    "posts": {
      "topic": "posts", "age": 4990, "metadata_age": 991,
      "batchsize": {"min": 0, "max": 0, "avg": 0},
      "partitions": {
        "0": {"partition": 0, "broker": 1, "leader": 1, "desired": true, "unknown": false,
              "msgq_cnt": 0, "fetchq_cnt": 12, "fetch_state": "active",
              "query_offset": -2, "next_offset": 1500, "app_offset": 1490,
              "stored_offset": 1490, "committed_offset": 1400, "eof_offset": -1,
              "lo_offset": 0, "hi_offset": 1750, "ls_offset": 1750,
              "consumer_lag": 260, "consumer_lag_stored": 260, "txmsgs": 0, "rxmsgs": 1500},
        "1": {"partition": 1, "broker": 1, "leader": 1, "desired": true, "unknown": false,
              "fetch_state": "active", "next_offset": 80, "app_offset": 80,
              "committed_offset": 80, "hi_offset": 80, "ls_offset": 80,
              "consumer_lag": 0, "consumer_lag_stored": 0},
        "-1": {"partition": -1, "broker": -1, "leader": -1, "desired": false,
               "fetch_state": "none", "hi_offset": -1, "consumer_lag": -1}
      }
    },
    "posts.weibo": {
      "topic": "posts.weibo", "age": 4990, "metadata_age": 991,
      "partitions": {
        "0": {"partition": 0, "fetch_state": "offset-query", "hi_offset": -1,
              "committed_offset": -1001, "consumer_lag": -1}
      }
    }
  },
  "cgrp": {"state": "up", "stateage": 4000, "join_state": "steady", "rebalance_cnt": 1,
           "assignment_size": 3}
})";

// One HTTP exchange on 127.0.0.1:port; returns the whole response.
std::string http(uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size()));
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) response.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return response;
}
std::string get(uint16_t port, const std::string& path) {
  return http(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
}
int status_of(const std::string& response) {
  return response.size() > 12 ? std::stoi(response.substr(9, 3)) : -1;
}
std::string body_of(const std::string& response) {
  size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

}  // namespace

TEST_CASE("metrics: every family has help and type; build_info; children exist at zero") {
  Metrics m(test_options());
  Exposition e = parse_exposition(m.serialize());
  CHECK(e.problems.empty());
  // Families whose children depend on runtime label values (topics, partitions, keys) are
  // absent until their first child: the text format has no samples to show for them.
  for (const char* family :
       {"kafka_delivery_failures_total", "consumer_lag_messages", "consumer_lag_seconds",
        "window_sentiment_mean", "window_marker_rate"}) {
    CHECK_FALSE(e.types.count(std::string("sentistream_") + family));
  }
  CHECK(e.count("sentistream_window_sentiment_mean") == 0);
  m.record_delivery_failure("aggregates");
  REQUIRE(m.on_kafka_statistics(kStats));
  m.set_consumer_lag_seconds("posts", 0, 1.0);
  m.record_closed({aggregate("1m", 60000, "weibo", "zh", 10, 0.5)});
  e = parse_exposition(m.serialize());
  CHECK(e.problems.empty());
  for (const char* family : {"messages_consumed_total",
                             "posts_parsed_total",
                             "posts_rejected_total",
                             "posts_scored_total",
                             "marker_posts_total",
                             "late_posts_total",
                             "windows_emitted_total",
                             "dlq_messages_total",
                             "kafka_commits_total",
                             "checkpoints_total",
                             "kafka_delivery_failures_total",
                             "stage_duration_seconds",
                             "end_to_end_latency_seconds",
                             "consumer_lag_messages",
                             "consumer_lag_seconds",
                             "watermark_lag_seconds",
                             "checkpoint_age_seconds",
                             "open_windows",
                             "state_bytes",
                             "window_sentiment_mean",
                             "window_marker_rate",
                             "build_info"}) {
    std::string name = std::string("sentistream_") + family;
    CHECK_MESSAGE(e.types.count(name), name);
    CHECK_MESSAGE(e.helped.count(name), name);
  }
  CHECK(e.types["sentistream_stage_duration_seconds"] == "histogram");
  CHECK(e.types["sentistream_posts_parsed_total"] == "counter");
  CHECK(e.types["sentistream_open_windows"] == "gauge");
  CHECK(e.value("sentistream_build_info{version=\"9.8.7\"}") == 1);
  // Known label values are pre-created: a dashboard sees 0, not an absent series.
  CHECK(e.value("sentistream_posts_rejected_total{reason=\"too_large\"}") == 0);
  CHECK(e.count("sentistream_posts_scored_total") == 3 * kScoreLangs.size() * 3);
  CHECK(e.count("sentistream_posts_parsed_total") == kPlatformCount);
  CHECK(e.value("sentistream_marker_posts_total{category=\"sarcasm\"}") == 0);
  CHECK(e.value("sentistream_windows_emitted_total{spec=\"1h\"}") == 0);
}

TEST_CASE("metrics: batch counters add up across batches") {
  Metrics m(test_options());
  BatchCounters c;
  c.documents = 10;
  c.parsed[static_cast<int>(Platform::weibo)] = 6;
  c.parsed[static_cast<int>(Platform::twitter)] = 2;
  c.rejected[static_cast<int>(RejectReason::invalid_json)] = 2;
  c.scored[scored_slot(Platform::weibo, 2, Label::positive)] = 4;
  c.scored[scored_slot(Platform::weibo, 2, Label::negative)] = 2;
  c.scored[scored_slot(Platform::twitter, 1, Label::neutral)] = 2;
  c.marker_posts[0] = 3;
  m.record_batch(c);
  m.record_batch(c);
  m.record_late(5);
  m.record_dlq(9);
  Exposition e = parse_exposition(m.serialize());
  CHECK(e.problems.empty());
  CHECK(e.value("sentistream_messages_consumed_total") == 20);
  CHECK(e.value("sentistream_posts_parsed_total{platform=\"weibo\"}") == 12);
  CHECK(e.value("sentistream_posts_parsed_total{platform=\"twitter\"}") == 4);
  CHECK(e.sum("sentistream_posts_parsed_total") == 16);
  CHECK(e.value("sentistream_posts_rejected_total{reason=\"invalid_json\"}") == 4);
  CHECK(e.value("sentistream_posts_rejected_total{reason=\"late\"}") == 5);
  CHECK(e.value("sentistream_late_posts_total") == 5);
  CHECK(e.value("sentistream_dlq_messages_total") == 9);
  CHECK(e.value(
            "sentistream_posts_scored_total{label=\"positive\",lang=\"zh\",platform=\"weibo\"}") ==
        8);
  CHECK(e.value(
            "sentistream_posts_scored_total{label=\"neutral\",lang=\"en\",platform=\"twitter\"}") ==
        4);
  CHECK(e.sum("sentistream_posts_scored_total") == 16);
  CHECK(e.value("sentistream_marker_posts_total{category=\"pride\"}") == 6);
}

TEST_CASE("metrics: window gauges keep the top-N keys of the latest closed window") {
  Metrics m(test_options(2));
  m.record_closed({aggregate("1m", 60000, "weibo", "zh", 10, 0.5),
                   aggregate("1m", 60000, "twitter", "en", 5, -0.25),
                   aggregate("1m", 60000, "other", "und", 1, 0.0)});
  Exposition e = parse_exposition(m.serialize());
  CHECK(e.value("sentistream_windows_emitted_total{spec=\"1m\"}") == 3);
  CHECK(e.count("sentistream_window_sentiment_mean") == 2);
  CHECK(e.value(key("1m", "weibo", "zh")) == doctest::Approx(0.5));
  CHECK(e.value(key("1m", "twitter", "en")) == doctest::Approx(-0.25));
  CHECK_FALSE(e.has(key("1m", "other", "und")));
  CHECK(e.value("sentistream_window_marker_rate{category=\"pride\",lang=\"zh\",platform=\"weibo\","
                "spec=\"1m\"}") == doctest::Approx(0.5));
  CHECK(e.count("sentistream_window_marker_rate") == 4);  // 2 keys x 2 categories

  // A later window replaces the set: keys that fall out lose their gauges.
  m.record_closed({aggregate("1m", 120000, "other", "und", 20, 0.1),
                   aggregate("1m", 120000, "twitter", "en", 3, 0.2),
                   aggregate("1m", 120000, "weibo", "ja", 7, 0.3)});
  e = parse_exposition(m.serialize());
  CHECK(e.count("sentistream_window_sentiment_mean") == 2);
  CHECK(e.value(key("1m", "other", "und")) == doctest::Approx(0.1));
  CHECK(e.value(key("1m", "weibo", "ja")) == doctest::Approx(0.3));
  CHECK_FALSE(e.has(key("1m", "weibo", "zh")));
  CHECK_FALSE(e.has(key("1m", "twitter", "en")));
  CHECK(e.count("sentistream_window_marker_rate") == 4);

  // A revision of the latest window updates it; a revision of an older one is ignored.
  WindowAggregate revised = aggregate("1m", 120000, "twitter", "en", 30, -0.9);
  revised.revision = 1;
  m.record_closed({revised, aggregate("1m", 60000, "weibo", "zh", 99, 0.7)});
  e = parse_exposition(m.serialize());
  CHECK(e.value(key("1m", "twitter", "en")) == doctest::Approx(-0.9));
  CHECK(e.value(key("1m", "other", "und")) == doctest::Approx(0.1));
  CHECK_FALSE(e.has(key("1m", "weibo", "ja")));
  CHECK_FALSE(e.has(key("1m", "weibo", "zh")));
  CHECK(e.value("sentistream_windows_emitted_total{spec=\"1m\"}") == 8);

  // Specs are independent; unknown specs are not counted.
  m.record_closed(
      {aggregate("1h", 3600000, "weibo", "zh", 1, 0.4), aggregate("5m", 1, "a", "b", 1, 0)});
  e = parse_exposition(m.serialize());
  CHECK(e.count("sentistream_window_sentiment_mean") == 3);
  CHECK(e.value(key("1h", "weibo", "zh")) == doctest::Approx(0.4));
  CHECK(e.value("sentistream_windows_emitted_total{spec=\"1h\"}") == 1);
  CHECK(e.problems.empty());
}

TEST_CASE("metrics: top_keys = 0 exports no window gauges but still counts windows") {
  Metrics m(test_options(0));
  m.record_closed({aggregate("1m", 60000, "weibo", "zh", 10, 0.5)});
  Exposition e = parse_exposition(m.serialize());
  CHECK(e.count("sentistream_window_sentiment_mean") == 0);
  CHECK(e.value("sentistream_windows_emitted_total{spec=\"1m\"}") == 1);
}

TEST_CASE("metrics: consumer lag from librdkafka statistics JSON") {
  Metrics m(test_options());
  REQUIRE(m.on_kafka_statistics(kStats));
  Exposition e = parse_exposition(m.serialize());
  CHECK(e.value("sentistream_consumer_lag_messages{partition=\"0\",topic=\"posts\"}") == 260);
  CHECK(e.value("sentistream_consumer_lag_messages{partition=\"1\",topic=\"posts\"}") == 0);
  // The internal partition -1 and partitions with an unknown lag (-1) are not exported.
  CHECK(e.count("sentistream_consumer_lag_messages") == 2);

  m.set_consumer_lag_seconds("posts", 0, 12.5);
  e = parse_exposition(m.serialize());
  CHECK(e.value("sentistream_consumer_lag_seconds{partition=\"0\",topic=\"posts\"}") == 12.5);

  // Partition 1 revoked (absent from the next statistics): its gauge goes away.
  std::string next = kStats;
  next.replace(next.find("\"consumer_lag\": 260"), 19, "\"consumer_lag\": 7  ");
  const std::string p1 = "\"1\": {\"partition\": 1,";
  next.replace(next.find(p1), p1.size(), "\"9\": {\"partition\": -1,");
  REQUIRE(m.on_kafka_statistics(next));
  e = parse_exposition(m.serialize());
  CHECK(e.value("sentistream_consumer_lag_messages{partition=\"0\",topic=\"posts\"}") == 7);
  CHECK_FALSE(e.has("sentistream_consumer_lag_messages{partition=\"1\",topic=\"posts\"}"));

  // Malformed documents change nothing and do not throw.
  CHECK_FALSE(m.on_kafka_statistics("{\"topics\": {\"posts\": {\"partitions\": {\"0\": {"));
  CHECK_FALSE(m.on_kafka_statistics("not json"));
  CHECK_FALSE(
      m.on_kafka_statistics("{\"topics\": {\"posts\": {\"partitions\": "
                            "{\"0\": {\"partition\": \"zero\"}}}}}"));
  CHECK_FALSE(m.on_kafka_statistics(""));
  e = parse_exposition(m.serialize());
  CHECK(e.value("sentistream_consumer_lag_messages{partition=\"0\",topic=\"posts\"}") == 7);
  // A statistics document without topics (before the first metadata) clears the lag.
  CHECK(m.on_kafka_statistics("{\"name\":\"c\",\"type\":\"consumer\",\"topics\":{}}"));
  e = parse_exposition(m.serialize());
  CHECK(e.count("sentistream_consumer_lag_messages") == 0);
  CHECK(e.value("sentistream_consumer_lag_seconds{partition=\"0\",topic=\"posts\"}") == 12.5);
  m.remove_partition("posts", 0);
  e = parse_exposition(m.serialize());
  CHECK(e.count("sentistream_consumer_lag_seconds") == 0);
  CHECK(e.problems.empty());
}

TEST_CASE("metrics: live-mode counters and gauges") {
  Metrics m(test_options());
  m.record_commit(true);
  m.record_commit(true);
  m.record_commit(false);
  m.record_checkpoint(true);
  m.record_delivery_failure("aggregates", 3);
  m.record_delivery_failure("aggregates");
  m.record_delivery_failure("dlq");
  m.set_checkpoint_age(4.5);
  m.set_open_windows(12);
  m.set_state_bytes(4096);
  m.set_watermark_lag(2.25);
  m.observe_stage(Stage::parse_score, 0.003);
  m.observe_stage(Stage::parse_score, 0.2);
  m.observe_end_to_end(0.5);
  Exposition e = parse_exposition(m.serialize());
  CHECK(e.problems.empty());
  CHECK(e.value("sentistream_kafka_commits_total{result=\"ok\"}") == 2);
  CHECK(e.value("sentistream_kafka_commits_total{result=\"error\"}") == 1);
  CHECK(e.value("sentistream_checkpoints_total{result=\"ok\"}") == 1);
  CHECK(e.value("sentistream_kafka_delivery_failures_total{topic=\"aggregates\"}") == 4);
  CHECK(e.value("sentistream_kafka_delivery_failures_total{topic=\"dlq\"}") == 1);
  CHECK(e.value("sentistream_checkpoint_age_seconds") == 4.5);
  CHECK(e.value("sentistream_open_windows") == 12);
  CHECK(e.value("sentistream_state_bytes") == 4096);
  CHECK(e.value("sentistream_watermark_lag_seconds") == 2.25);
  CHECK(e.value("sentistream_stage_duration_seconds_count{stage=\"parse_score\"}") == 2);
  CHECK(e.value("sentistream_stage_duration_seconds_bucket{stage=\"parse_score\",le=\"0.005\"}") ==
        1);
  CHECK(e.value("sentistream_stage_duration_seconds_count{stage=\"source\"}") == 0);
  CHECK(e.value("sentistream_end_to_end_latency_seconds_sum") == doctest::Approx(0.5));
}

TEST_CASE("metrics: a replay through run_pipeline agrees with its RunStats") {
  std::vector<std::string> docs;
  for (int i = 0; i < 300; ++i) {
    char ts[32];
    std::snprintf(ts, sizeof ts, "2025-01-27T10:%02d:%02dZ", i / 60 % 60, i % 60);
    std::string platform = i % 3 ? "twitter" : "weibo";
    std::string text = i % 3 ? (i % 2 ? "what a great day" : "terrible news") : "厉害了我的国";
    docs.push_back(std::string("{\"id\":\"") + std::to_string(i) + "\",\"platform\":\"" + platform +
                   "\",\"created_at\":\"" + ts + "\",\"text\":\"" + text + "\"}");
    if (i % 50 == 7) docs.push_back("{\"broken\": ");
  }
  Config config = load_config({"", {}, false});
  Metrics m(metrics_options(config, builtin_lexicon()->marker_categories()));
  MemorySource source(docs, 16, parse_padding());
  MemoryAggregateSink sink;
  RunOptions options;
  options.threads = 2;
  options.metrics = &m;
  RunStats stats = run_pipeline(source, config, builtin_lexicon(), sink, nullptr, options);
  Exposition e = parse_exposition(m.serialize());
  CHECK(e.problems.empty());
  CHECK(stats.posts_parsed() == 300);
  CHECK(e.sum("sentistream_posts_parsed_total") == 300);
  CHECK(e.sum("sentistream_posts_scored_total") == 300);
  CHECK(e.value("sentistream_messages_consumed_total") == static_cast<double>(docs.size()));
  CHECK(e.value("sentistream_posts_rejected_total{reason=\"invalid_json\"}") ==
        static_cast<double>(stats.totals.rejected[0]));
  CHECK(e.sum("sentistream_windows_emitted_total") == static_cast<double>(sink.aggregates.size()));
  CHECK(e.value("sentistream_windows_emitted_total{spec=\"1m\"}") ==
        static_cast<double>(stats.windows_emitted[0]));
  const double batches = e.value("sentistream_stage_duration_seconds_count{stage=\"output\"}");
  CHECK(batches >= static_cast<double>(docs.size() / 16));
  CHECK(e.value("sentistream_stage_duration_seconds_count{stage=\"parse_score\"}") == batches);
  CHECK(e.value("sentistream_end_to_end_latency_seconds_count") == batches);
  CHECK(e.value("sentistream_open_windows") == 0);  // replay closed every window
  CHECK(e.count("sentistream_window_sentiment_mean") > 0);
}

TEST_CASE("metrics server: listen address parsing") {
  ListenAddress a;
  CHECK(parse_listen_address("127.0.0.1:9464", &a).empty());
  CHECK((a.host == "127.0.0.1" && a.port == 9464));
  CHECK(parse_listen_address(":0", &a).empty());
  CHECK((a.host.empty() && a.port == 0));
  CHECK(parse_listen_address("[::1]:80", &a).empty());
  CHECK((a.host == "::1" && a.port == 80));
  CHECK_FALSE(parse_listen_address("localhost", &a).empty());
  CHECK_FALSE(parse_listen_address("localhost:", &a).empty());
  CHECK_FALSE(parse_listen_address("localhost:99999", &a).empty());
  CHECK_FALSE(parse_listen_address("localhost:9x", &a).empty());
  CHECK_FALSE(parse_listen_address("::1:80", &a).empty());
  CHECK_FALSE(parse_listen_address("[::1]80", &a).empty());
}

TEST_CASE("metrics server: /metrics, /healthz, /readyz, errors") {
  Metrics m(test_options());
  BatchCounters c;
  c.parsed[0] = 42;
  m.record_batch(c);
  MetricsServer server("127.0.0.1:0", [&m] { return m.serialize(); });
  REQUIRE(server.port() != 0);

  std::string r = get(server.port(), "/healthz");
  CHECK(status_of(r) == 200);
  CHECK(body_of(r) == "ok\n");
  CHECK(r.find("Content-Length: 3\r\n") != std::string::npos);

  r = get(server.port(), "/readyz");
  CHECK(status_of(r) == 200);
  server.set_readiness([] { return Readiness{false, "no partitions assigned"}; });
  r = get(server.port(), "/readyz");
  CHECK(status_of(r) == 503);
  CHECK(body_of(r).find("no partitions assigned") != std::string::npos);
  server.set_readiness([] { return Readiness{true, ""}; });
  CHECK(status_of(get(server.port(), "/readyz?verbose=1")) == 200);

  r = get(server.port(), "/metrics");
  CHECK(status_of(r) == 200);
  CHECK(r.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
  std::string body = body_of(r);
  CHECK(r.find("Content-Length: " + std::to_string(body.size()) + "\r\n") != std::string::npos);
  Exposition e = parse_exposition(body);
  CHECK(e.problems.empty());
  CHECK(e.value("sentistream_posts_parsed_total{platform=\"twitter\"}") == 42);
  CHECK(e.types.size() >= 17);  // families without children yet are not in the text
  for (const auto& [family, type] : e.types) CHECK_MESSAGE(e.helped.count(family), family);

  r = http(server.port(), "HEAD /metrics HTTP/1.1\r\n\r\n");
  CHECK(status_of(r) == 200);
  CHECK(body_of(r).empty());
  CHECK(status_of(get(server.port(), "/nope")) == 404);
  r = http(server.port(), "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  CHECK(status_of(r) == 405);
  CHECK(r.find("Allow: GET, HEAD") != std::string::npos);
  CHECK(status_of(http(server.port(), "garbage\r\n\r\n")) == 400);
  CHECK(status_of(http(server.port(), std::string(20000, 'x'))) == 400);  // oversized head
  // A client that connects and says nothing does not block the next one for long.
  {
    int idle = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(idle, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    CHECK(status_of(get(server.port(), "/healthz")) == 200);
    ::close(idle);
  }

  // A callback that throws is a 500, and the server keeps serving.
  MetricsServer failing("127.0.0.1:0", []() -> std::string { throw std::runtime_error("boom"); });
  CHECK(status_of(get(failing.port(), "/metrics")) == 500);
  CHECK(status_of(get(failing.port(), "/healthz")) == 200);
}

TEST_CASE("metrics server: a port in use or a bad address is a clear error") {
  MetricsServer first("127.0.0.1:0", [] { return std::string(); });
  std::string busy = "127.0.0.1:" + std::to_string(first.port());
  try {
    MetricsServer second(busy, [] { return std::string(); });
    FAIL("binding a busy port must throw");
  } catch (const MetricsServerError& e) {
    CHECK(std::string(e.what()).find(busy) != std::string::npos);
    CHECK(std::string(e.what()).find("in use") != std::string::npos);
  }
  CHECK_THROWS_AS(MetricsServer("nonsense", [] { return std::string(); }), MetricsServerError);
  CHECK_THROWS_AS(MetricsServer("256.1.1.1:80", [] { return std::string(); }), MetricsServerError);
}

TEST_CASE("logger: text and JSON lines, level filter") {
  Logger log(stderr);
  std::string text =
      log.render(LogLevel::info, "start", "replaying",
                 {{"inputs", 2}, {"output", "out file.jsonl"}, {"ok", true}}, 1'790'000'000'000);
  CHECK(text ==
        "2026-09-21T14:13:20Z info  start: replaying inputs=2 "
        "output=\"out file.jsonl\" ok=true\n");
  log.configure(LogLevel::warn, LogFormat::json);
  std::string json =
      log.render(LogLevel::warn, "late_posts", "5 \"late\" posts",
                 {{"late_posts", 5}, {"seconds", 1.5}, {"topic", "weibo"}}, 1'790'000'000'250);
  CHECK(
      json ==
      "{\"ts\":\"2026-09-21T14:13:20.250Z\",\"level\":\"warn\",\"event\":\"late_posts\","
      "\"msg\":\"5 \\\"late\\\" posts\",\"late_posts\":5,\"seconds\":1.500,\"topic\":\"weibo\"}\n");
  CHECK(log.enabled(LogLevel::error));
  CHECK(log.enabled(LogLevel::warn));
  CHECK_FALSE(log.enabled(LogLevel::info));
  CHECK(parse_log_level("debug") == LogLevel::debug);
  CHECK_FALSE(parse_log_level("verbose"));
  CHECK(parse_log_format("json") == LogFormat::json);

  // Only enabled levels are written, one line each.
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  Logger to_file(f);
  to_file.configure(LogLevel::warn, LogFormat::text);
  to_file.info("start", "hidden");
  to_file.warn("slow", "shown", {{"ms", 12}});
  to_file.error("fatal", "also shown");
  std::rewind(f);
  std::string written;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) written.append(buf, n);
  std::fclose(f);
  CHECK(written.find("hidden") == std::string::npos);
  CHECK(written.find(" warn  slow: shown ms=12\n") != std::string::npos);
  CHECK(written.find(" error fatal: also shown\n") != std::string::npos);
  CHECK(std::count(written.begin(), written.end(), '\n') == 2);
}

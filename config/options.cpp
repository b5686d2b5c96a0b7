// Every configuration option, declared once. Order here is the order of `validate` output
// and of the reference table in config/README.md.
#include "config/options.h"

#include <algorithm>
#include <array>

namespace sentistream {

namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string quote_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + quote(items[i]);
  return out + "]";
}

std::string type_error(const char* expected, const OptionValue& v) {
  return std::string("expected ") + expected + ", got '" + v.text + "'";
}

// Integers: TOML integers, or strings of digits from the environment.
std::optional<int64_t> as_integer(const OptionValue& v) {
  if (v.kind == OptionValue::Kind::integer) return v.integer;
  return std::nullopt;
}

Option integer_option(const char* section, const char* key, const char* def, const char* desc,
                      auto member, int64_t min, int64_t max) {
  return Option{section,
                key,
                "integer",
                def,
                desc,
                [member, min, max](Config& c, const OptionValue& v) -> std::string {
                  auto i = as_integer(v);
                  if (!i) return type_error("an integer", v);
                  if (*i < min || *i > max) {
                    return "value " + std::to_string(*i) + " is out of range [" +
                           std::to_string(min) + ", " + std::to_string(max) + "]";
                  }
                  c.*member = static_cast<std::remove_reference_t<decltype(c.*member)>>(*i);
                  return "";
                },
                [member](const Config& c) { return std::to_string(c.*member); }};
}

// Sizes: integer bytes or "16MiB", "512KiB", "1MB", "2GiB".
std::optional<int64_t> parse_size(const OptionValue& v) {
  if (v.kind == OptionValue::Kind::integer) return v.integer;
  if (v.kind != OptionValue::Kind::string || v.text.empty()) return std::nullopt;
  size_t pos = 0;
  int64_t n = 0;
  while (pos < v.text.size() && std::isdigit(static_cast<unsigned char>(v.text[pos]))) {
    n = n * 10 + (v.text[pos++] - '0');
    if (n > (int64_t{1} << 40)) return std::nullopt;
  }
  if (pos == 0) return std::nullopt;
  std::string unit = v.text.substr(pos);
  static const std::array<std::pair<const char*, int64_t>, 8> units = {{{"", 1},
                                                                        {"B", 1},
                                                                        {"KiB", 1 << 10},
                                                                        {"MiB", 1 << 20},
                                                                        {"GiB", 1 << 30},
                                                                        {"KB", 1000},
                                                                        {"MB", 1000000},
                                                                        {"GB", 1000000000}}};
  for (const auto& [name, mult] : units) {
    if (unit == name) {
      if (n > INT64_MAX / mult) return std::nullopt;
      return n * mult;
    }
  }
  return std::nullopt;
}

std::string format_size(int64_t bytes) {
  if (bytes > 0 && bytes % (1 << 30) == 0) return quote(std::to_string(bytes >> 30) + "GiB");
  if (bytes > 0 && bytes % (1 << 20) == 0) return quote(std::to_string(bytes >> 20) + "MiB");
  if (bytes > 0 && bytes % (1 << 10) == 0) return quote(std::to_string(bytes >> 10) + "KiB");
  return std::to_string(bytes);
}

Option size_option(const char* section, const char* key, const char* def, const char* desc,
                   int64_t Config::*member, int64_t min, int64_t max) {
  return Option{section,
                key,
                "size",
                def,
                desc,
                [member, min, max](Config& c, const OptionValue& v) -> std::string {
                  auto n = parse_size(v);
                  if (!n) return type_error("a size like 1048576 or \"16MiB\"", v);
                  if (*n < min || *n > max) {
                    return "size " + v.text + " is out of range [" + std::to_string(min) + ", " +
                           std::to_string(max) + "] bytes";
                  }
                  c.*member = *n;
                  return "";
                },
                [member](const Config& c) { return format_size(c.*member); }};
}

Option duration_option(const char* section, const char* key, const char* def, const char* desc,
                       int64_t Config::*member) {
  return Option{section,
                key,
                "duration",
                def,
                desc,
                [member](Config& c, const OptionValue& v) -> std::string {
                  auto ms = v.kind == OptionValue::Kind::string ? parse_duration_ms(v.text)
                                                                : std::nullopt;
                  if (!ms || *ms < 0) {
                    return type_error("a duration like \"250ms\", \"5s\", \"1m\", \"2h\"", v);
                  }
                  c.*member = *ms;
                  return "";
                },
                [member](const Config& c) { return quote(format_duration(c.*member)); }};
}

Option bool_option(const char* section, const char* key, const char* def, const char* desc,
                   bool Config::*member) {
  return Option{section,
                key,
                "boolean",
                def,
                desc,
                [member](Config& c, const OptionValue& v) -> std::string {
                  if (v.kind != OptionValue::Kind::boolean) return type_error("true or false", v);
                  c.*member = v.boolean;
                  return "";
                },
                [member](const Config& c) { return std::string(c.*member ? "true" : "false"); }};
}

Option string_option(const char* section, const char* key, const char* def, const char* desc,
                     std::string Config::*member, std::vector<std::string> allowed = {}) {
  return Option{section,
                key,
                "string",
                def,
                desc,
                [member, allowed](Config& c, const OptionValue& v) -> std::string {
                  if (v.kind != OptionValue::Kind::string) return type_error("a string", v);
                  if (!allowed.empty() &&
                      std::find(allowed.begin(), allowed.end(), v.text) == allowed.end()) {
                    std::string list;
                    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
                    return "'" + v.text + "' is not one of: " + list;
                  }
                  c.*member = v.text;
                  return "";
                },
                [member](const Config& c) { return quote(c.*member); }};
}

// Lists may come as TOML arrays or, from the environment, as "a,b,c".
std::vector<std::string> as_list(const OptionValue& v) {
  if (v.kind == OptionValue::Kind::list) return v.list;
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.text.size()) {
    size_t comma = v.text.find(',', start);
    if (comma == std::string::npos) comma = v.text.size();
    std::string item = v.text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

std::vector<Option> make_options() {
  std::vector<Option> o;
  o.push_back(size_option("input", "max_document_bytes", "\"16MiB\"",
                          "Documents (NDJSON lines or whole files) larger than this are "
                          "rejected as too_large without being parsed.",
                          &Config::max_document_bytes, 1024, int64_t{1} << 32));

  o.push_back(integer_option("pipeline", "threads", "0",
                             "Worker threads for parse+score; 0 = all hardware threads. "
                             "Output does not depend on it.",
                             &Config::threads, 0, 256));
  o.push_back(integer_option("pipeline", "batch_docs", "2048",
                             "Maximum documents per batch. Output does not depend on it.",
                             &Config::batch_docs, 1, 1 << 20));
  o.push_back(size_option("pipeline", "batch_bytes", "\"1MiB\"",
                          "Maximum bytes per batch (a larger single document still forms "
                          "one batch). Output does not depend on it.",
                          &Config::batch_bytes, 1024, int64_t{1} << 30));
  o.push_back(integer_option("pipeline", "tokens_per_thread", "4",
                             "Batches in flight per worker thread; bounds memory "
                             "(backpressure).",
                             &Config::tokens_per_thread, 1, 64));
  o.push_back(duration_option("pipeline", "shutdown_timeout", "\"30s\"",
                              "On SIGTERM/SIGINT: finish batches in flight, checkpoint, commit "
                              "and leave the group within this time, else exit 1 (the last "
                              "checkpoint stays valid).",
                              &Config::shutdown_timeout_ms));

  o.push_back(Option{
      "windows", "specs", "list of window specs", "[\"1m\", \"1h\"]",
      "Window specs computed at once: \"1m\" is tumbling, \"1h/5m\" hopping (size/slide).",
      [](Config& c, const OptionValue& v) -> std::string {
        std::vector<WindowSpec> specs;
        std::string problems;
        for (const auto& item : as_list(v)) {
          std::string err;
          auto spec = parse_window_spec(item, &err);
          if (!spec) {
            problems += (problems.empty() ? "" : "; ") + err;
          } else if (std::any_of(specs.begin(), specs.end(),
                                 [&](const WindowSpec& s) { return s.name == spec->name; })) {
            problems += (problems.empty() ? "" : "; ") + ("duplicate spec '" + item + "'");
          } else {
            specs.push_back(*spec);
          }
        }
        if (!problems.empty()) return problems;
        if (specs.empty()) return "at least one window spec is required";
        c.windows = std::move(specs);
        return "";
      },
      [](const Config& c) {
        std::vector<std::string> names;
        for (const auto& s : c.windows) names.push_back(s.name);
        return quote_list(names);
      }});
  o.push_back(
      Option{"windows", "group_by", "list of dimensions", "[\"platform\", \"lang\"]",
             "Grouping dimensions of each aggregate, in key order: platform, lang, topic, region. "
             "An empty list gives one group per window.",
             [](Config& c, const OptionValue& v) -> std::string {
               std::vector<Dimension> dims;
               for (const auto& item : as_list(v)) {
                 auto d = parse_dimension(item);
                 if (!d) return "unknown dimension '" + item + "' (platform, lang, topic, region)";
                 if (std::find(dims.begin(), dims.end(), *d) != dims.end()) {
                   return "dimension '" + item + "' listed twice";
                 }
                 dims.push_back(*d);
               }
               c.group_by = std::move(dims);
               return "";
             },
             [](const Config& c) {
               std::vector<std::string> names;
               for (auto d : c.group_by) names.emplace_back(to_string(d));
               return quote_list(names);
             }});
  o.push_back(duration_option("windows", "max_out_of_orderness", "\"1m\"",
                              "Watermark = max event time seen - this. Posts this much out of "
                              "order still land in their window before it closes.",
                              &Config::max_out_of_orderness_ms));
  o.push_back(duration_option("windows", "allowed_lateness", "\"0s\"",
                              "How long a closed window keeps its state: posts arriving within "
                              "it re-emit the window with revision+1; older posts are late.",
                              &Config::allowed_lateness_ms));
  o.push_back(integer_option("windows", "top_hashtags", "10",
                             "Hashtags reported per aggregate (most frequent first).",
                             &Config::top_hashtags, 0, 1000));
  o.push_back(integer_option("windows", "hashtag_capacity", "100",
                             "Space-Saving counters per window state; counts are exact while "
                             "a window has fewer distinct hashtags.",
                             &Config::hashtag_capacity, 1, 100000));

  o.push_back(string_option("score", "engine", "\"default\"",
                            "Scoring engine: default (sentistream's lexicon engine) or vader "
                            "(vaderSentiment 3.3.2, exact; needs score.vader_lexicon).",
                            &Config::engine, {"default", "vader"}));
  o.push_back(string_option("score", "vader_lexicon", "\"\"",
                            "Path of VADER's vader_lexicon.txt (engine = \"vader\"); never "
                            "shipped with sentistream.",
                            &Config::vader_lexicon));
  o.push_back(string_option("score", "vader_emoji_lexicon", "\"\"",
                            "Path of VADER's emoji_utf8_lexicon.txt (engine = \"vader\"); "
                            "empty = emoji are not replaced by their descriptions.",
                            &Config::vader_emoji_lexicon));
  o.push_back(string_option("score", "lexicon_dir", "\"\"",
                            "Directory laid out like config/lexicons/; empty = the default "
                            "lexicons compiled into the binary.",
                            &Config::lexicon_dir));
  o.push_back(bool_option("score", "score_repost_chain", "false",
                          "Also score Weibo //@user: repost chains and quoted text, not only "
                          "the author's own words.",
                          &Config::score_repost_chain));

  o.push_back(Option{
      "output", "format", "string", "\"jsonl\"", "Aggregate output format: jsonl or csv.",
      [](Config& c, const OptionValue& v) -> std::string {
        if (v.kind == OptionValue::Kind::string && v.text == "jsonl") {
          c.format = OutputFormat::jsonl;
        } else if (v.kind == OptionValue::Kind::string && v.text == "csv") {
          c.format = OutputFormat::csv;
        } else {
          return "'" + v.text + "' is not one of: jsonl, csv";
        }
        return "";
      },
      [](const Config& c) { return quote(c.format == OutputFormat::jsonl ? "jsonl" : "csv"); }});
  o.push_back(string_option("output", "path", "\"-\"",
                            "Where aggregates go: a file path, or - for stdout; empty = no file "
                            "(run: aggregates only to kafka.aggregates_topic). run appends.",
                            &Config::output));
  o.push_back(string_option("output", "dlq", "\"\"",
                            "Dead-letter file (JSON lines: reason, origin, original bytes); "
                            "empty = rejects are only counted.",
                            &Config::dlq));
  o.push_back(integer_option("output", "decimals", "4",
                             "Digits after the decimal point for means, rates and stddev.",
                             &Config::decimals, 0, 9));

  o.push_back(Option{
      "metrics", "listen", "string", "\"\"",
      "Serve /metrics, /healthz and /readyz on HOST:PORT ([IPV6]:PORT; port 0 = any free "
      "port). Empty = the command's default: off for replay, 0.0.0.0:9464 for run; \"off\" "
      "= never.",
      [](Config& c, const OptionValue& v) -> std::string {
        if (v.kind != OptionValue::Kind::string) return type_error("a string", v);
        const std::string& t = v.text;
        if (!t.empty() && t != "off") {
          size_t colon = t.rfind(':');
          std::string port = colon == std::string::npos ? "" : t.substr(colon + 1);
          bool bracketed = !t.empty() && t[0] == '[';
          if (colon == std::string::npos || port.empty() || port.size() > 5 ||
              port.find_first_not_of("0123456789") != std::string::npos ||
              std::stoi(port) > 65535 || (bracketed && (colon == 0 || t[colon - 1] != ']')) ||
              (!bracketed && t.find(':') != colon)) {
            return "expected HOST:PORT, [IPV6]:PORT, \"\" or \"off\", got '" + t + "'";
          }
        }
        c.metrics_listen = t;
        return "";
      },
      [](const Config& c) { return quote(c.metrics_listen); }});
  o.push_back(integer_option("metrics", "top_keys", "20",
                             "Keys per window spec that get window_sentiment_mean and "
                             "window_marker_rate gauges (the largest by post count in the "
                             "latest closed window); bounds the number of series.",
                             &Config::metrics_top_keys, 0, 1000));
  o.push_back(string_option("log", "level", "\"info\"",
                            "Log lines at this level and above: error, warn, info, debug.",
                            &Config::log_level, {"error", "warn", "info", "debug"}));
  o.push_back(string_option("log", "format", "\"text\"",
                            "Log line format: text (human-readable) or json (one object per "
                            "line: ts, level, event, msg, fields).",
                            &Config::log_format, {"text", "json"}));

  // Live mode (`sentistream run`). bootstrap.servers and group.id go in [kafka.consumer].
  o.push_back(
      Option{"kafka", "topics", "list of strings", "[]",
             "Topics to consume in live mode; an entry starting with ^ is a regular expression "
             "(librdkafka syntax), e.g. \"^posts\\\\..*\".",
             [](Config& c, const OptionValue& v) -> std::string {
               c.kafka_topics = as_list(v);
               return "";
             },
             [](const Config& c) { return quote_list(c.kafka_topics); }});
  o.push_back(string_option("kafka", "start_offset", "\"earliest\"",
                            "Where a partition with no checkpoint and no committed offset "
                            "starts: earliest, latest, or an RFC 3339 time "
                            "(\"2025-01-27T00:00:00Z\": the first message at or after it).",
                            &Config::start_offset));
  o.push_back(duration_option("kafka", "idle_timeout", "\"30s\"",
                              "A partition with no message for this long (wall clock), or at "
                              "its end offset, stops holding the watermark back.",
                              &Config::idle_timeout_ms));
  o.push_back(duration_option("kafka", "batch_linger", "\"50ms\"",
                              "Longest wait to fill a batch before it is processed anyway.",
                              &Config::batch_linger_ms));
  o.push_back(string_option("kafka", "aggregates_topic", "\"\"",
                            "Topic for window aggregates (key = spec|start|group key, JSON "
                            "value, headers revision and schema); empty = none.",
                            &Config::aggregates_topic));
  o.push_back(string_option("kafka", "dlq_topic", "\"\"",
                            "Topic for rejected messages: original bytes, headers reason, "
                            "source topic, partition and offset; empty = none.",
                            &Config::dlq_topic));

  o.push_back(string_option("checkpoint", "dir", "\"state\"",
                            "Directory for checkpoints (window state, watermarks and next "
                            "offsets per partition), written atomically. One per instance.",
                            &Config::checkpoint_dir));
  o.push_back(duration_option("checkpoint", "interval", "\"5s\"",
                              "Checkpoint (and then commit offsets) at least this often.",
                              &Config::checkpoint_interval_ms));
  return o;
}

const std::vector<Option>& table() {
  static const std::vector<Option> t = make_options();
  return t;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::span<const Option> options() {
  return table();
}

const Option* find_option(const std::string& section, const std::string& key) {
  for (const Option& opt : table()) {
    if (section == opt.section && key == opt.key) return &opt;
  }
  return nullptr;
}

bool has_section(const std::string& section) {
  return std::any_of(table().begin(), table().end(),
                     [&](const Option& o) { return section == o.section; });
}

std::string suggest_key(const std::string& section, const std::string& key) {
  const Option* best = nullptr;
  size_t best_d = 3;  // suggest only near misses
  for (const Option& opt : table()) {
    if (section != opt.section) continue;
    size_t d = edit_distance(key, opt.key);
    if (d < best_d) {
      best_d = d;
      best = &opt;
    }
  }
  return best ? std::string(" (did you mean '") + best->key + "'?)" : "";
}

std::string describe_options() {
  std::string out = "| key | type | default | description |\n|---|---|---|---|\n";
  for (const Option& opt : table()) {
    out += std::string("| `") + opt.section + "." + opt.key + "` | " + opt.type + " | `" +
           opt.default_value + "` | " + opt.description + " |\n";
  }
  return out;
}

}  // namespace sentistream

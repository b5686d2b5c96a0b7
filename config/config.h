// sentistream configuration: one struct, one option table, one loader.
//
// Every option is declared once in config/options.cpp (section, key, type, default,
// description). Loading TOML, environment overrides (SENTISTREAM_<SECTION>_<KEY>),
// command-line overrides (--set section.key=value), `validate`'s effective-config dump and
// the option reference in config/README.md all derive from that table.
//
// Loading never stops at the first problem: every error is collected with file, line and
// key, and reported together (ConfigError::what() joins them, one per line).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "operators/window/window.h"

namespace sentistream {

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// A topic rule: posts whose text contains one of `terms` (case-insensitive for ASCII) or
// carries one of the hashtags get this topic. Rules are tried in config order; the first
// match wins, so every post has exactly one topic and group counts add up.
struct TopicRule {
  std::string name;
  std::vector<std::string> terms;     // substrings of the text, lower-case ASCII folded
  std::vector<std::string> hashtags;  // hashtags without '#', compared case-insensitively
};

enum class OutputFormat { jsonl, csv };

// Defaults are declared once, in the option table (options.cpp), and applied by
// load_config(); the zero values here only keep a default-constructed Config defined.
struct Config {
  // [input]
  int64_t max_document_bytes = 0;

  // [pipeline]
  int threads = 0;            // 0 = all hardware threads
  int64_t batch_docs = 0;     // documents per batch (upper bound)
  int64_t batch_bytes = 0;    // bytes per batch (upper bound)
  int tokens_per_thread = 0;  // batches in flight per worker thread (backpressure)

  // [windows]
  std::vector<WindowSpec> windows;
  std::vector<Dimension> group_by;
  int64_t max_out_of_orderness_ms = 0;
  int64_t allowed_lateness_ms = 0;
  int top_hashtags = 0;
  int hashtag_capacity = 0;

  // [score]
  std::string engine;
  std::string lexicon_dir;          // empty = the lexicons compiled into the binary
  std::string vader_lexicon;        // engine "vader": path of vader_lexicon.txt
  std::string vader_emoji_lexicon;  // engine "vader": path of emoji_utf8_lexicon.txt
  bool score_repost_chain = false;

  // [topics] (not in the option table: names are the user's)
  std::vector<TopicRule> topics;
  std::string default_topic = "other";

  // [output]
  OutputFormat format = OutputFormat::jsonl;
  std::string output;  // path or "-" for stdout
  std::string dlq;     // path; empty = no DLQ file (rejects are still counted)
  int decimals = 0;    // digits after the point for means, rates, stddev

  // [kafka] (live mode)
  std::vector<std::string> kafka_topics;
  std::string start_offset;
  int64_t idle_timeout_ms = 0;
  int64_t batch_linger_ms = 0;
  std::string aggregates_topic;
  std::string dlq_topic;

  // [checkpoint]
  std::string checkpoint_dir;
  int64_t checkpoint_interval_ms = 0;
  int64_t shutdown_timeout_ms = 0;  // [pipeline]

  // [metrics]
  std::string metrics_listen;  // HOST:PORT, "" = default for the command, "off" = never
  int metrics_top_keys = 0;    // window gauges per spec

  // [log]
  std::string log_level;   // error | warn | info | debug
  std::string log_format;  // text | json

  // [kafka.consumer] / [kafka.producer]: librdkafka properties, passed through verbatim.
  std::map<std::string, std::string> kafka_consumer;
  std::map<std::string, std::string> kafka_producer;

  // Where each option's value came from ("default", "file.toml:12", "env", "--set"),
  // keyed by "section.key"; used by `validate` output and error messages.
  std::map<std::string, std::string> origin;

  WindowConfig window_config(std::vector<std::string> marker_names) const;
};

struct ConfigSources {
  std::string file;                    // TOML file; empty = defaults only
  std::vector<std::string> overrides;  // "section.key=value" from --set
  bool use_environment = true;         // read SENTISTREAM_<SECTION>_<KEY>
};

// Builds the effective configuration: defaults < file < environment < --set.
// Throws ConfigError listing every problem found.
Config load_config(const ConfigSources& sources);

// The effective configuration as TOML, with each value's origin as a comment; secrets
// (keys containing "password", "secret", or starting with "sasl.") are printed as "***".
std::string dump_config(const Config& config);

// Markdown table of every option (section, key, type, default, description).
std::string describe_options();

bool is_secret_key(const std::string& key);

}  // namespace sentistream

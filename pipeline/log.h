// Structured logging: one line per notable event (start, assignment, checkpoint,
// shutdown, error), never per post.
//
//   text (default): 2026-11-28T20:00:00Z info  start: replaying 2 inputs threads=2
//   json:           {"ts":"2026-11-28T20:00:00Z","level":"info","event":"start",
//                    "msg":"replaying 2 inputs","threads":2}
//
// Threading: every method may be called from any thread. A line is rendered into a local
// buffer and written with one fwrite under a mutex, so lines never interleave.
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace sentistream {

// Ordered by verbosity: a logger at level `info` writes error, warn and info lines.
enum class LogLevel : uint8_t { error = 0, warn, info, debug };
enum class LogFormat : uint8_t { text, json };

std::string_view to_string(LogLevel level);
std::optional<LogLevel> parse_log_level(std::string_view name);    // "error" ... "debug"
std::optional<LogFormat> parse_log_format(std::string_view name);  // "text" | "json"

// One key/value pair of a log line. Numbers and booleans stay numbers in JSON; the value
// is rendered when the field is built, so callers may pass temporaries.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, const char* v) : key(k), value(v ? v : ""), quoted(true) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), quoted(false) {}
  template <std::integral T>
  LogField(std::string_view k, T v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, double v);

  std::string_view key;
  std::string value;
  bool quoted;  // a string (JSON-quoted) rather than a number or boolean
};

class Logger {
 public:
  explicit Logger(std::FILE* out = stderr) : out_(out) {}

  void configure(LogLevel level, LogFormat format) {
    level_.store(level, std::memory_order_relaxed);
    format_.store(format, std::memory_order_relaxed);
  }
  LogLevel level() const { return level_.load(std::memory_order_relaxed); }
  LogFormat format() const { return format_.load(std::memory_order_relaxed); }
  bool enabled(LogLevel level) const { return level <= this->level(); }

  // `event` is a short machine-friendly name ("start", "checkpoint"); `msg` is for humans.
  void log(LogLevel level, std::string_view event, std::string_view msg,
           std::initializer_list<LogField> fields = {});
  void error(std::string_view event, std::string_view msg, std::initializer_list<LogField> f = {}) {
    log(LogLevel::error, event, msg, f);
  }
  void warn(std::string_view event, std::string_view msg, std::initializer_list<LogField> f = {}) {
    log(LogLevel::warn, event, msg, f);
  }
  void info(std::string_view event, std::string_view msg, std::initializer_list<LogField> f = {}) {
    log(LogLevel::info, event, msg, f);
  }
  void debug(std::string_view event, std::string_view msg, std::initializer_list<LogField> f = {}) {
    log(LogLevel::debug, event, msg, f);
  }

  // The line log() would write at wall-clock time `unix_ms` (with its '\n'); for tests.
  std::string render(LogLevel level, std::string_view event, std::string_view msg,
                     std::initializer_list<LogField> fields, int64_t unix_ms) const;

 private:
  std::FILE* out_;
  std::atomic<LogLevel> level_{LogLevel::info};
  std::atomic<LogFormat> format_{LogFormat::text};
  std::mutex write_mu_;
};

// The process-wide logger (stderr), configured once by the command from config and flags.
Logger& logger();

struct Config;
// Applies log.level and log.format (validated by the config loader) to logger().
void configure_logger(const Config& config);

}  // namespace sentistream

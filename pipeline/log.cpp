#include "pipeline/log.h"

#include <chrono>

#include "config/config.h"
#include "pipeline/encode.h"

namespace sentistream {

namespace {

// A text-format value needs quotes when it would otherwise be ambiguous to split on.
bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return true;
    }
  }
  return false;
}

}  // namespace

LogField::LogField(std::string_view k, double v) : key(k), quoted(false) {
  append_fixed(v, 3, value);
}

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::error:
      return "error";
    case LogLevel::warn:
      return "warn";
    case LogLevel::info:
      return "info";
    case LogLevel::debug:
      return "debug";
  }
  return "info";
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
  for (LogLevel l : {LogLevel::error, LogLevel::warn, LogLevel::info, LogLevel::debug}) {
    if (name == to_string(l)) return l;
  }
  return std::nullopt;
}

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "text") return LogFormat::text;
  if (name == "json") return LogFormat::json;
  return std::nullopt;
}

std::string Logger::render(LogLevel level, std::string_view event, std::string_view msg,
                           std::initializer_list<LogField> fields, int64_t unix_ms) const {
  std::string line;
  line.reserve(128 + msg.size());
  if (format() == LogFormat::json) {
    line += "{\"ts\":\"";
    append_rfc3339(unix_ms, line);
    line += "\",\"level\":\"";
    line += to_string(level);
    line += "\",\"event\":";
    append_json_string(event, line);
    line += ",\"msg\":";
    append_json_string(msg, line);
    for (const LogField& f : fields) {
      line += ',';
      append_json_string(f.key, line);
      line += ':';
      if (f.quoted) {
        append_json_string(f.value, line);
      } else {
        line += f.value;
      }
    }
    line += "}\n";
    return line;
  }
  append_rfc3339(unix_ms, line);
  line += ' ';
  std::string_view name = to_string(level);
  line += name;
  line.append(6 - name.size(), ' ');  // levels line up: "info  ", "error "
  line += event;
  line += ": ";
  line += msg;
  for (const LogField& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    if (f.quoted && needs_quotes(f.value)) {
      append_json_string(f.value, line);
    } else {
      line += f.value;
    }
  }
  line += '\n';
  return line;
}

void Logger::log(LogLevel level, std::string_view event, std::string_view msg,
                 std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  // Whole seconds in text lines keep them short; JSON keeps milliseconds for ordering.
  const int64_t ts = format() == LogFormat::text ? now_ms - now_ms % 1000 : now_ms;
  std::string line = render(level, event, msg, fields, ts);
  std::lock_guard lock(write_mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

Logger& logger() {
  static Logger instance(stderr);
  return instance;
}

void configure_logger(const Config& config) {
  logger().configure(parse_log_level(config.log_level).value_or(LogLevel::info),
                     parse_log_format(config.log_format).value_or(LogFormat::text));
}

}  // namespace sentistream

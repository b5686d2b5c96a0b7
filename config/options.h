// The option table: each configuration option declared once.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"

namespace sentistream {

// A value as read from TOML, the environment or --set, before type checking.
struct OptionValue {
  enum class Kind { string, integer, boolean, list } kind = Kind::string;
  std::string text;  // string value, or the textual form of integer/boolean
  int64_t integer = 0;
  bool boolean = false;
  std::vector<std::string> list;
};

struct Option {
  const char* section;
  const char* key;
  const char* type;           // for docs: "integer", "duration", "size", "string", ...
  const char* default_value;  // TOML literal, parsed like an override
  const char* description;
  // Type-checks and stores the value; returns an error message or "".
  std::function<std::string(Config&, const OptionValue&)> apply;
  // The current value as a TOML literal.
  std::function<std::string(const Config&)> show;
};

std::span<const Option> options();
const Option* find_option(const std::string& section, const std::string& key);
bool has_section(const std::string& section);
// " (did you mean 'x'?)" for a near miss, else "".
std::string suggest_key(const std::string& section, const std::string& key);

}  // namespace sentistream

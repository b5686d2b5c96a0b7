// Loading: TOML file, environment, --set, then cross-field validation. The option table
// itself lives in options.cpp; this file only walks sources and reports problems.
#include "config/config.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include <toml++/toml.h>

#include "config/options.h"

namespace sentistream {

namespace {

std::string join_problems(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += '\n';
    out += p;
  }
  return out;
}

std::string node_line(const std::string& file, const toml::node& node) {
  return file + ":" + std::to_string(node.source().begin.line);
}

// Converts a TOML node into an OptionValue; nullopt with *error when the shape is wrong.
std::optional<OptionValue> from_toml(const toml::node& node, std::string* error) {
  OptionValue v;
  if (auto s = node.value<std::string>(); s && node.is_string()) {
    v.kind = OptionValue::Kind::string;
    v.text = *s;
  } else if (node.is_integer()) {
    v.kind = OptionValue::Kind::integer;
    v.integer = *node.value<int64_t>();
    v.text = std::to_string(v.integer);
  } else if (node.is_boolean()) {
    v.kind = OptionValue::Kind::boolean;
    v.boolean = *node.value<bool>();
    v.text = v.boolean ? "true" : "false";
  } else if (const auto* arr = node.as_array()) {
    v.kind = OptionValue::Kind::list;
    for (const auto& el : *arr) {
      auto s = el.value<std::string>();
      if (!s || !el.is_string()) {
        *error = "expected an array of strings";
        return std::nullopt;
      }
      v.list.push_back(*s);
    }
  } else {
    *error = "unsupported value type";
    return std::nullopt;
  }
  return v;
}

// Values from the environment or --set are text: parse them as a TOML value when they
// look like one ("42", "true", "[\"1m\",\"5m\"]", "\"x\""), else take the bare string.
OptionValue from_text(const std::string& text) {
  try {
    auto table = toml::parse("v = " + text);
    if (const toml::node* node = table.get("v")) {
      std::string err;
      if (auto v = from_toml(*node, &err)) return *v;
    }
  } catch (const toml::parse_error&) {
  }
  OptionValue v;
  v.kind = OptionValue::Kind::string;
  v.text = text;
  return v;
}

std::string env_name(const Option& opt) {
  std::string name = "SENTISTREAM_";
  for (const char* p : {opt.section, "_", opt.key}) {
    for (const char* c = p; *c; ++c) {
      name += (*c == '.') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
    }
  }
  return name;
}

void apply(Config& config, const Option& opt, const OptionValue& value, const std::string& where,
           std::vector<std::string>& problems) {
  std::string err = opt.apply(config, value);
  if (!err.empty()) {
    problems.push_back(where + ": " + opt.section + "." + opt.key + ": " + err);
    // A failed key keeps its previous value; cross-field checks must not judge it.
    config.origin[std::string(opt.section) + "." + opt.key] = "invalid";
  } else {
    config.origin[std::string(opt.section) + "." + opt.key] = where;
  }
}

void load_topics(Config& config, const toml::table& topics, const std::string& file,
                 std::vector<std::string>& problems) {
  for (const auto& [name, node] : topics) {
    std::string where = node_line(file, node) + ": topics." + std::string(name.str());
    if (name.str() == "default") {
      if (auto s = node.value<std::string>()) {
        config.default_topic = *s;
      } else {
        problems.push_back(where + ": expected a string (the topic of posts no rule matches)");
      }
      continue;
    }
    const auto* arr = node.as_array();
    if (!arr) {
      problems.push_back(where + ": expected an array of terms and #hashtags");
      continue;
    }
    TopicRule rule;
    rule.name = std::string(name.str());
    for (const auto& el : *arr) {
      auto s = el.value<std::string>();
      if (!s || s->empty()) {
        problems.push_back(where + ": every entry must be a non-empty string");
        continue;
      }
      std::string term = *s;
      std::transform(term.begin(), term.end(), term.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (term[0] == '#') {
        rule.hashtags.push_back(term.substr(1));
      } else {
        rule.terms.push_back(term);
      }
    }
    config.topics.push_back(std::move(rule));
  }
}

void load_passthrough(std::map<std::string, std::string>& out, const toml::table& table,
                      const std::string& file, const std::string& section,
                      std::vector<std::string>& problems) {
  for (const auto& [key, node] : table) {
    std::string err;
    auto v = from_toml(node, &err);
    if (!v || v->kind == OptionValue::Kind::list) {
      problems.push_back(node_line(file, node) + ": " + section + "." + std::string(key.str()) +
                         ": librdkafka properties must be strings, numbers or booleans");
      continue;
    }
    out[std::string(key.str())] = v->text;
  }
}

// One `key = value` of a [section] table, checked against the option table.
void load_key(Config& config, const std::string& section, const std::string& key,
              const toml::node& node, const std::string& file, std::vector<std::string>& problems) {
  const Option* opt = find_option(section, key);
  std::string where = node_line(file, node);
  if (!opt) {
    problems.push_back(where + ": " + section + "." + key + ": unknown key" +
                       suggest_key(section, key));
    return;
  }
  std::string err;
  auto value = from_toml(node, &err);
  if (!value) {
    problems.push_back(where + ": " + section + "." + key + ": " + err);
    return;
  }
  apply(config, *opt, *value, where, problems);
}

void load_file(Config& config, const std::string& file, std::vector<std::string>& problems) {
  toml::table root;
  try {
    root = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << file << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    problems.push_back(msg.str());
    return;
  }
  for (const auto& [section_key, section_node] : root) {
    std::string section(section_key.str());
    const auto* table = section_node.as_table();
    if (!table) {
      problems.push_back(node_line(file, section_node) + ": " + section +
                         ": unknown top-level key (expected a [section])");
      continue;
    }
    if (section == "topics") {
      load_topics(config, *table, file, problems);
      continue;
    }
    if (section == "kafka") {
      for (const auto& [sub, node] : *table) {
        const auto* subtable = node.as_table();
        std::string name(sub.str());
        if (subtable && name == "consumer") {
          load_passthrough(config.kafka_consumer, *subtable, file, "kafka.consumer", problems);
        } else if (subtable && name == "producer") {
          load_passthrough(config.kafka_producer, *subtable, file, "kafka.producer", problems);
        } else if (!subtable) {
          load_key(config, section, name, node, file, problems);  // [kafka] topics = ...
        } else {
          problems.push_back(node_line(file, node) + ": [kafka." + name +
                             "]: unknown table (expected [kafka.consumer] or [kafka.producer])");
        }
      }
      continue;
    }
    if (!has_section(section)) {
      problems.push_back(node_line(file, section_node) + ": [" + section + "]: unknown section");
      continue;
    }
    for (const auto& [key, node] : *table) {
      load_key(config, section, std::string(key.str()), node, file, problems);
    }
  }
}

// Cross-field checks. Runs even when single keys failed (every problem is reported at
// once), but skips a check when one of its keys is invalid: its value is not the user's.
void validate(Config& config, std::vector<std::string>& problems) {
  auto where = [&](const char* key) {
    auto it = config.origin.find(key);
    std::string origin = it == config.origin.end() ? "default" : it->second;
    return origin + ": " + key;
  };
  auto valid = [&](std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
      auto it = config.origin.find(k);
      if (it != config.origin.end() && it->second == "invalid") return false;
    }
    return true;
  };
  for (const auto& spec : config.windows) {
    if (!valid({"windows.specs", "windows.allowed_lateness"})) break;
    if (config.allowed_lateness_ms >= spec.size_ms) {
      problems.push_back(where("windows.allowed_lateness") + ": allowed_lateness (" +
                         format_duration(config.allowed_lateness_ms) +
                         ") must be shorter than the window size of '" + spec.name + "' (" +
                         format_duration(spec.size_ms) + ")");
    }
  }
  if (valid({"windows.top_hashtags", "windows.hashtag_capacity"}) &&
      config.top_hashtags > config.hashtag_capacity) {
    problems.push_back(
        where("windows.top_hashtags") + ": top_hashtags (" + std::to_string(config.top_hashtags) +
        ") must not exceed hashtag_capacity (" + std::to_string(config.hashtag_capacity) + ")");
  }
  if (valid({"score.engine", "score.vader_lexicon"}) && config.engine == "vader" &&
      config.vader_lexicon.empty()) {
    problems.push_back(where("score.engine") +
                       ": engine \"vader\" needs score.vader_lexicon (the path of VADER's "
                       "vader_lexicon.txt), which is empty");
  }
  bool groups_by_topic = std::find(config.group_by.begin(), config.group_by.end(),
                                   Dimension::topic) != config.group_by.end();
  if (valid({"windows.group_by"}) && !config.topics.empty() && !groups_by_topic) {
    problems.push_back(where("windows.group_by") +
                       ": [topics] rules are configured but group_by does not include \"topic\"");
  }
}

}  // namespace

ConfigError::ConfigError(std::vector<std::string> problems)
    : std::runtime_error(join_problems(problems)), problems_(std::move(problems)) {}

Config load_config(const ConfigSources& sources) {
  Config config;
  std::vector<std::string> problems;
  for (const Option& opt : options()) {
    apply(config, opt, from_text(opt.default_value), "default", problems);
  }
  if (!sources.file.empty()) load_file(config, sources.file, problems);
  if (sources.use_environment) {
    for (const Option& opt : options()) {
      std::string name = env_name(opt);
      if (const char* value = std::getenv(name.c_str())) {
        apply(config, opt, from_text(value), "env " + name, problems);
      }
    }
  }
  for (const auto& assignment : sources.overrides) {
    auto eq = assignment.find('=');
    // librdkafka properties contain dots themselves: match the table prefix first.
    bool passthrough = false;
    for (auto [prefix, props] : {std::pair{"kafka.consumer.", &config.kafka_consumer},
                                 std::pair{"kafka.producer.", &config.kafka_producer}}) {
      std::string_view p(prefix);
      if (eq != std::string::npos && assignment.compare(0, p.size(), p) == 0 && eq > p.size()) {
        (*props)[assignment.substr(p.size(), eq - p.size())] = assignment.substr(eq + 1);
        passthrough = true;
      }
    }
    if (passthrough) continue;
    auto dot = assignment.rfind('.', eq);
    if (eq == std::string::npos || dot == std::string::npos || dot == 0) {
      problems.push_back("--set " + assignment + ": expected section.key=value");
      continue;
    }
    std::string section = assignment.substr(0, dot);
    std::string key = assignment.substr(dot + 1, eq - dot - 1);
    std::string value = assignment.substr(eq + 1);
    if (section == "kafka.consumer") {
      config.kafka_consumer[key] = value;
      continue;
    }
    if (section == "kafka.producer") {
      config.kafka_producer[key] = value;
      continue;
    }
    const Option* opt = find_option(section, key);
    if (!opt) {
      problems.push_back("--set " + assignment + ": unknown key " + section + "." + key +
                         suggest_key(section, key));
      continue;
    }
    apply(config, *opt, from_text(value), "--set", problems);
  }
  validate(config, problems);
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return config;
}

bool is_secret_key(const std::string& key) {
  std::string k = key;
  std::transform(k.begin(), k.end(), k.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return k.find("password") != std::string::npos || k.find("secret") != std::string::npos ||
         k.rfind("sasl.", 0) == 0 || k.find("key.pem") != std::string::npos ||
         k.find("token") != std::string::npos;
}

std::string dump_config(const Config& config) {
  std::ostringstream out;
  std::string section;
  for (const Option& opt : options()) {
    if (section != opt.section) {
      section = opt.section;
      out << (out.tellp() > 0 ? "\n" : "") << "[" << section << "]\n";
    }
    std::string id = std::string(opt.section) + "." + opt.key;
    auto it = config.origin.find(id);
    out << opt.key << " = " << opt.show(config) << "  # "
        << (it == config.origin.end() ? "default" : it->second) << "\n";
  }
  if (!config.topics.empty()) {
    out << "\n[topics]\n";
    for (const auto& rule : config.topics) {
      out << rule.name << " = [";
      bool first = true;
      for (const auto& t : rule.terms) {
        out << (first ? "" : ", ") << toml::value<std::string>(t);
        first = false;
      }
      for (const auto& h : rule.hashtags) {
        out << (first ? "" : ", ") << toml::value<std::string>("#" + h);
        first = false;
      }
      out << "]\n";
    }
    out << "default = " << toml::value<std::string>(config.default_topic) << "\n";
  }
  for (const auto& [name, props] : {std::pair{"kafka.consumer", &config.kafka_consumer},
                                    std::pair{"kafka.producer", &config.kafka_producer}}) {
    if (props->empty()) continue;
    out << "\n[" << name << "]\n";
    for (const auto& [k, v] : *props) {
      out << toml::value<std::string>(k) << " = "
          << toml::value<std::string>(is_secret_key(k) ? std::string("***") : v) << "\n";
    }
  }
  return out.str();
}

WindowConfig Config::window_config(std::vector<std::string> marker_names) const {
  WindowConfig wc;
  wc.specs = windows;
  wc.group_by = group_by;
  wc.marker_names = std::move(marker_names);
  wc.max_out_of_orderness_ms = max_out_of_orderness_ms;
  wc.allowed_lateness_ms = allowed_lateness_ms;
  wc.top_hashtags = top_hashtags;
  wc.hashtag_capacity = hashtag_capacity;
  return wc;
}

}  // namespace sentistream

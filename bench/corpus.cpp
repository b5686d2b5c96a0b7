#include "bench/corpus.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <system_error>

#ifndef SENTISTREAM_BENCH_PYTHON
#define SENTISTREAM_BENCH_PYTHON "python3"
#endif
#ifndef SENTISTREAM_BENCH_GEN
#define SENTISTREAM_BENCH_GEN "bench/gen_corpus.py"
#endif

namespace sentistream::bench {
namespace {

namespace fs = std::filesystem;

std::string g_temp_dir;  // removed at exit when we created it

void remove_temp_dir() {
  if (g_temp_dir.empty()) return;
  std::error_code ec;
  fs::remove_all(g_temp_dir, ec);
}

// Single-quoted for /bin/sh; a single quote inside becomes '\''.
std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

// Short content hash of the generator, part of every cached file name, so corpora made
// by an older gen_corpus.py are never reused after it changes.
const std::string& generator_tag() {
  static const std::string tag = [] {
    std::ifstream in(SENTISTREAM_BENCH_GEN, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    uint32_t h = 2166136261u;  // FNV-1a
    for (unsigned char c : std::move(ss).str()) h = (h ^ c) * 16777619u;
    char buf[16];
    std::snprintf(buf, sizeof buf, "g%08x", h);
    return std::string(buf);
  }();
  return tag;
}

}  // namespace

long env_long(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return (end != nullptr && *end == '\0' && n > 0) ? n : fallback;
}

const std::string& corpus_dir() {
  static const std::string dir = [] {
    if (const char* env = std::getenv("SENTISTREAM_BENCH_CORPUS_DIR"); env && *env) {
      std::error_code ec;
      fs::create_directories(env, ec);
      return std::string(env);
    }
    std::string tmpl = (fs::temp_directory_path() / "sentistream-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      std::perror("mkdtemp");
      std::exit(1);
    }
    g_temp_dir = tmpl;
    std::atexit(remove_temp_dir);
    return tmpl;
  }();
  return dir;
}

const Corpus* load_corpus(const std::string& name, const std::string& gen_args, std::size_t padding,
                          std::string* error) {
  static std::map<std::string, std::unique_ptr<Corpus>> cache;
  const std::string key = name + '\x1f' + std::to_string(padding);
  if (auto it = cache.find(key); it != cache.end()) return it->second.get();

  // "parse-canonical-20000-s1.ndjson" -> "parse-canonical-20000-s1.g1234abcd.ndjson"
  std::string file = name;
  const std::size_t dot = file.rfind('.');
  file.insert(dot == std::string::npos ? file.size() : dot, "." + generator_tag());
  const fs::path path = fs::path(corpus_dir()) / file;
  if (!fs::exists(path)) {
    const char* py = std::getenv("SENTISTREAM_BENCH_PYTHON");
    const fs::path partial = path.string() + ".partial";
    const std::string cmd = shell_quote(py && *py ? py : SENTISTREAM_BENCH_PYTHON) + " " +
                            shell_quote(SENTISTREAM_BENCH_GEN) + " " + gen_args + " -o " +
                            shell_quote(partial.string());
    std::fprintf(stderr, "bench: generating %s\n", path.c_str());
    if (std::system(cmd.c_str()) != 0) {
      *error = "corpus generator failed: " + cmd;
      return nullptr;
    }
    std::error_code ec;
    fs::rename(partial, path, ec);  // atomic: a killed run leaves no half file behind
    if (ec) {
      *error = "cannot rename " + partial.string() + ": " + ec.message();
      return nullptr;
    }
  }

  auto corpus = std::make_unique<Corpus>();
  corpus->name = name;
  corpus->padding = padding;
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      *error = "cannot read " + path.string();
      return nullptr;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    corpus->bytes = std::move(ss).str();
  }
  corpus->bytes.append(padding, ' ');
  const std::string_view all(corpus->bytes.data(), corpus->bytes.size() - padding);
  std::size_t pos = 0;
  while (pos < all.size()) {
    std::size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    if (nl > pos) {
      corpus->lines.push_back(all.substr(pos, nl - pos));
      corpus->line_bytes += nl - pos;
    }
    pos = nl + 1;
  }
  return cache.emplace(key, std::move(corpus)).first->second.get();
}

}  // namespace sentistream::bench

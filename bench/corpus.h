// Benchmark corpora: NDJSON or text files made by bench/gen_corpus.py, held in memory.
//
// Where files live: $SENTISTREAM_BENCH_CORPUS_DIR when set (files are generated there on
// first use and reused by later runs: the file name encodes the generator arguments),
// otherwise a fresh temporary directory that is removed when the program exits.
// The generator runs through std::system with $SENTISTREAM_BENCH_PYTHON, or the Python
// found at configure time.
//
// Threading: load() is meant for the single benchmark-setup thread; returned corpora are
// immutable and live until exit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sentistream::bench {

struct Corpus {
  std::string name;                     // file name inside the corpus directory
  std::string bytes;                    // the file, then `padding` readable bytes
  std::vector<std::string_view> lines;  // non-empty lines, without '\n', into `bytes`
  std::size_t line_bytes = 0;           // sum of line sizes: the bytes a pass processes
  std::size_t padding = 0;

  // Readable bytes from line.data() to the end of the buffer: what a parser may read past
  // the line without copying it (the following lines and the final padding).
  std::size_t capacity_after(std::string_view line) const {
    return bytes.size() - static_cast<std::size_t>(line.data() - bytes.data());
  }
};

// Returns the corpus made by `gen_corpus.py <gen_args> -o <dir>/<name>`, generating it if
// the file is missing. `padding` bytes (spaces) are appended after the file contents.
// On failure returns nullptr and sets *error.
const Corpus* load_corpus(const std::string& name, const std::string& gen_args, std::size_t padding,
                          std::string* error);

// The corpus directory (created on first call).
const std::string& corpus_dir();

// Environment integer (e.g. SENTISTREAM_BENCH_POSTS) or `fallback` when unset/invalid.
long env_long(const char* name, long fallback);

}  // namespace sentistream::bench

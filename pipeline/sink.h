// Sinks receive closed aggregates and rejected input, in order, from the pipeline's
// serial output stage. Files and stdout implement them here; the Kafka sinks (live mode)
// and in-memory sinks for tests implement the same interfaces.
//
// Threading: called from one thread at a time. Errors (disk full, closed pipe) throw
// SinkError: output that cannot be written is a fatal runtime error (exit 1).
#pragma once

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "operators/window/window.h"
#include "pipeline/batch.h"

namespace sentistream {

class SinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AggregateSink {
 public:
  virtual ~AggregateSink() = default;
  virtual void write(const std::vector<WindowAggregate>& closed) = 0;
  // Makes everything written so far durable / delivered (before a checkpoint); throws
  // SinkError when it cannot.
  virtual void flush() {}
  virtual void close() = 0;  // flush and release; idempotent
};

// What the DLQ receives for one rejected document or post.
struct DeadLetter {
  std::string_view origin;  // "dump.ndjson:17"
  int64_t post_index = -1;  // inside an API response; -1 = whole document
  RejectReason reason = RejectReason::invalid_json;
  std::string_view detail;
  std::string_view raw;  // original bytes (possibly a prefix, see truncated)
  bool truncated = false;
  bool raw_omitted = false;     // the raw bytes are in the previous entry with this origin
  const RawDoc* doc = nullptr;  // the source document (live mode: partition and offset)
};

class RejectSink {
 public:
  virtual ~RejectSink() = default;
  virtual void write(const DeadLetter& letter) = 0;
  virtual void flush() {}
  virtual void close() = 0;
};

// Buffered writer to a file or stdout ("-"); writes are batched into large fwrite calls.
class OutputFile {
 public:
  // append: keep what the file holds (live mode restarts); else truncate.
  explicit OutputFile(const std::string& path, bool append = false);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  void write(std::string_view bytes);
  void flush();
  void close();
  const std::string& path() const { return path_; }
  bool empty_at_open() const { return empty_at_open_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  bool owns_ = false;
  bool empty_at_open_ = true;
};

// JSON lines (DESIGN.md output schema) or CSV with a header row. With append (live
// mode), output continues an existing file; a CSV header is written only to an empty one.
std::unique_ptr<AggregateSink> make_jsonl_sink(const std::string& path, int decimals,
                                               bool append = false);
std::unique_ptr<AggregateSink> make_csv_sink(const std::string& path, int decimals,
                                             const std::vector<Dimension>& group_by,
                                             const std::vector<std::string>& markers,
                                             bool append = false);
// One JSON object per line: {"reason","origin","post_index","detail","raw"|"raw_base64",
// "truncated"}. Original bytes that are not valid UTF-8 are written as base64. Further
// entries for the same document carry "raw_omitted":true instead of the bytes again.
std::unique_ptr<RejectSink> make_dlq_file_sink(const std::string& path, bool append = false);

// Keeps everything in memory (tests, embedding).
class MemoryAggregateSink final : public AggregateSink {
 public:
  void write(const std::vector<WindowAggregate>& closed) override {
    aggregates.insert(aggregates.end(), closed.begin(), closed.end());
  }
  void close() override {}
  std::vector<WindowAggregate> aggregates;
};

}  // namespace sentistream

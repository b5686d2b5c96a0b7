// Sources produce raw batches in input order. The file source reads dump files; the
// Kafka source (live mode) will implement the same interface.
//
// Threading: next() is called by one thread at a time (the pipeline's serial input
// stage); progress() may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/batch.h"
#include "pipeline/byte_stream.h"

namespace sentistream {

class Source {
 public:
  virtual ~Source() = default;
  // Fills `batch` with the next documents (batch arrives cleared). Returns false when the
  // input is exhausted and the batch holds nothing.
  virtual bool next(Batch& batch) = 0;
  // Human-readable origin of a document ("dump.ndjson:17").
  virtual std::string origin(const RawDoc& doc) const = 0;

  struct Progress {
    uint64_t raw_bytes_read = 0;
    uint64_t raw_bytes_total = 0;  // 0 when unknown (stdin, pipes)
  };
  virtual Progress progress() const = 0;
};

struct FileSourceOptions {
  std::size_t batch_docs = 2048;
  std::size_t batch_bytes = 1 << 20;
  std::size_t max_document_bytes = 16u << 20;
  std::size_t padding = 64;  // bytes appended after the last document (simdjson padding)
};

// Reads the inputs one after another, as one stream in the given order.
//
// Layout per input is detected from its first document: if the first non-blank line is
// a complete JSON value, the input is NDJSON (one document per line; a broken line is
// one bad document). Otherwise the whole input is a sequence of JSON values (usually one
// pretty-printed API response) split at top level.
class FileSource final : public Source {
 public:
  FileSource(std::vector<std::string> paths, FileSourceOptions opts);
  ~FileSource() override;
  bool next(Batch& batch) override;
  std::string origin(const RawDoc& doc) const override;
  Progress progress() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentistream

namespace sentistream {

// Documents held in memory, one per entry (tests, embedding). Origin is "<memory>:N",
// N being the 1-based entry number.
class MemorySource final : public Source {
 public:
  MemorySource(std::vector<std::string> documents, std::size_t batch_docs, std::size_t padding)
      : docs_(std::move(documents)), batch_docs_(batch_docs), padding_(padding) {}
  bool next(Batch& batch) override {
    while (next_ < docs_.size() && batch.docs.size() < batch_docs_) {
      RawDoc d;
      d.offset = batch.bytes.size();
      d.length = docs_[next_].size();
      d.line = next_ + 1;
      batch.bytes += docs_[next_++];
      batch.docs.push_back(d);
      batch.counters.bytes += d.length;
    }
    batch.counters.documents = batch.docs.size();
    batch.bytes.append(padding_, '\0');
    return !batch.docs.empty();
  }
  std::string origin(const RawDoc& doc) const override {
    return "<memory>:" + std::to_string(doc.line);
  }
  Progress progress() const override { return {}; }

 private:
  std::vector<std::string> docs_;
  std::size_t batch_docs_;
  std::size_t padding_;
  std::size_t next_ = 0;
};

}  // namespace sentistream

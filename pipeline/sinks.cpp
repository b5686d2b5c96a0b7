#include <simdjson.h>

#include <cerrno>
#include <cstring>

#include "pipeline/encode.h"
#include "pipeline/sink.h"

namespace sentistream {

OutputFile::OutputFile(const std::string& path, bool append) : path_(path) {
  if (path == "-") {
    file_ = stdout;
    path_ = "<stdout>";
  } else {
    file_ = std::fopen(path.c_str(), append ? "ab" : "wb");
    if (!file_) throw SinkError(path + ": cannot open for writing: " + std::strerror(errno));
    owns_ = true;
    if (append && std::fseek(file_, 0, SEEK_END) == 0) empty_at_open_ = std::ftell(file_) == 0;
  }
}

OutputFile::~OutputFile() {
  try {
    close();
  } catch (const SinkError&) {
    // Destructors must not throw; close() is called explicitly on the normal path.
  }
}

void OutputFile::write(std::string_view bytes) {
  if (!file_) throw SinkError(path_ + ": write after close");
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    throw SinkError(path_ + ": write failed: " + std::strerror(errno));
  }
}

void OutputFile::flush() {
  if (file_ && std::fflush(file_) != 0) {
    throw SinkError(path_ + ": flush failed: " + std::strerror(errno));
  }
}

void OutputFile::close() {
  if (!file_) return;
  std::FILE* f = file_;
  file_ = nullptr;
  bool failed = std::fflush(f) != 0;
  if (owns_) failed |= std::fclose(f) != 0;
  if (failed) throw SinkError(path_ + ": close failed: " + std::strerror(errno));
}

namespace {

class JsonlSink final : public AggregateSink {
 public:
  JsonlSink(const std::string& path, int decimals, bool append)
      : out_(path, append), decimals_(decimals) {}
  void write(const std::vector<WindowAggregate>& closed) override {
    buf_.clear();
    for (const auto& a : closed) append_aggregate_json(a, decimals_, buf_);
    out_.write(buf_);
  }
  void flush() override { out_.flush(); }
  void close() override { out_.close(); }

 private:
  OutputFile out_;
  int decimals_;
  std::string buf_;
};

class CsvSink final : public AggregateSink {
 public:
  CsvSink(const std::string& path, int decimals, const std::vector<Dimension>& group_by,
          const std::vector<std::string>& markers, bool append)
      : out_(path, append), decimals_(decimals) {
    if (!out_.empty_at_open()) return;
    append_csv_header(group_by, markers, buf_);
    out_.write(buf_);
  }
  void write(const std::vector<WindowAggregate>& closed) override {
    buf_.clear();
    for (const auto& a : closed) append_aggregate_csv(a, decimals_, buf_);
    out_.write(buf_);
  }
  void flush() override { out_.flush(); }
  void close() override { out_.close(); }

 private:
  OutputFile out_;
  int decimals_;
  std::string buf_;
};

void append_base64(std::string_view in, std::string& out) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v =
        (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
}

class DlqFileSink final : public RejectSink {
 public:
  DlqFileSink(const std::string& path, bool append) : out_(path, append) {}
  void write(const DeadLetter& d) override {
    buf_.clear();
    buf_ += "{\"reason\":";
    append_json_string(to_string(d.reason), buf_);
    buf_ += ",\"origin\":";
    append_json_string(d.origin, buf_);  // invalid UTF-8 in a file name becomes U+FFFD
    if (d.post_index >= 0) buf_ += ",\"post_index\":" + std::to_string(d.post_index);
    buf_ += ",\"detail\":";
    append_json_string(d.detail, buf_);
    if (d.raw_omitted) {
      buf_ += ",\"raw_omitted\":true";
    } else if (simdjson::validate_utf8(d.raw.data(), d.raw.size())) {  // else: lossless base64
      buf_ += ",\"raw\":";
      append_json_string(d.raw, buf_);
    } else {
      buf_ += ",\"raw_base64\":\"";
      append_base64(d.raw, buf_);
      buf_ += '"';
    }
    if (d.truncated) buf_ += ",\"truncated\":true";
    buf_ += "}\n";
    out_.write(buf_);
  }
  void flush() override { out_.flush(); }
  void close() override { out_.close(); }

 private:
  OutputFile out_;
  std::string buf_;
};

}  // namespace

std::unique_ptr<AggregateSink> make_jsonl_sink(const std::string& path, int decimals, bool append) {
  return std::make_unique<JsonlSink>(path, decimals, append);
}

std::unique_ptr<AggregateSink> make_csv_sink(const std::string& path, int decimals,
                                             const std::vector<Dimension>& group_by,
                                             const std::vector<std::string>& markers, bool append) {
  return std::make_unique<CsvSink>(path, decimals, group_by, markers, append);
}

std::unique_ptr<RejectSink> make_dlq_file_sink(const std::string& path, bool append) {
  return std::make_unique<DlqFileSink>(path, append);
}

}  // namespace sentistream

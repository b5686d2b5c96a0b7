#include <algorithm>
#include <cstring>

#include "pipeline/source.h"

namespace sentistream {

namespace {

constexpr std::size_t kReadChunk = 1 << 20;
constexpr std::size_t kTooLargePrefix = 1024;  // bytes of an oversized document kept for the DLQ

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Finds the end of the JSON value starting at text[0] (after whitespace was skipped).
// Returns the length of the value, or npos if the text ends before the value does.
// Strings and escapes are honoured so braces inside strings do not count. This is only
// framing: the parser validates the value itself.
std::size_t value_extent(std::string_view text) {
  if (text.empty()) return std::string_view::npos;
  char first = text[0];
  if (first != '{' && first != '[') {
    std::size_t i = 0;
    while (i < text.size() && !is_blank(text[i])) ++i;
    return i == text.size() ? std::string_view::npos : i;
  }
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace

struct FileSource::Impl {
  enum class Mode { unknown, ndjson, whole };

  std::vector<std::string> paths;
  FileSourceOptions opts;

  std::size_t next_input = 0;  // index of the next path to open
  uint32_t input = 0;          // index of the open input
  std::unique_ptr<ByteStream> stream;
  bool eof = true;  // current stream exhausted (or none open)
  Mode mode = Mode::unknown;
  std::string buf;  // unconsumed bytes are buf[pos, size)
  std::size_t pos = 0;
  uint64_t line = 1;      // line number at buf[pos]
  bool skipping = false;  // discarding the rest of an oversized NDJSON line

  uint64_t closed_raw_bytes = 0;  // raw bytes of inputs already finished
  uint64_t total_raw_bytes = 0;
  std::atomic<uint64_t> raw_read{0};
  std::atomic<uint64_t> raw_total{0};

  bool open_next() {
    if (stream) closed_raw_bytes += stream->raw_bytes_read();
    stream.reset();
    if (next_input >= paths.size()) return false;
    input = static_cast<uint32_t>(next_input++);
    stream = open_input(paths[input]);
    total_raw_bytes += stream->raw_size();
    raw_total.store(total_raw_bytes, std::memory_order_relaxed);
    eof = false;
    mode = Mode::unknown;
    buf.clear();
    pos = 0;
    line = 1;
    skipping = false;
    return true;
  }

  // Appends one chunk from the stream; false at end of stream.
  bool refill() {
    if (eof) return false;
    if (pos > 0 && pos >= buf.size() / 2) {
      buf.erase(0, pos);
      pos = 0;
    }
    std::size_t old = buf.size();
    buf.resize(old + kReadChunk);
    std::size_t got = stream->read(buf.data() + old, kReadChunk);
    buf.resize(old + got);
    raw_read.store(closed_raw_bytes + stream->raw_bytes_read(), std::memory_order_relaxed);
    if (got == 0) eof = true;
    return got > 0;
  }

  void add_doc(Batch& batch, std::string_view bytes, uint64_t doc_line, bool too_large) {
    RawDoc doc;
    doc.offset = batch.bytes.size();
    doc.length = bytes.size();
    doc.line = doc_line;
    doc.input = input;
    doc.too_large = too_large;
    batch.bytes.append(bytes);
    batch.docs.push_back(doc);
  }

  void count_lines(std::size_t from, std::size_t to) {
    line += static_cast<uint64_t>(std::count(buf.begin() + static_cast<std::ptrdiff_t>(from),
                                             buf.begin() + static_cast<std::ptrdiff_t>(to), '\n'));
  }

  // Decides NDJSON vs whole-document from the first non-blank line.
  void detect_mode() {
    for (;;) {
      std::size_t start = pos;
      while (start < buf.size() && is_blank(buf[start])) ++start;
      std::size_t nl = buf.find('\n', start);
      if (start == buf.size() || nl == std::string::npos) {
        if (buf.size() - pos > opts.max_document_bytes || !refill()) {
          mode = Mode::ndjson;  // one huge or unterminated line: treat as NDJSON
          return;
        }
        continue;
      }
      std::string_view first(buf.data() + start, nl - start);
      std::size_t extent = value_extent(first);
      if (extent == std::string_view::npos) {
        // Either a pretty-printed document or a broken first line; a broken line would
        // make the scan run to the end of input, so look for evidence of a multi-line
        // document: the opening line holds only '{' or '[' plus whitespace, or the value
        // closes on a later line.
        std::string_view rest(buf.data() + start, buf.size() - start);
        std::size_t whole = value_extent(rest);
        bool opener_only = first.find_first_not_of("{[ \t\r") == std::string_view::npos;
        if (opener_only || whole != std::string_view::npos) {
          mode = Mode::whole;
          return;
        }
        if (buf.size() - pos > opts.max_document_bytes || !refill()) {
          mode = Mode::ndjson;
          return;
        }
        continue;
      }
      mode = Mode::ndjson;
      return;
    }
  }

  // Emits the next NDJSON line; false when the input is exhausted.
  bool next_ndjson(Batch& batch) {
    for (;;) {
      std::size_t nl = buf.find('\n', pos);
      if (nl == std::string::npos) {
        if (skipping) {
          pos = buf.size();
          if (!refill()) return false;
          continue;
        }
        if (buf.size() - pos > opts.max_document_bytes) {
          add_doc(batch, std::string_view(buf.data() + pos, kTooLargePrefix), line, true);
          skipping = true;
          pos = buf.size();
          return true;
        }
        if (!refill()) {
          if (pos >= buf.size()) return false;
          nl = buf.size();  // last line without a newline
        } else {
          continue;
        }
      }
      std::size_t end = nl;
      if (skipping) {
        skipping = false;
        pos = std::min(nl + 1, buf.size());
        ++line;
        continue;
      }
      if (end > pos && buf[end - 1] == '\r') --end;
      std::string_view text(buf.data() + pos, end - pos);
      uint64_t doc_line = line;
      pos = std::min(nl + 1, buf.size());
      ++line;
      if (text.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
      if (text.size() > opts.max_document_bytes) {
        add_doc(batch, text.substr(0, kTooLargePrefix), doc_line, true);
      } else {
        add_doc(batch, text, doc_line, false);
      }
      return true;
    }
  }

  // Emits the next top-level JSON value of a whole-document input.
  bool next_whole(Batch& batch) {
    for (;;) {
      std::size_t start = pos;
      while (start < buf.size() && is_blank(buf[start])) ++start;
      count_lines(pos, start);
      pos = start;
      if (start == buf.size()) {
        if (!refill()) return false;
        continue;
      }
      std::string_view rest(buf.data() + start, buf.size() - start);
      std::size_t extent = value_extent(rest);
      if (extent == std::string_view::npos) {
        if (rest.size() > opts.max_document_bytes) {
          // Too large to frame: report it once and drop the rest of this input.
          add_doc(batch, rest.substr(0, kTooLargePrefix), line, true);
          while (refill()) buf.clear(), pos = 0;
          pos = buf.size();
          return true;
        }
        if (refill()) continue;
        extent = rest.size();  // unterminated: hand it over, the parser rejects it
      }
      uint64_t doc_line = line;
      count_lines(start, start + extent);
      pos = start + extent;
      std::string_view text = rest.substr(0, extent);
      if (text.size() > opts.max_document_bytes) {
        add_doc(batch, text.substr(0, kTooLargePrefix), doc_line, true);
      } else {
        add_doc(batch, text, doc_line, false);
      }
      return true;
    }
  }
};

FileSource::FileSource(std::vector<std::string> paths, FileSourceOptions opts)
    : impl_(std::make_unique<Impl>()) {
  impl_->paths = std::move(paths);
  impl_->opts = opts;
}

FileSource::~FileSource() = default;

bool FileSource::next(Batch& batch) {
  Impl& s = *impl_;
  while (batch.docs.size() < s.opts.batch_docs && batch.bytes.size() < s.opts.batch_bytes) {
    if (s.eof && s.pos >= s.buf.size() && !s.skipping) {
      if (!s.open_next()) break;
    }
    if (s.mode == Impl::Mode::unknown) s.detect_mode();
    bool got = s.mode == Impl::Mode::ndjson ? s.next_ndjson(batch) : s.next_whole(batch);
    if (!got) {
      s.eof = true;
      s.pos = s.buf.size();
      s.skipping = false;
    }
  }
  batch.bytes.append(s.opts.padding, '\0');
  for (const RawDoc& d : batch.docs) batch.counters.bytes += d.length;
  batch.counters.documents = batch.docs.size();
  return !batch.docs.empty();
}

std::string FileSource::origin(const RawDoc& doc) const {
  const std::string& path = impl_->paths[doc.input];
  return (path == "-" ? std::string("<stdin>") : path) + ":" + std::to_string(doc.line);
}

Source::Progress FileSource::progress() const {
  return {impl_->raw_read.load(std::memory_order_relaxed),
          impl_->raw_total.load(std::memory_order_relaxed)};
}

}  // namespace sentistream

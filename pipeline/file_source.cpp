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

// Finds where a top-level JSON value ends, fed in pieces (the value may span reads).
// Strings and escapes are honoured so braces inside strings do not count. This is only
// framing: the parser validates the value itself.
class Framer {
 public:
  void reset() { *this = Framer{}; }
  // Scans text[from, to) where text[start] is the value's first byte; returns the index
  // one past the value's end, or npos if it has not ended by `to`.
  std::size_t scan(const std::string& text, std::size_t start, std::size_t from, std::size_t to) {
    if (from == start) {
      container_ = text[start] == '{' || text[start] == '[';
      depth_ = 0;
    }
    for (std::size_t i = from; i < to; ++i) {
      char c = text[i];
      if (!container_) {
        if (is_blank(c)) return i;
        continue;
      }
      if (in_string_) {
        if (escape_) {
          escape_ = false;
        } else if (c == '\\') {
          escape_ = true;
        } else if (c == '"') {
          in_string_ = false;
        }
        continue;
      }
      if (c == '"') {
        in_string_ = true;
      } else if (c == '{' || c == '[') {
        ++depth_;
      } else if ((c == '}' || c == ']') && --depth_ == 0) {
        return i + 1;
      }
    }
    return std::string::npos;
  }
  // A scalar ends at end of input; a container that has not closed is unterminated.
  bool scalar() const { return !container_; }

 private:
  bool container_ = false;
  int depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
};

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
  bool skipping = false;  // discarding the rest of an oversized NDJSON line or document
  Framer framer;          // state of a skipped oversized whole document

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

  // Appends one chunk from the stream; false at end of stream. May move the unconsumed
  // bytes to the front of buf (pos becomes 0): callers keep offsets relative to pos.
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

  void add_doc(Batch& batch, std::size_t offset, std::size_t length, uint64_t doc_line,
               bool too_large) {
    RawDoc doc;
    doc.offset = batch.bytes.size();
    doc.length = too_large ? std::min(length, kTooLargePrefix) : length;
    doc.line = doc_line;
    doc.input = input;
    doc.too_large = too_large;
    batch.bytes.append(buf, offset, doc.length);
    batch.docs.push_back(doc);
  }

  void advance(std::size_t to) {
    line += static_cast<uint64_t>(std::count(buf.begin() + static_cast<std::ptrdiff_t>(pos),
                                             buf.begin() + static_cast<std::ptrdiff_t>(to), '\n'));
    pos = to;
  }

  // Refills until buf[pos...] holds a newline or more than `limit` bytes or the input
  // ends; returns the newline's offset relative to pos, or npos.
  std::size_t find_line_end(std::size_t limit) {
    std::size_t searched = 0;
    for (;;) {
      std::size_t nl = buf.find('\n', pos + searched);
      if (nl != std::string::npos) return nl - pos;
      searched = buf.size() - pos;
      if (searched > limit || !refill()) return std::string::npos;
    }
  }

  // Decides NDJSON vs whole-document from the first document of an input. Whole mode
  // only when the first value starts with '{' or '[', does not end on its first line,
  // and does end (within max_document_bytes) at a line end: a pretty-printed response.
  // Anything else, including a broken first line, is NDJSON, where one bad line can
  // only ever cost itself.
  void detect_mode() {
    mode = Mode::ndjson;
    while (pos + 3 > buf.size() && refill()) {
    }
    if (buf.compare(pos, 3, "\xEF\xBB\xBF") == 0) pos += 3;  // UTF-8 byte order mark
    for (;;) {
      while (pos < buf.size() && is_blank(buf[pos])) {
        if (buf[pos] == '\n') ++line;
        ++pos;
      }
      if (pos < buf.size() || !refill()) break;
    }
    if (pos >= buf.size() || (buf[pos] != '{' && buf[pos] != '[')) return;
    const std::size_t limit = opts.max_document_bytes + 1;
    std::size_t first_nl = find_line_end(limit);
    Framer f;
    std::size_t end = std::string::npos;
    std::size_t scanned = 0;
    for (;;) {
      end = f.scan(buf, pos, pos + scanned, buf.size());
      if (end != std::string::npos) break;
      scanned = buf.size() - pos;
      if (scanned > limit || !refill()) return;
    }
    if (first_nl != std::string::npos && end <= pos + first_nl) return;  // one line: NDJSON
    std::size_t after = end;
    while (after < buf.size() && (buf[after] == ' ' || buf[after] == '\t' || buf[after] == '\r'))
      ++after;
    if (after == buf.size() || buf[after] == '\n') mode = Mode::whole;
  }

  // Emits the next NDJSON line; false when the input is exhausted.
  bool next_ndjson(Batch& batch) {
    for (;;) {
      // +1: a line of exactly max_document_bytes may still carry its '\r'.
      std::size_t nl = find_line_end(opts.max_document_bytes + 1);
      if (nl == std::string::npos) {
        if (pos >= buf.size()) return false;
        if (!eof) {  // longer than the limit: keep a prefix, drop the rest of the line
          if (!skipping) add_doc(batch, pos, buf.size() - pos, line, true);
          skipping = true;
          pos = buf.size();
          continue;
        }
        nl = buf.size() - pos;  // last line without a newline
      }
      std::size_t start = pos;
      std::size_t end = pos + nl;
      uint64_t doc_line = line;
      pos = std::min(end + 1, buf.size());
      ++line;
      if (skipping) {  // the tail of an oversized line
        skipping = false;
        continue;
      }
      if (end > start && buf[end - 1] == '\r') --end;
      std::string_view text(buf.data() + start, end - start);
      if (text.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
      add_doc(batch, start, end - start, doc_line, text.size() > opts.max_document_bytes);
      return true;
    }
  }

  // Emits the next top-level JSON value of a whole-document input.
  bool next_whole(Batch& batch) {
    if (skipping) skip_rest_of_value();
    for (;;) {
      while (pos < buf.size() && is_blank(buf[pos])) {
        if (buf[pos] == '\n') ++line;
        ++pos;
      }
      if (pos < buf.size()) break;
      if (!refill()) return false;
    }
    framer.reset();
    std::size_t scanned = 0;  // relative to pos, which refill() may move
    std::size_t end;
    for (;;) {
      end = framer.scan(buf, pos, pos + scanned, buf.size());
      if (end != std::string::npos) break;
      scanned = buf.size() - pos;
      if (scanned > opts.max_document_bytes) {
        // Too large: keep a prefix for the DLQ, then skip to the value's end.
        add_doc(batch, pos, scanned, line, true);
        advance(buf.size());
        skipping = true;
        return true;
      }
      if (!refill()) {
        if (framer.scalar()) {
          end = buf.size();
          break;
        }
        // Unterminated: reject its first line and read the rest line by line, so a
        // truncated document costs itself and nothing after it.
        std::size_t nl = buf.find('\n', pos);
        std::size_t stop = nl == std::string::npos ? buf.size() : nl;
        add_doc(batch, pos, stop - pos, line, stop - pos > opts.max_document_bytes);
        advance(std::min(stop + 1, buf.size()));
        mode = Mode::ndjson;
        return true;
      }
    }
    uint64_t doc_line = line;
    std::size_t start = pos;
    add_doc(batch, start, end - start, doc_line, end - start > opts.max_document_bytes);
    advance(end);
    return true;
  }

  void skip_rest_of_value() {
    std::size_t end;
    while ((end = framer.scan(buf, std::string::npos, pos, buf.size())) == std::string::npos) {
      advance(buf.size());
      if (!refill()) {
        skipping = false;
        return;
      }
    }
    advance(end);
    skipping = false;
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
    if (s.eof && s.pos >= s.buf.size()) {
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

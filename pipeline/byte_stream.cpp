#include "pipeline/byte_stream.h"

#include <bzlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace sentistream {

namespace {

// Plain file descriptor reader with a small look-ahead buffer, so the magic bytes can be
// peeked before choosing a decompressor without seeking (stdin cannot seek).
class FdStream final : public ByteStream {
 public:
  FdStream(int fd, std::string name, bool owns) : fd_(fd), name_(std::move(name)), owns_(owns) {
    struct stat st {};
    if (fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) size_ = static_cast<uint64_t>(st.st_size);
  }
  ~FdStream() override {
    if (owns_) ::close(fd_);
  }

  // Returns up to n of the first bytes without consuming them.
  std::string peek(std::size_t n) {
    while (peeked_.size() < n) {
      char buf[64];
      ssize_t got = raw_read(buf, std::min(sizeof buf, n - peeked_.size()));
      if (got <= 0) break;
      peeked_.append(buf, static_cast<std::size_t>(got));
    }
    return peeked_;
  }

  std::size_t read(char* buf, std::size_t n) override {
    if (!peeked_.empty()) {
      std::size_t k = std::min(n, peeked_.size());
      std::memcpy(buf, peeked_.data(), k);
      peeked_.erase(0, k);
      return k;
    }
    ssize_t got = raw_read(buf, n);
    return static_cast<std::size_t>(got);
  }
  uint64_t raw_bytes_read() const override { return consumed_; }
  uint64_t raw_size() const override { return size_; }
  const std::string& name() const { return name_; }

 private:
  ssize_t raw_read(char* buf, std::size_t n) {
    for (;;) {
      ssize_t got = ::read(fd_, buf, n);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw InputError(name_ + ": read failed: " + std::strerror(errno));
      consumed_ += static_cast<uint64_t>(got);
      return got;
    }
  }

  int fd_;
  std::string name_;
  bool owns_;
  uint64_t size_ = 0;
  uint64_t consumed_ = 0;
  std::string peeked_;
};

constexpr std::size_t kInChunk = 256 * 1024;

class GzipStream final : public ByteStream {
 public:
  explicit GzipStream(std::unique_ptr<FdStream> in) : in_(std::move(in)), buf_(kInChunk) {
    // 16 + MAX_WBITS: gzip wrapper only; concatenated members are handled in read().
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) throw InputError(in_->name() + ": zlib init");
  }
  ~GzipStream() override { inflateEnd(&z_); }
  std::size_t read(char* out, std::size_t n) override {
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(n);
    while (z_.avail_out == n && !done_) {
      if (z_.avail_in == 0) {
        std::size_t got = in_->read(buf_.data(), buf_.size());
        if (got == 0) {
          if (in_member_) throw InputError(in_->name() + ": truncated gzip stream");
          done_ = true;
          break;
        }
        z_.next_in = reinterpret_cast<Bytef*>(buf_.data());
        z_.avail_in = static_cast<uInt>(got);
      }
      in_member_ = true;
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
        inflateReset(&z_);  // gzip files may hold several members
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw InputError(in_->name() + ": corrupt gzip data (" + (z_.msg ? z_.msg : "?") + ")");
      }
    }
    return n - z_.avail_out;
  }
  uint64_t raw_bytes_read() const override { return in_->raw_bytes_read(); }
  uint64_t raw_size() const override { return in_->raw_size(); }

 private:
  std::unique_ptr<FdStream> in_;
  std::vector<char> buf_;
  z_stream z_{};
  bool done_ = false;
  bool in_member_ = false;
};

class ZstdStream final : public ByteStream {
 public:
  explicit ZstdStream(std::unique_ptr<FdStream> in)
      : in_(std::move(in)), buf_(ZSTD_DStreamInSize()), ctx_(ZSTD_createDCtx()) {}
  ~ZstdStream() override { ZSTD_freeDCtx(ctx_); }
  std::size_t read(char* out, std::size_t n) override {
    ZSTD_outBuffer ob{out, n, 0};
    while (ob.pos == 0) {
      if (ib_.pos == ib_.size) {
        std::size_t got = in_->read(buf_.data(), buf_.size());
        if (got == 0) {
          if (last_ret_ != 0) throw InputError(in_->name() + ": truncated zstd stream");
          break;
        }
        ib_ = ZSTD_inBuffer{buf_.data(), got, 0};
      }
      last_ret_ = ZSTD_decompressStream(ctx_, &ob, &ib_);
      if (ZSTD_isError(last_ret_)) {
        throw InputError(in_->name() + ": corrupt zstd data (" + ZSTD_getErrorName(last_ret_) +
                         ")");
      }
    }
    return ob.pos;
  }
  uint64_t raw_bytes_read() const override { return in_->raw_bytes_read(); }
  uint64_t raw_size() const override { return in_->raw_size(); }

 private:
  std::unique_ptr<FdStream> in_;
  std::vector<char> buf_;
  ZSTD_DCtx* ctx_;
  ZSTD_inBuffer ib_{nullptr, 0, 0};
  std::size_t last_ret_ = 0;
};

class Bzip2Stream final : public ByteStream {
 public:
  explicit Bzip2Stream(std::unique_ptr<FdStream> in) : in_(std::move(in)), buf_(kInChunk) {
    if (BZ2_bzDecompressInit(&bz_, 0, 0) != BZ_OK) throw InputError(in_->name() + ": bz2 init");
  }
  ~Bzip2Stream() override { BZ2_bzDecompressEnd(&bz_); }
  std::size_t read(char* out, std::size_t n) override {
    bz_.next_out = out;
    bz_.avail_out = static_cast<unsigned>(n);
    while (bz_.avail_out == n && !done_) {
      if (bz_.avail_in == 0) {
        std::size_t got = in_->read(buf_.data(), buf_.size());
        if (got == 0) {
          if (in_stream_) throw InputError(in_->name() + ": truncated bzip2 stream");
          done_ = true;
          break;
        }
        bz_.next_in = buf_.data();
        bz_.avail_in = static_cast<unsigned>(got);
      }
      in_stream_ = true;
      int rc = BZ2_bzDecompress(&bz_);
      if (rc == BZ_STREAM_END) {
        // Concatenated streams (pbzip2 output): restart, keeping unread input.
        in_stream_ = false;
        char* next_in = bz_.next_in;
        unsigned avail_in = bz_.avail_in;
        char* next_out = bz_.next_out;
        unsigned avail_out = bz_.avail_out;
        BZ2_bzDecompressEnd(&bz_);
        bz_ = bz_stream{};
        if (BZ2_bzDecompressInit(&bz_, 0, 0) != BZ_OK) throw InputError(in_->name() + ": bz2");
        bz_.next_in = next_in;
        bz_.avail_in = avail_in;
        bz_.next_out = next_out;
        bz_.avail_out = avail_out;
      } else if (rc != BZ_OK) {
        throw InputError(in_->name() + ": corrupt bzip2 data (code " + std::to_string(rc) + ")");
      }
    }
    return n - bz_.avail_out;
  }
  uint64_t raw_bytes_read() const override { return in_->raw_bytes_read(); }
  uint64_t raw_size() const override { return in_->raw_size(); }

 private:
  std::unique_ptr<FdStream> in_;
  std::vector<char> buf_;
  bz_stream bz_{};
  bool done_ = false;
  bool in_stream_ = false;
};

}  // namespace

std::unique_ptr<ByteStream> open_input(const std::string& path) {
  std::unique_ptr<FdStream> fd;
  if (path == "-") {
    fd = std::make_unique<FdStream>(STDIN_FILENO, "<stdin>", false);
  } else {
    int f = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f < 0) throw InputError(path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (fstat(f, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(f);
      throw InputError(path + ": is a directory");
    }
    fd = std::make_unique<FdStream>(f, path, true);
  }
  std::string magic = fd->peek(4);
  auto starts = [&](std::string_view m) {
    return std::string_view(magic).substr(0, m.size()) == m;
  };
  if (starts("\x1f\x8b")) return std::make_unique<GzipStream>(std::move(fd));
  if (starts("\x28\xb5\x2f\xfd")) return std::make_unique<ZstdStream>(std::move(fd));
  if (starts("BZh") && magic.size() == 4 && magic[3] >= '1' && magic[3] <= '9')
    return std::make_unique<Bzip2Stream>(std::move(fd));
  return fd;
}

}  // namespace sentistream

#include "pipeline/checkpoint.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sentistream {

namespace {

constexpr char kMagic[8] = {'S', 'S', 'C', 'K', 'P', 'T', '\n', '\0'};
constexpr uint32_t kVersion = 1;

uint64_t fnv1a(const char* p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

template <typename T>
void put(std::string& out, T v) {
  static_assert(std::is_integral_v<T>);
  for (size_t i = 0; i < sizeof(T); ++i) {
    out.push_back(static_cast<char>(static_cast<uint64_t>(v) >> (8 * i)));
  }
}

class Reader {
 public:
  Reader(const std::string& b, const std::string& origin) : b_(b), origin_(origin) {}
  template <typename T>
  T get() {
    need(sizeof(T));
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) {
      v |= static_cast<uint64_t>(static_cast<unsigned char>(b_[pos_ + i])) << (8 * i);
    }
    pos_ += sizeof(T);
    return static_cast<T>(v);
  }
  std::string bytes(size_t n) {
    need(n);
    std::string s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  size_t pos() const { return pos_; }

 private:
  void need(size_t n) {
    if (b_.size() - pos_ < n) {
      throw CheckpointError(origin_ + ": checkpoint is truncated");
    }
  }
  const std::string& b_;
  const std::string& origin_;
  size_t pos_ = 0;
};

std::string errno_text() {
  return std::strerror(errno);
}

void write_all(int fd, const std::string& bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw CheckpointError("cannot write checkpoint " + path + ": " + errno_text());
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace

void encode_checkpoint(const Checkpoint& c, std::string& out) {
  out.clear();
  out.append(kMagic, sizeof kMagic);
  put<uint32_t>(out, kVersion);
  put<int64_t>(out, c.written_ms);
  put<uint32_t>(out, static_cast<uint32_t>(c.partitions.size()));
  for (const auto& p : c.partitions) {
    put<uint32_t>(out, p.id);
    put<uint32_t>(out, static_cast<uint32_t>(p.topic.size()));
    out += p.topic;
    put<int32_t>(out, p.partition);
    put<int64_t>(out, p.next_offset);
  }
  put<uint64_t>(out, c.window_state.size());
  out += c.window_state;
  put<uint64_t>(out, fnv1a(out.data(), out.size()));
}

Checkpoint decode_checkpoint(const std::string& bytes, const std::string& origin) {
  const std::string restart =
      " (delete the state directory to start without state; consumption then resumes from "
      "the committed offsets)";
  if (bytes.size() < sizeof kMagic + 8 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    throw CheckpointError(origin + ": not a sentistream checkpoint" + restart);
  }
  const size_t body = bytes.size() - 8;
  uint64_t stored = 0;
  for (size_t i = 0; i < 8; ++i) {
    stored |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[body + i])) << (8 * i);
  }
  if (stored != fnv1a(bytes.data(), body)) {
    throw CheckpointError(origin + ": checkpoint checksum mismatch (torn or modified file)" +
                          restart);
  }
  Reader r(bytes, origin);
  r.bytes(sizeof kMagic);
  uint32_t version = r.get<uint32_t>();
  if (version != kVersion) {
    throw CheckpointError(origin + ": checkpoint format version " + std::to_string(version) +
                          " is not supported by this build (expects " + std::to_string(kVersion) +
                          ")" + restart);
  }
  Checkpoint c;
  c.written_ms = r.get<int64_t>();
  uint32_t n = r.get<uint32_t>();
  if (n > (1u << 20)) throw CheckpointError(origin + ": implausible partition count" + restart);
  for (uint32_t i = 0; i < n; ++i) {
    PartitionCheckpoint p;
    p.id = r.get<uint32_t>();
    uint32_t len = r.get<uint32_t>();
    p.topic = r.bytes(len);
    p.partition = r.get<int32_t>();
    p.next_offset = r.get<int64_t>();
    c.partitions.push_back(std::move(p));
  }
  uint64_t state_len = r.get<uint64_t>();
  if (state_len > body - r.pos()) throw CheckpointError(origin + ": checkpoint is truncated");
  c.window_state = r.bytes(static_cast<size_t>(state_len));
  if (r.pos() != body) throw CheckpointError(origin + ": trailing bytes in checkpoint" + restart);
  return c;
}

CheckpointStore::CheckpointStore(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    throw CheckpointError("cannot create checkpoint.dir '" + dir_ + "': " + ec.message());
  }
  file_ = (std::filesystem::path(dir_) / "checkpoint").string();
  const std::string lock = (std::filesystem::path(dir_) / "lock").string();
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    throw CheckpointError("cannot open " + lock + ": " + errno_text());
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw CheckpointError("checkpoint.dir '" + dir_ +
                          "' is in use by another sentistream process (each instance needs "
                          "its own state directory)");
  }
}

CheckpointStore::~CheckpointStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

std::optional<Checkpoint> CheckpointStore::load() const {
  std::ifstream in(file_, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(file_)) return std::nullopt;
    throw CheckpointError("cannot read " + file_ + ": " + errno_text());
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return decode_checkpoint(ss.str(), file_);
}

void CheckpointStore::save(const Checkpoint& checkpoint) {
  encode_checkpoint(checkpoint, buffer_);
  const std::string tmp = file_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw CheckpointError("cannot create " + tmp + ": " + errno_text());
  try {
    write_all(fd, buffer_, tmp);
    if (::fsync(fd) != 0) throw CheckpointError("cannot fsync " + tmp + ": " + errno_text());
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), file_.c_str()) != 0) {
    throw CheckpointError("cannot rename " + tmp + " to " + file_ + ": " + errno_text());
  }
  // The rename is durable only once the directory entry is.
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace sentistream

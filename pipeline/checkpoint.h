// Checkpoints of live mode: the window operator's snapshot plus, per source partition,
// the next offset to read, written atomically to a local state directory.
//
// The file is replaced with write-to-temp, fsync, rename, fsync(dir): after a crash at any
// moment the directory holds either the previous checkpoint or the new one, never a mix.
// A checksum over the whole file turns a torn or edited file into a clear error.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sentistream {

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PartitionCheckpoint {
  uint32_t id = 0;  // dense partition id used inside the window snapshot
  std::string topic;
  int32_t partition = 0;
  int64_t next_offset = 0;  // first offset not contained in the window state
};

struct Checkpoint {
  int64_t written_ms = 0;  // wall clock, for checkpoint_age and logs only
  std::vector<PartitionCheckpoint> partitions;
  std::string window_state;  // WindowOperator::save()
};

// Owns a state directory: locks it (one instance per directory), reads and writes
// `checkpoint` in it.
class CheckpointStore {
 public:
  // Creates the directory if needed and takes an exclusive lock on it; throws
  // CheckpointError naming the directory when another process holds it.
  explicit CheckpointStore(std::string dir);
  ~CheckpointStore();
  CheckpointStore(const CheckpointStore&) = delete;
  CheckpointStore& operator=(const CheckpointStore&) = delete;

  // The last checkpoint, or nullopt when the directory has none. Throws CheckpointError
  // on a corrupt or unreadable file (the message says how to start over).
  std::optional<Checkpoint> load() const;
  // Atomically replaces the checkpoint. Throws CheckpointError on I/O failure.
  void save(const Checkpoint& checkpoint);

  const std::string& path() const { return file_; }

 private:
  std::string dir_;
  std::string file_;
  int lock_fd_ = -1;
  std::string buffer_;  // reused between saves
};

// Serialisation, exposed for tests.
void encode_checkpoint(const Checkpoint& checkpoint, std::string& out);
Checkpoint decode_checkpoint(const std::string& bytes, const std::string& origin);

}  // namespace sentistream

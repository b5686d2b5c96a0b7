// ByteStream: sequential reads from a file or stdin, transparently decompressing gzip,
// zstd and bzip2 (detected by magic bytes, not by file name).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace sentistream {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Reads up to n bytes; returns 0 at end of stream. Throws InputError on I/O or
  // decompression errors (the message names the input).
  virtual std::size_t read(char* buf, std::size_t n) = 0;
  // Bytes consumed from the underlying file so far (compressed bytes for compressed
  // input), for progress reporting.
  virtual uint64_t raw_bytes_read() const = 0;
  // Size of the underlying file if known (0 for pipes and stdin).
  virtual uint64_t raw_size() const = 0;
};

// Opens `path` ("-" = stdin) and wraps it in the right decompressor.
std::unique_ptr<ByteStream> open_input(const std::string& path);

}  // namespace sentistream

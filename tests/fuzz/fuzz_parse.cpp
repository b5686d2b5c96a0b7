// libFuzzer target: arbitrary bytes -> DocumentParser::parse (every input format). The
// document is passed without padding, as a Kafka payload is, so the copy path runs too;
// every accepted post's strings are read in full so the sanitizers see any bad view.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "operators/parse/parser.h"

namespace {

class Visitor : public sentistream::PostVisitor {
 public:
  void on_post(const sentistream::Post& post, std::size_t) override {
    touch(post.id);
    touch(post.text);
    touch(post.author_id);
    touch(post.author_name);
    touch(post.repost_text);
    touch(post.region);
    touch(post.lang);
    for (std::string_view h : post.hashtags) touch(h);
  }
  void on_reject(sentistream::RejectReason, std::size_t, std::string_view detail) override {
    touch(detail);
  }
  std::size_t sum = 0;

 private:
  void touch(std::string_view s) {
    for (char c : s) sum += static_cast<unsigned char>(c);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static sentistream::DocumentParser parser;
  Visitor v;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  parser.parse(json, size, v);
  return 0;
}

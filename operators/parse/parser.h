// DocumentParser: turns one JSON document (an NDJSON line or a whole file) into Posts.
// Formats, the canonical form and the decisions on odd inputs are described in
// operators/parse/README.md.
//
// Threading: one DocumentParser per thread (it owns a simdjson parser and scratch
// memory); it is not shared. Lifetime: the Post handed to the visitor is valid only
// during the callback (the object is reused for the next post; its string_views point
// into memory the parser reuses for the next document). Errors are reported through the
// visitor, never thrown; parse() allocates nothing once its buffers have grown to the
// largest document seen.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "operators/post.h"

namespace sentistream {

// Input shape recognised per document. Exposed for tests, metrics and --explain.
enum class DocFormat : uint8_t {
  unknown = 0,
  twitter_v1,  // a v1.1 status object, or an array / {"statuses":[...]} of them
  twitter_v2,  // {"data": object|array, "includes": {...}, "errors": [...]}
  weibo_v2,    // Weibo Open API v2 status or {"statuses":[...]}
  mweibo,      // m.weibo.cn: {"data":{"cards":[{"mblog":{...}}]}} or a bare mblog
  canonical,   // sentistream's flat canonical post (what `produce` emits)
};
std::string_view to_string(DocFormat f);

// Receives the outcome of parsing one document. A document may hold many posts (an
// API response) and may reject some of them while accepting others.
class PostVisitor {
 public:
  // The index passed to on_reject when the whole document is rejected.
  static constexpr std::size_t kWholeDocument = static_cast<std::size_t>(-1);

  virtual ~PostVisitor() = default;
  // index: position of the post inside the document: its index in the top-level array,
  // in "statuses", in v2 "data", or among m.weibo.cn cards (nested card_group cards
  // counted in document order); 0 for single-post documents.
  virtual void on_post(const Post& post, std::size_t index) = 0;
  // A whole document (index == kWholeDocument) or one post inside it was rejected; the
  // other posts of the document are still delivered. A document that yields neither a
  // post nor a per-post reject is always rejected as a whole, so every document produces
  // at least one callback.
  // detail: short human-readable reason for the DLQ ("created_at: not a date"); valid
  // during the callback only.
  virtual void on_reject(RejectReason reason, std::size_t index, std::string_view detail) = 0;
};

struct ParseOptions {
  std::size_t max_document_bytes = 16u << 20;  // larger documents are rejected too_large
  // m.weibo.cn shows relative dates ("5分钟前", "06-11"). When true, such a post takes the
  // creation time encoded in its mid, provided the shown date agrees with it; when false,
  // relative dates are rejected bad_timestamp. See README.md ("m.weibo.cn dates").
  bool mweibo_time_from_mid = true;
};

class DocumentParser {
 public:
  explicit DocumentParser(ParseOptions opts = {});
  ~DocumentParser();
  DocumentParser(const DocumentParser&) = delete;
  DocumentParser& operator=(const DocumentParser&) = delete;

  // Parses `json`. `capacity` is the number of readable bytes starting at json.data(),
  // at least json.size(); if capacity < json.size() + simdjson::SIMDJSON_PADDING the
  // parser copies the document into its own padded buffer first (Kafka payloads).
  // Returns the number of posts accepted.
  std::size_t parse(std::string_view json, std::size_t capacity, PostVisitor& visitor);

  // The format of the last parsed document.
  DocFormat last_format() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Padding the parser needs after a document to parse it in place (the bytes must be
// readable, their content does not matter).
std::size_t parse_padding();

}  // namespace sentistream

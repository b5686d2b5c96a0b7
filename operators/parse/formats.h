// Internal to operators/parse: what the per-format readers share. parser.cpp detects the
// format of a document and calls into twitter_v1.cpp, twitter_v2.cpp, weibo.cpp,
// mweibo.cpp and canonical.cpp; each reader fills the reused Post from a simdjson DOM
// object and says whether it is a post or why not.
//
// Hot path rules: simdjson errors are values (.get(x)), no exceptions; strings are views
// into simdjson's string buffer or into the ScratchArena; no std::string, no maps.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "operators/parse/arena.h"
#include "operators/parse/parser.h"
#include "operators/post.h"

namespace sentistream::parse_detail {

namespace dom = simdjson::dom;

// Outcome of reading one post-shaped object.
struct Outcome {
  bool ok = true;
  RejectReason reason = RejectReason::not_a_post;
  std::string_view detail;  // static text or arena memory; valid for the document
};
inline Outcome accepted() {
  return {};
}
inline Outcome rejected(RejectReason r, std::string_view detail) {
  return {false, r, detail};
}

// Everything a reader may touch while it reads one document.
struct Context {
  ScratchArena& arena;
  Post& post;
  PostVisitor& visitor;
  const ParseOptions& options;
  std::size_t posts = 0;    // accepted so far in this document
  std::size_t rejects = 0;  // rejects (per post or whole document) so far
  DocFormat format = DocFormat::unknown;

  // The whole document is not a post.
  void reject_document(RejectReason r, std::string_view detail) {
    ++rejects;
    visitor.on_reject(r, PostVisitor::kWholeDocument, detail);
  }

  // Reports the outcome of the reader that just filled `post`.
  void report(const Outcome& o, std::size_t index) {
    if (o.ok) {
      ++posts;
      visitor.on_post(post, index);
    } else {
      ++rejects;
      visitor.on_reject(o.reason, index, o.detail);
    }
  }
};

// ---- per-format readers (post must be cleared by the caller) ----------------------------

Outcome read_twitter_v1(dom::object status, Context& ctx);
Outcome read_weibo_v2(dom::object status, Context& ctx);
Outcome read_mblog(dom::object mblog, Context& ctx);
Outcome read_canonical(dom::object obj, Context& ctx);

// Whole-document readers for the wrapper shapes that need more than one object.
// root: {"data": ..., "includes": ..., "errors": ...}
void read_twitter_v2_document(dom::object root, Context& ctx);
// cards: m.weibo.cn data.cards[] (cards without mblog are skipped; card_group is entered)
void read_mweibo_cards(dom::array cards, Context& ctx);

// ---- small DOM helpers -----------------------------------------------------------------

// The string value, or empty for any other type (null, number, missing).
inline std::string_view string_or_empty(dom::element e) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

// An id that may be a JSON string or an integer (Weibo user.id, Twitter "id"): integers
// are printed into the arena.
std::string_view id_text(dom::element e, ScratchArena& arena);

// An engagement count: integer, float, null or a display string such as "100万+", "1.2万",
// "3亿", "1,234" (m.weibo.cn). Anything unreadable counts 0: counts never reject a post.
int64_t read_count(dom::element e);

// Reject detail built in the arena: "<field>: '<value>' <why>" (value clipped to 64
// bytes), or "<field>: missing" plus " (<missing_hint>)" when value is empty.
std::string_view timestamp_detail(ScratchArena& arena, std::string_view field,
                                  std::string_view value, std::string_view why,
                                  std::string_view missing_hint = {});

// Length-switch key matching: `key_is<N>(k, "literal")` compiles to a size test and a
// memcmp; readers switch on k.size() first so most keys cost one comparison.
template <std::size_t N>
inline bool key_is(std::string_view k, const char (&lit)[N]) {
  return k.size() == N - 1 && std::memcmp(k.data(), lit, N - 1) == 0;
}

}  // namespace sentistream::parse_detail

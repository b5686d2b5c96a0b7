// DocumentParser: size check, padding, simdjson DOM parse, format detection and dispatch
// to the per-format readers (twitter_v1.cpp, twitter_v2.cpp, weibo.cpp, mweibo.cpp,
// canonical.cpp).
#include "operators/parse/parser.h"

#include <simdjson.h>

#include <cstring>
#include <limits>

#include "operators/parse/arena.h"
#include "operators/parse/formats.h"

namespace sentistream {

std::string_view to_string(DocFormat f) {
  switch (f) {
    case DocFormat::unknown:
      return "unknown";
    case DocFormat::twitter_v1:
      return "twitter_v1";
    case DocFormat::twitter_v2:
      return "twitter_v2";
    case DocFormat::weibo_v2:
      return "weibo_v2";
    case DocFormat::mweibo:
      return "mweibo";
    case DocFormat::canonical:
      return "canonical";
  }
  return "unknown";
}

std::size_t parse_padding() {
  return simdjson::SIMDJSON_PADDING;
}

namespace parse_detail {

std::string_view id_text(dom::element e, ScratchArena& arena) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return s;
  uint64_t u = 0;
  int64_t i = 0;
  if (e.get_uint64().get(u) == simdjson::SUCCESS) {
    ArenaText t(arena, 20);
    return t.add_uint(u).view();
  }
  if (e.get_int64().get(i) == simdjson::SUCCESS) {  // negative: not an id anyone uses
    ArenaText t(arena, 21);
    return t.add("-").add_uint(0 - static_cast<unsigned long long>(i)).view();
  }
  return {};
}

int64_t read_count(dom::element e) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return i;
  uint64_t u = 0;
  if (e.get_uint64().get(u) == simdjson::SUCCESS) return kMax;  // > INT64_MAX
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS) {
    return d >= 0 && d < 9.2e18 ? static_cast<int64_t>(d) : 0;
  }
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return 0;
  // "1,234", "100万+", "1.2万", "3亿": digits with optional separators, one decimal part
  // and a Chinese multiplier; the trailing '+' (a lower bound) is ignored.
  int64_t whole = 0, frac = 0, frac_scale = 1;
  bool in_frac = false, any = false;
  std::size_t p = 0;
  for (; p < s.size(); ++p) {
    const char c = s[p];
    if (c >= '0' && c <= '9') {
      any = true;
      if (whole > kMax / 100) return 0;
      if (in_frac) {
        if (frac_scale < 1'000'000) {
          frac = frac * 10 + (c - '0');
          frac_scale *= 10;
        }
      } else {
        whole = whole * 10 + (c - '0');
      }
    } else if (c == ',' && !in_frac) {
      continue;
    } else if (c == '.' && !in_frac) {
      in_frac = true;
    } else {
      break;
    }
  }
  if (!any) return 0;
  const std::string_view rest = s.substr(p);
  int64_t mult = 1;
  if (rest.substr(0, 3) == "万") {
    mult = 10'000;
  } else if (rest.substr(0, 3) == "亿") {
    mult = 100'000'000;
  }
  if (whole > kMax / mult / 2) return kMax;
  return whole * mult + frac * mult / frac_scale;
}

std::string_view timestamp_detail(ScratchArena& arena, std::string_view field,
                                  std::string_view value, std::string_view why,
                                  std::string_view missing_hint) {
  ArenaText t(arena, field.size() + why.size() + missing_hint.size() + 100);
  t.add(field);
  if (value.empty()) {
    t.add(": missing");
    if (!missing_hint.empty()) t.add(" (").add(missing_hint).add(")");
    return t.view();
  }
  return t.add(": '").add_clipped(value, 64).add("' ").add(why).view();
}

namespace {

// What the keys of an object say about its shape. Filled in one pass.
struct Shape {
  // status-level
  bool text = false, created_at = false, user = false, platform = false, id_str = false;
  bool weibo = false;  // idstr, mid, attitudes_count, reposts_count, comments_count
  bool mblog = false;  // bid, mblogtype: m.weibo.cn only
  // wrappers
  bool statuses = false, data = false, errors = false, includes = false, cards = false;
  bool ok = false, api_error = false;
  bool has_msg = false;  // msg_v is set (a default dom::element must not be read)
  dom::element statuses_v, data_v, cards_v, msg_v, error_v;
  std::string_view notice;  // Twitter stream notice key ("delete", "limit", ...)
};

Shape shape_of(dom::object o) {
  Shape s;
  for (dom::key_value_pair kv : o) {
    const std::string_view k = kv.key;
    switch (k.size()) {
      case 2:
        if (key_is(k, "ok")) s.ok = true;
        break;
      case 3:
        if (key_is(k, "mid")) {
          s.weibo = true;
        } else if (key_is(k, "bid")) {
          s.mblog = true;
        } else if (key_is(k, "msg")) {
          s.msg_v = kv.value;
          s.has_msg = true;
        }
        break;
      case 4:
        if (key_is(k, "text")) {
          s.text = true;
        } else if (key_is(k, "user")) {
          s.user = kv.value.is_object();
        } else if (key_is(k, "data")) {
          s.data = true;
          s.data_v = kv.value;
        }
        break;
      case 5:
        if (key_is(k, "idstr")) {
          s.weibo = true;
        } else if (key_is(k, "cards")) {
          s.cards = kv.value.is_array();
          s.cards_v = kv.value;
        } else if (key_is(k, "error")) {
          s.error_v = kv.value;  // Weibo API error {"error": "...", "error_code": 21327}
          s.api_error = true;
        } else if (key_is(k, "limit") || key_is(k, "event")) {
          s.notice = k;
        }
        break;
      case 6:
        if (key_is(k, "id_str")) {
          // Only Twitter v1.1 statuses have id_str (Weibo writes idstr; wrappers and
          // canonical posts have neither): the shape is decided, skip the other keys.
          s.id_str = true;
          return s;
        } else if (key_is(k, "errors")) {
          s.errors = true;
        } else if (key_is(k, "delete")) {
          s.notice = k;
        }
        break;
      case 7:
        if (key_is(k, "warning") || key_is(k, "friends")) s.notice = k;
        break;
      case 8:
        if (key_is(k, "platform")) {
          s.platform = true;
        } else if (key_is(k, "statuses")) {
          s.statuses = kv.value.is_array();
          s.statuses_v = kv.value;
        } else if (key_is(k, "includes")) {
          s.includes = true;
        }
        break;
      case 9:
        if (key_is(k, "full_text")) {
          s.text = true;
        } else if (key_is(k, "mblogtype")) {
          s.mblog = true;
        } else if (key_is(k, "scrub_geo")) {
          s.notice = k;
        }
        break;
      case 10:
        if (key_is(k, "created_at")) {
          s.created_at = true;
        } else if (key_is(k, "disconnect")) {
          s.notice = k;
        }
        break;
      case 13:
        if (key_is(k, "reposts_count")) {
          s.weibo = true;
        } else if (key_is(k, "user_withheld")) {
          s.notice = k;
        }
        break;
      case 14:
        if (key_is(k, "comments_count")) {
          s.weibo = true;
        } else if (key_is(k, "extended_tweet")) {
          s.text = true;
        }
        break;
      case 15:
        if (key_is(k, "attitudes_count")) {
          s.weibo = true;
        } else if (key_is(k, "status_withheld")) {
          s.notice = k;
        }
        break;
      default:
        break;
    }
  }
  return s;
}

// Format of a post-shaped object (an element of "statuses", a root object), or unknown.
DocFormat status_format(const Shape& s) {
  if (s.id_str) return DocFormat::twitter_v1;
  if (s.platform && s.text && s.created_at && !s.user) return DocFormat::canonical;
  if (s.weibo) return s.mblog ? DocFormat::mweibo : DocFormat::weibo_v2;
  if (s.mblog) return DocFormat::mweibo;
  if (s.user || (s.created_at && s.text)) return DocFormat::twitter_v1;
  return DocFormat::unknown;
}

Outcome read_status(DocFormat f, dom::object o, Context& ctx) {
  switch (f) {
    case DocFormat::twitter_v1:
      return read_twitter_v1(o, ctx);
    case DocFormat::weibo_v2:
      return read_weibo_v2(o, ctx);
    case DocFormat::mweibo:
      return read_mblog(o, ctx);
    case DocFormat::canonical:
      return read_canonical(o, ctx);
    default:
      break;
  }
  return rejected(RejectReason::not_a_post, "object is not a recognised post");
}

// One element of a top-level array or of "statuses": classified on its own, so a mixed
// or partly broken list still yields its good posts.
void read_listed_status(dom::element e, std::size_t index, Context& ctx) {
  dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) {
    ctx.report(rejected(RejectReason::not_a_post, "list entry is not an object"), index);
    return;
  }
  const DocFormat f = status_format(shape_of(o));
  if (ctx.format == DocFormat::unknown) ctx.format = f;
  ctx.post.clear();
  ctx.report(read_status(f, o, ctx), index);
}

void read_list(dom::array list, Context& ctx) {
  std::size_t index = 0;
  for (dom::element e : list) read_listed_status(e, index++, ctx);
}

// Wrapper and non-post shapes of a root object. Returns false when o is a single post.
bool read_root_wrapper(dom::object o, const Shape& s, Context& ctx) {
  if (s.statuses) {  // {"statuses":[...]} (Twitter search, Weibo timelines)
    read_list(s.statuses_v.get_array().value_unsafe(), ctx);
    return true;
  }
  if (s.cards) {  // {"cards":[...]} (older m.weibo.cn container responses)
    read_mweibo_cards(s.cards_v.get_array().value_unsafe(), ctx);
    return true;
  }
  if (s.data && !s.user && !s.text) {
    dom::object data;
    if (s.data_v.get_object().get(data) == simdjson::SUCCESS) {
      dom::array cards;
      if (data["cards"].get_array().get(cards) == simdjson::SUCCESS) {
        read_mweibo_cards(cards, ctx);  // {"ok":1,"data":{"cards":[...]}}
        return true;
      }
      if (s.ok) {  // {"ok":1,"data":{mblog}} (m.weibo.cn statuses/show)
        ctx.format = DocFormat::mweibo;
        ctx.post.clear();
        ctx.report(read_mblog(data, ctx), 0);
        return true;
      }
    }
    read_twitter_v2_document(o, ctx);  // {"data": tweet | [tweets], ...}
    return true;
  }
  if (s.errors && !s.text) {  // v2 response with errors only
    read_twitter_v2_document(o, ctx);
    return true;
  }
  if (!s.notice.empty()) {
    ArenaText t(ctx.arena, 64);
    ctx.reject_document(RejectReason::not_a_post,
                        t.add("twitter stream notice: ").add(s.notice).view());
    return true;
  }
  if (s.api_error && !s.text) {
    const std::string_view error = string_or_empty(s.error_v);
    ArenaText t(ctx.arena, 160);
    ctx.reject_document(RejectReason::not_a_post,
                        t.add("API error response: ").add_clipped(error, 100).view());
    return true;
  }
  if (s.ok && !s.text) {  // m.weibo.cn {"ok":0,"msg":"..."}
    const std::string_view msg = s.has_msg ? string_or_empty(s.msg_v) : std::string_view();
    ArenaText t(ctx.arena, 160);
    ctx.reject_document(RejectReason::not_a_post, t.add("m.weibo.cn response without posts")
                                                      .add(msg.empty() ? "" : ": ")
                                                      .add_clipped(msg, 100)
                                                      .view());
    return true;
  }
  return false;
}

void read_root(dom::element root, Context& ctx) {
  dom::array list;
  if (root.get_array().get(list) == simdjson::SUCCESS) {
    read_list(list, ctx);
    return;
  }
  dom::object o;
  if (root.get_object().get(o) != simdjson::SUCCESS) {
    ctx.reject_document(RejectReason::not_a_post, "document is not a JSON object or array");
    return;
  }
  const Shape s = shape_of(o);
  // shape_of stops at id_str: a v1.1 status is never a wrapper.
  if (!s.id_str && read_root_wrapper(o, s, ctx)) return;
  const DocFormat f = status_format(s);
  if (f == DocFormat::unknown) {
    ctx.reject_document(RejectReason::not_a_post, "object is not a recognised post");
    return;
  }
  ctx.format = f;
  ctx.post.clear();
  ctx.report(read_status(f, o, ctx), 0);
}

}  // namespace
}  // namespace parse_detail

struct DocumentParser::Impl {
  explicit Impl(ParseOptions o) : options(o) {}

  ParseOptions options;
  simdjson::dom::parser json;
  parse_detail::ScratchArena arena;
  Post post;
  std::unique_ptr<char[]> padded;  // reused copy for documents without padding
  std::size_t padded_capacity = 0;
  DocFormat last_format = DocFormat::unknown;

  const char* padded_copy(std::string_view doc) {
    const std::size_t need = doc.size() + simdjson::SIMDJSON_PADDING;
    if (need > padded_capacity) {
      const std::size_t grown = padded_capacity * 2 > need ? padded_capacity * 2 : need;
      padded = std::make_unique<char[]>(grown);
      padded_capacity = grown;
    }
    std::memcpy(padded.get(), doc.data(), doc.size());
    std::memset(padded.get() + doc.size(), 0, simdjson::SIMDJSON_PADDING);
    return padded.get();
  }
};

DocumentParser::DocumentParser(ParseOptions opts) : impl_(std::make_unique<Impl>(opts)) {}
DocumentParser::~DocumentParser() = default;

DocFormat DocumentParser::last_format() const {
  return impl_->last_format;
}

std::size_t DocumentParser::parse(std::string_view json, std::size_t capacity,
                                  PostVisitor& visitor) {
  using parse_detail::ArenaText;
  Impl& m = *impl_;
  m.arena.reset();
  m.last_format = DocFormat::unknown;
  parse_detail::Context ctx{m.arena, m.post, visitor, m.options};
  if (json.size() > m.options.max_document_bytes) {
    ArenaText t(m.arena, 96);
    ctx.reject_document(RejectReason::too_large, t.add("document is ")
                                                     .add_uint(json.size())
                                                     .add(" bytes, max_document_bytes is ")
                                                     .add_uint(m.options.max_document_bytes)
                                                     .view());
    return 0;
  }
  const bool padded = capacity >= json.size() + simdjson::SIMDJSON_PADDING;
  const char* buf = padded ? json.data() : m.padded_copy(json);
  simdjson::dom::element root;
  const simdjson::error_code err = m.json.parse(buf, json.size(), false).get(root);
  if (err != simdjson::SUCCESS) {
    RejectReason reason = RejectReason::invalid_json;
    if (err == simdjson::UTF8_ERROR) {
      reason = RejectReason::invalid_utf8;
    } else if (err == simdjson::CAPACITY || err == simdjson::MEMALLOC) {
      reason = RejectReason::too_large;
    }
    ctx.reject_document(reason, simdjson::error_message(err));
    return 0;
  }
  parse_detail::read_root(root, ctx);
  if (ctx.posts == 0 && ctx.rejects == 0) {
    // An empty list ({"statuses":[]}, a page of non-post cards): nothing to count, but a
    // message that carried no post is reported, not silently dropped.
    ctx.reject_document(RejectReason::not_a_post, "document holds no posts");
  }
  m.last_format = ctx.format;
  return ctx.posts;
}

}  // namespace sentistream

// The canonical flat form (see README.md): reading it back (DocFormat::canonical) and
// writing it (write_canonical_json).
#include "operators/parse/canonical.h"

#include "operators/parse/formats.h"
#include "operators/parse/html.h"
#include "operators/parse/timestamp.h"

namespace sentistream {
namespace parse_detail {

Outcome read_canonical(dom::object obj, Context& ctx) {
  Post& post = ctx.post;
  dom::element created_at;
  bool has_created_at = false;
  for (dom::key_value_pair kv : obj) {
    const std::string_view k = kv.key;
    const dom::element v = kv.value;
    switch (k.size()) {
      case 2:
        if (key_is(k, "id")) post.id = id_text(v, ctx.arena);
        break;
      case 4:
        if (key_is(k, "text")) {
          post.text = string_or_empty(v);
        } else if (key_is(k, "lang")) {
          post.lang = string_or_empty(v);
        }
        break;
      case 5:
        if (key_is(k, "likes")) post.engagement.likes = read_count(v);
        break;
      case 6:
        if (key_is(k, "region")) post.region = string_or_empty(v);
        break;
      case 7:
        if (key_is(k, "reposts")) {
          post.engagement.reposts = read_count(v);
        } else if (key_is(k, "replies")) {
          post.engagement.replies = read_count(v);
        }
        break;
      case 8:
        if (key_is(k, "platform")) {
          const std::string_view p = string_or_empty(v);
          post.platform = p == "twitter" ? Platform::twitter
                          : p == "weibo" ? Platform::weibo
                                         : Platform::other;
        } else if (key_is(k, "hashtags")) {
          dom::array tags;
          if (v.get_array().get(tags) == simdjson::SUCCESS) {
            for (dom::element t : tags) add_unique(post.hashtags, string_or_empty(t));
          }
        }
        break;
      case 9:
        if (key_is(k, "author_id")) {
          post.author_id = id_text(v, ctx.arena);
        } else if (key_is(k, "is_repost")) {
          bool b = false;
          post.is_repost = v.get_bool().get(b) == simdjson::SUCCESS && b;
        }
        break;
      case 10:
        if (key_is(k, "created_at")) {
          created_at = v;
          has_created_at = true;
        }
        break;
      case 11:
        if (key_is(k, "author_name")) {
          post.author_name = string_or_empty(v);
        } else if (key_is(k, "repost_text")) {
          post.repost_text = string_or_empty(v);
        }
        break;
      default:
        break;
    }
  }
  if (post.text.empty()) return rejected(RejectReason::missing_text, "text: missing or empty");
  if (!has_created_at) return rejected(RejectReason::bad_timestamp, "created_at: missing");
  int64_t number = 0;
  std::string_view s;
  if (created_at.get_int64().get(number) == simdjson::SUCCESS) {
    if (!epoch_number_to_ms(number, post.created_at_ms)) {
      return rejected(RejectReason::bad_timestamp, "created_at: integer out of range");
    }
  } else if (created_at.get_string().get(s) == simdjson::SUCCESS) {
    if (!parse_rfc3339(s, post.created_at_ms)) {
      return rejected(RejectReason::bad_timestamp,
                      timestamp_detail(ctx.arena, "created_at", s, "is not RFC 3339"));
    }
  } else {
    return rejected(RejectReason::bad_timestamp,
                    "created_at: expected an RFC 3339 string or integer milliseconds");
  }
  return accepted();
}

}  // namespace parse_detail

// Fast path: one scan for bytes that need escaping, one SIMD UTF-8 validation; invalid
// sequences (only possible in hand-built Posts or binary input) become U+FFFD.
void append_json_text(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  const bool valid = simdjson::validate_utf8(s.data(), s.size());
  std::size_t run = 0;  // start of the pending run of bytes copied verbatim
  std::size_t i = 0;
  auto flush = [&](std::size_t end) { out.append(s.data() + run, end - run); };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && (c < 0x80 || valid)) {
      ++i;
      continue;
    }
    flush(i);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
      }
      ++i;
    } else {
      // Slow path for invalid UTF-8: copy well-formed sequences, replace the rest.
      std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      if (len > 1 && i + len <= s.size() && simdjson::validate_utf8(s.data() + i, len)) {
        out.append(s.data() + i, len);
      } else {
        out += "\xEF\xBF\xBD";
        len = 1;
      }
      i += len;
    }
    run = i;
  }
  flush(s.size());
  out += '"';
}

namespace {

void append_int(std::string& out, int64_t v) {
  char buf[24];
  int i = 24;
  const bool negative = v < 0;
  // Work in unsigned so INT64_MIN does not overflow.
  uint64_t u = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    buf[--i] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (negative) buf[--i] = '-';
  out.append(buf + i, static_cast<std::size_t>(24 - i));
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  append_json_text(value, out);
}

}  // namespace

void write_canonical_json(const Post& post, std::string& out) {
  out += "{\"id\":";
  append_json_text(post.id, out);
  out += ",\"platform\":\"";
  out += to_string(post.platform);
  out += "\",\"created_at\":";
  char ts[parse_detail::kRfc3339MaxBytes];
  const std::size_t n = parse_detail::format_rfc3339(post.created_at_ms, ts);
  if (n != 0) {
    out += '"';
    out.append(ts, n);
    out += '"';
  } else {
    append_int(out, post.created_at_ms);  // beyond year 9999: integer milliseconds
  }
  if (!post.lang.empty()) append_field(out, "lang", post.lang);
  append_field(out, "text", post.text);
  if (!post.author_id.empty()) append_field(out, "author_id", post.author_id);
  if (!post.author_name.empty()) append_field(out, "author_name", post.author_name);
  if (!post.region.empty()) append_field(out, "region", post.region);
  if (!post.hashtags.empty()) {
    out += ",\"hashtags\":[";
    for (std::size_t i = 0; i < post.hashtags.size(); ++i) {
      if (i != 0) out += ',';
      append_json_text(post.hashtags[i], out);
    }
    out += ']';
  }
  out += ",\"likes\":";
  append_int(out, post.engagement.likes);
  out += ",\"reposts\":";
  append_int(out, post.engagement.reposts);
  out += ",\"replies\":";
  append_int(out, post.engagement.replies);
  out += ",\"is_repost\":";
  out += post.is_repost ? "true" : "false";
  if (!post.repost_text.empty()) append_field(out, "repost_text", post.repost_text);
  out += '}';
}

}  // namespace sentistream

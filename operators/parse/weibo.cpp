// Weibo Open API v2 statuses (statuses/home_timeline, user_timeline, show ...): plain
// text, created_at "Tue Jun 11 22:30:33 +0800 2019", user.location / user.province,
// reposts_count / comments_count / attitudes_count, retweeted_status.
//
// The text is kept as written, "//@user:" repost chains included (the scorer strips them);
// "#话题#" topics are extracted into hashtags. Weibo has no language field: lang stays
// empty and the scorer detects it from the script.
#include "operators/parse/weibo.h"

#include "operators/parse/html.h"
#include "operators/parse/timestamp.h"

namespace sentistream::parse_detail {
namespace {

void read_weibo_user(dom::object user, ScratchArena& arena, WeiboFields& out) {
  dom::element id;
  bool has_id = false;
  for (dom::key_value_pair kv : user) {
    const std::string_view k = kv.key;
    switch (k.size()) {
      case 2:
        if (key_is(k, "id")) {
          id = kv.value;
          has_id = true;
        }
        break;
      case 5:
        if (key_is(k, "idstr")) out.user_id = string_or_empty(kv.value);
        break;
      case 8:
        if (key_is(k, "location")) {
          out.location = string_or_empty(kv.value);
        } else if (key_is(k, "province")) {
          out.province = id_text(kv.value, arena);  // "44" or 44
        }
        break;
      case 11:
        if (key_is(k, "screen_name")) out.user_name = string_or_empty(kv.value);
        break;
      default:
        break;
    }
    // Weibo writes these among the first ten of ~50 user keys.
    if (!out.user_id.empty() && !out.user_name.empty() && !out.location.empty() &&
        !out.province.empty()) {
      break;
    }
  }
  if (out.user_id.empty() && has_id) out.user_id = id_text(id, arena);
}

}  // namespace

void collect_weibo_fields(dom::object status, ScratchArena& arena, WeiboFields& out) {
  for (dom::key_value_pair kv : status) {
    const std::string_view k = kv.key;
    const dom::element v = kv.value;
    switch (k.size()) {
      case 2:
        if (key_is(k, "id")) {
          out.id = v;
          out.has_id = true;
        }
        break;
      case 3:
        if (key_is(k, "mid")) out.mid = id_text(v, arena);
        break;
      case 4:
        if (key_is(k, "text")) {
          out.text = string_or_empty(v);
        } else if (key_is(k, "user")) {
          dom::object user;
          if (v.get_object().get(user) == simdjson::SUCCESS) read_weibo_user(user, arena, out);
        }
        break;
      case 5:
        if (key_is(k, "idstr")) out.idstr = string_or_empty(v);
        break;
      case 8:
        if (key_is(k, "longText")) {
          dom::object lt;
          dom::element content;
          if (v.get_object().get(lt) == simdjson::SUCCESS &&
              lt["longTextContent"].get(content) == simdjson::SUCCESS) {
            out.long_text = string_or_empty(content);
          }
        } else if (key_is(k, "raw_text")) {
          out.raw_text = string_or_empty(v);
        }
        break;
      case 10:
        if (key_is(k, "created_at")) out.created_at = string_or_empty(v);
        break;
      case 11:
        if (key_is(k, "region_name")) out.region_name = string_or_empty(v);
        break;
      case 13:
        if (key_is(k, "reposts_count")) out.reposts = read_count(v);
        break;
      case 14:
        if (key_is(k, "comments_count")) out.comments = read_count(v);
        break;
      case 15:
        if (key_is(k, "attitudes_count")) out.attitudes = read_count(v);
        break;
      case 16:
        if (key_is(k, "retweeted_status")) {
          out.has_retweeted = v.get_object().get(out.retweeted) == simdjson::SUCCESS;
        }
        break;
      default:
        break;
    }
  }
}

std::string_view weibo_repost_text(dom::object retweeted) {
  std::string_view text, long_text, raw_text;
  bool not_long = false;
  for (dom::key_value_pair kv : retweeted) {
    const std::string_view k = kv.key;
    if (key_is(k, "text")) {
      text = string_or_empty(kv.value);
    } else if (key_is(k, "longText")) {
      dom::object lt;
      dom::element content;
      if (kv.value.get_object().get(lt) == simdjson::SUCCESS &&
          lt["longTextContent"].get(content) == simdjson::SUCCESS) {
        long_text = string_or_empty(content);
      }
    } else if (key_is(k, "raw_text")) {
      raw_text = string_or_empty(kv.value);
    } else if (key_is(k, "isLongText")) {
      bool b = true;
      not_long = kv.value.get_bool().get(b) == simdjson::SUCCESS && !b;
    }
    if (not_long && !text.empty()) break;
  }
  if (!long_text.empty()) return long_text;
  return !text.empty() ? text : raw_text;
}

std::string_view weibo_id(const WeiboFields& f, ScratchArena& arena) {
  if (!f.idstr.empty()) return f.idstr;
  if (!f.mid.empty()) return f.mid;
  return f.has_id ? id_text(f.id, arena) : std::string_view();
}

Outcome read_weibo_v2(dom::object status, Context& ctx) {
  WeiboFields f;
  collect_weibo_fields(status, ctx.arena, f);
  Post& post = ctx.post;
  post.platform = Platform::weibo;
  // isLongText statuses carry the full text in longText.longTextContent when requested.
  post.text = f.long_text.size() > f.text.size() ? f.long_text : f.text;
  if (post.text.empty()) return rejected(RejectReason::missing_text, "text: missing or empty");
  if (!parse_twitter_time(f.created_at, post.created_at_ms)) {
    return rejected(RejectReason::bad_timestamp,
                    timestamp_detail(ctx.arena, "created_at", f.created_at,
                                     "is not like \"Tue Jun 11 22:30:33 +0800 2019\""));
  }
  post.id = weibo_id(f, ctx.arena);
  post.author_id = f.user_id;
  post.author_name = f.user_name;
  post.region = !f.location.empty() ? f.location : f.province;
  post.engagement = {f.attitudes, f.reposts, f.comments};
  extract_weibo_topics(post.text, post.hashtags);
  if (f.has_retweeted) {
    post.is_repost = true;
    post.repost_text = weibo_repost_text(f.retweeted);
  }
  return accepted();
}

}  // namespace sentistream::parse_detail

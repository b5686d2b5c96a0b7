// Twitter API v1.1 status objects (REST, search and the v1.1 streaming "original format").
//
// Text: the longest of extended_tweet.full_text, full_text and text (streaming truncates
// `text` at 140 characters and carries the rest in extended_tweet; REST extended mode uses
// full_text). Retweets keep the author's own "RT @x: ..." text; the retweeted status's full
// text becomes repost_text. Quotes keep their text; the quoted status goes to repost_text.
#include "operators/parse/formats.h"
#include "operators/parse/html.h"
#include "operators/parse/timestamp.h"

namespace sentistream::parse_detail {
namespace {

std::string_view longest(std::string_view a, std::string_view b) {
  return b.size() > a.size() ? b : a;
}

// extended_tweet: {"full_text": ..., "entities": {"hashtags": [...]}, ...}
void read_extended(dom::object ext, std::string_view& full_text, dom::array& hashtags,
                   bool& has_hashtags) {
  for (dom::key_value_pair kv : ext) {
    if (key_is(kv.key, "full_text")) {
      full_text = string_or_empty(kv.value);
    } else if (key_is(kv.key, "entities")) {
      dom::object entities;
      if (kv.value.get_object().get(entities) == simdjson::SUCCESS &&
          entities["hashtags"].get_array().get(hashtags) == simdjson::SUCCESS) {
        has_hashtags = true;
      }
    }
  }
}

// Full text of a retweeted or quoted status. Stops early once `truncated: false` has been
// seen with a text, which in Twitter's key order is a few keys in.
std::string_view best_text(dom::object status) {
  std::string_view text, full_text, ext_text;
  bool not_truncated = false;
  for (dom::key_value_pair kv : status) {
    const std::string_view k = kv.key;
    switch (k.size()) {
      case 4:
        if (key_is(k, "text")) text = string_or_empty(kv.value);
        break;
      case 9:
        if (key_is(k, "full_text")) {
          full_text = string_or_empty(kv.value);
        } else if (key_is(k, "truncated")) {
          bool t = true;
          not_truncated = kv.value.get_bool().get(t) == simdjson::SUCCESS && !t;
        }
        break;
      case 14:
        if (key_is(k, "extended_tweet")) {
          dom::object ext;
          if (kv.value.get_object().get(ext) == simdjson::SUCCESS) {
            dom::array unused;
            bool has = false;
            read_extended(ext, ext_text, unused, has);
          }
        }
        break;
      default:
        break;
    }
    if (not_truncated && (!text.empty() || !full_text.empty())) break;
  }
  return longest(longest(text, full_text), ext_text);
}

// user: {"id": 1, "id_str": "1", "name": ..., "screen_name": ..., 40 more keys}
void read_user(dom::object user, Post& post, ScratchArena& arena) {
  dom::element id_num;
  bool has_id_num = false;
  for (dom::key_value_pair kv : user) {
    if (key_is(kv.key, "id_str")) {
      post.author_id = string_or_empty(kv.value);
    } else if (key_is(kv.key, "screen_name")) {
      post.author_name = string_or_empty(kv.value);
    } else if (key_is(kv.key, "id")) {
      id_num = kv.value;
      has_id_num = true;
    }
    if (!post.author_id.empty() && !post.author_name.empty()) break;
  }
  if (post.author_id.empty() && has_id_num) post.author_id = id_text(id_num, arena);
}

void add_hashtags(dom::array hashtags, std::vector<std::string_view>& out) {
  for (dom::element h : hashtags) {
    dom::object o;
    if (h.get_object().get(o) != simdjson::SUCCESS) continue;
    dom::element tag;
    if (o["text"].get(tag) == simdjson::SUCCESS) add_unique(out, string_or_empty(tag));
  }
}

}  // namespace

Outcome read_twitter_v1(dom::object status, Context& ctx) {
  Post& post = ctx.post;
  post.platform = Platform::twitter;
  std::string_view text, full_text, ext_text, created_at;
  dom::element id_num;
  bool has_id_num = false;
  dom::array hashtags, ext_hashtags;
  bool has_hashtags = false, has_ext_hashtags = false;
  dom::object retweeted, quoted;
  bool has_retweeted = false, has_quoted = false;
  int64_t retweets = 0, quotes = 0;

  for (dom::key_value_pair kv : status) {
    const std::string_view k = kv.key;
    const dom::element v = kv.value;
    switch (k.size()) {
      case 2:
        if (key_is(k, "id")) {
          id_num = v;
          has_id_num = true;
        }
        break;
      case 4:
        if (key_is(k, "text")) {
          text = string_or_empty(v);
        } else if (key_is(k, "user")) {
          dom::object user;
          if (v.get_object().get(user) == simdjson::SUCCESS) read_user(user, post, ctx.arena);
        } else if (key_is(k, "lang")) {
          post.lang = string_or_empty(v);
        }
        break;
      case 5:
        if (key_is(k, "place")) {
          dom::object place;  // null when the tweet is not geotagged
          if (v.get_object().get(place) == simdjson::SUCCESS) {
            dom::element cc;
            if (place["country_code"].get(cc) == simdjson::SUCCESS) {
              post.region = string_or_empty(cc);
            }
          }
        }
        break;
      case 6:
        if (key_is(k, "id_str")) post.id = string_or_empty(v);
        break;
      case 8:
        if (key_is(k, "entities")) {
          dom::object entities;
          if (v.get_object().get(entities) == simdjson::SUCCESS &&
              entities["hashtags"].get_array().get(hashtags) == simdjson::SUCCESS) {
            has_hashtags = true;
          }
        }
        break;
      case 9:
        if (key_is(k, "full_text")) full_text = string_or_empty(v);
        break;
      case 10:
        if (key_is(k, "created_at")) created_at = string_or_empty(v);
        break;
      case 11:
        if (key_is(k, "reply_count")) {
          post.engagement.replies = read_count(v);
        } else if (key_is(k, "quote_count")) {
          quotes = read_count(v);
        }
        break;
      case 13:
        if (key_is(k, "retweet_count")) {
          retweets = read_count(v);
        } else if (key_is(k, "quoted_status")) {
          has_quoted = v.get_object().get(quoted) == simdjson::SUCCESS;
        }
        break;
      case 14:
        if (key_is(k, "favorite_count")) {
          post.engagement.likes = read_count(v);
        } else if (key_is(k, "extended_tweet")) {
          dom::object ext;
          if (v.get_object().get(ext) == simdjson::SUCCESS) {
            read_extended(ext, ext_text, ext_hashtags, has_ext_hashtags);
          }
        }
        break;
      case 16:
        if (key_is(k, "retweeted_status")) {
          has_retweeted = v.get_object().get(retweeted) == simdjson::SUCCESS;
        }
        break;
      default:
        break;
    }
  }

  const std::string_view raw_text = longest(longest(text, full_text), ext_text);
  if (raw_text.empty()) return rejected(RejectReason::missing_text, "text: missing or empty");
  post.text = decode_twitter_entities(raw_text, ctx.arena);
  if (!parse_twitter_time(created_at, post.created_at_ms)) {
    return rejected(RejectReason::bad_timestamp,
                    timestamp_detail(ctx.arena, "created_at", created_at,
                                     "is not like \"Wed Oct 10 20:19:24 +0000 2018\""));
  }
  if (post.id.empty() && has_id_num) post.id = id_text(id_num, ctx.arena);
  // extended_tweet.entities covers the whole text; the top-level one only the first 140.
  if (has_ext_hashtags) {
    add_hashtags(ext_hashtags, post.hashtags);
  } else if (has_hashtags) {
    add_hashtags(hashtags, post.hashtags);
  }
  post.engagement.reposts = retweets + quotes;
  if (has_retweeted) {
    post.is_repost = true;
    post.repost_text = decode_twitter_entities(best_text(retweeted), ctx.arena);
  } else if (has_quoted) {
    post.repost_text = decode_twitter_entities(best_text(quoted), ctx.arena);
  }
  return accepted();
}

}  // namespace sentistream::parse_detail

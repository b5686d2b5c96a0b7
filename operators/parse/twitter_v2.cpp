// Twitter API v2 responses: {"data": tweet | [tweets], "includes": {"users", "tweets",
// "places"}, "errors": [...], "meta": {...}}.
//
// author_id is resolved to a username through includes.users, geo.place_id to a country
// code through includes.places, and a retweeted/quoted tweet's text through
// includes.tweets (when the request expanded them). Lookups are linear scans: includes
// hold at most a few hundred entries, and a scan allocates nothing.
//
// "errors" entries describe tweets that could not be returned (deleted, protected). They
// are not posts and not rejects of a post we had: a response with data emits its posts
// and ignores the errors; a response with no data at all is one not_a_post reject whose
// detail quotes the first error.
#include "operators/parse/formats.h"
#include "operators/parse/html.h"
#include "operators/parse/timestamp.h"

namespace sentistream::parse_detail {
namespace {

struct Includes {
  dom::array users, tweets, places;
  bool has_users = false, has_tweets = false, has_places = false;
};

// First object in `list` whose "id" equals id, and the value of its field `field`.
std::string_view lookup(dom::array list, std::string_view id, std::string_view field) {
  for (dom::element e : list) {
    dom::object o;
    dom::element eid, value;
    if (e.get_object().get(o) != simdjson::SUCCESS) continue;
    if (o["id"].get(eid) != simdjson::SUCCESS || string_or_empty(eid) != id) continue;
    return o[field].get(value) == simdjson::SUCCESS ? string_or_empty(value) : std::string_view();
  }
  return {};
}

// The full text of a tweet object: note_tweet.text (long posts) or text, the longer.
std::string_view tweet_text(dom::object t) {
  std::string_view text, note;
  for (dom::key_value_pair kv : t) {
    if (key_is(kv.key, "text")) {
      text = string_or_empty(kv.value);
    } else if (key_is(kv.key, "note_tweet")) {
      dom::object n;
      dom::element nt;
      if (kv.value.get_object().get(n) == simdjson::SUCCESS &&
          n["text"].get(nt) == simdjson::SUCCESS) {
        note = string_or_empty(nt);
      }
    }
  }
  return note.size() > text.size() ? note : text;
}

std::string_view referenced_text(const Includes& inc, std::string_view id) {
  if (!inc.has_tweets || id.empty()) return {};
  for (dom::element e : inc.tweets) {
    dom::object o;
    dom::element eid;
    if (e.get_object().get(o) != simdjson::SUCCESS) continue;
    if (o["id"].get(eid) != simdjson::SUCCESS || string_or_empty(eid) != id) continue;
    return tweet_text(o);
  }
  return {};
}

Outcome read_v2_tweet(dom::object t, const Includes& inc, Context& ctx) {
  Post& post = ctx.post;
  post.platform = Platform::twitter;
  std::string_view text, note_text, created_at, place_id, retweeted_id, quoted_id;
  int64_t retweets = 0, quotes = 0;
  for (dom::key_value_pair kv : t) {
    const std::string_view k = kv.key;
    const dom::element v = kv.value;
    switch (k.size()) {
      case 2:
        if (key_is(k, "id")) post.id = id_text(v, ctx.arena);
        break;
      case 3:
        if (key_is(k, "geo")) {
          dom::object geo;
          dom::element pid;
          if (v.get_object().get(geo) == simdjson::SUCCESS &&
              geo["place_id"].get(pid) == simdjson::SUCCESS) {
            place_id = string_or_empty(pid);
          }
        }
        break;
      case 4:
        if (key_is(k, "text")) {
          text = string_or_empty(v);
        } else if (key_is(k, "lang")) {
          post.lang = string_or_empty(v);
        }
        break;
      case 8:
        if (key_is(k, "entities")) {
          dom::object entities;
          dom::array hashtags;
          if (v.get_object().get(entities) == simdjson::SUCCESS &&
              entities["hashtags"].get_array().get(hashtags) == simdjson::SUCCESS) {
            for (dom::element h : hashtags) {
              dom::object ho;
              dom::element tag;
              if (h.get_object().get(ho) == simdjson::SUCCESS &&
                  ho["tag"].get(tag) == simdjson::SUCCESS) {
                add_unique(post.hashtags, string_or_empty(tag));
              }
            }
          }
        }
        break;
      case 9:
        if (key_is(k, "author_id")) post.author_id = id_text(v, ctx.arena);
        break;
      case 10:
        if (key_is(k, "created_at")) {
          created_at = string_or_empty(v);
        } else if (key_is(k, "note_tweet")) {
          dom::object n;
          dom::element nt;
          if (v.get_object().get(n) == simdjson::SUCCESS &&
              n["text"].get(nt) == simdjson::SUCCESS) {
            note_text = string_or_empty(nt);
          }
        }
        break;
      case 14:
        if (key_is(k, "public_metrics")) {
          dom::object m;
          if (v.get_object().get(m) != simdjson::SUCCESS) break;
          for (dom::key_value_pair mkv : m) {
            if (key_is(mkv.key, "like_count")) {
              post.engagement.likes = read_count(mkv.value);
            } else if (key_is(mkv.key, "retweet_count")) {
              retweets = read_count(mkv.value);
            } else if (key_is(mkv.key, "quote_count")) {
              quotes = read_count(mkv.value);
            } else if (key_is(mkv.key, "reply_count")) {
              post.engagement.replies = read_count(mkv.value);
            }
          }
        }
        break;
      case 17:
        if (key_is(k, "referenced_tweets")) {
          dom::array refs;
          if (v.get_array().get(refs) != simdjson::SUCCESS) break;
          for (dom::element r : refs) {
            dom::object ro;
            if (r.get_object().get(ro) != simdjson::SUCCESS) continue;
            dom::element type, rid;
            if (ro["type"].get(type) != simdjson::SUCCESS) continue;
            const std::string_view ref_id =
                ro["id"].get(rid) == simdjson::SUCCESS ? string_or_empty(rid) : "";
            const std::string_view type_s = string_or_empty(type);
            if (type_s == "retweeted") {
              post.is_repost = true;
              retweeted_id = ref_id;
            } else if (type_s == "quoted") {
              quoted_id = ref_id;
            }
          }
        }
        break;
      default:
        break;
    }
  }

  const std::string_view raw_text = note_text.size() > text.size() ? note_text : text;
  if (raw_text.empty()) return rejected(RejectReason::missing_text, "text: missing or empty");
  post.text = decode_twitter_entities(raw_text, ctx.arena);
  if (!parse_rfc3339(created_at, post.created_at_ms)) {
    return rejected(RejectReason::bad_timestamp,
                    timestamp_detail(ctx.arena, "created_at", created_at, "is not RFC 3339",
                                     "request it with tweet.fields=created_at"));
  }
  post.engagement.reposts = retweets + quotes;
  if (inc.has_users && !post.author_id.empty()) {
    post.author_name = lookup(inc.users, post.author_id, "username");
  }
  if (inc.has_places && !place_id.empty()) {
    post.region = lookup(inc.places, place_id, "country_code");
  }
  const std::string_view ref = !retweeted_id.empty() ? retweeted_id : quoted_id;
  post.repost_text = decode_twitter_entities(referenced_text(inc, ref), ctx.arena);
  return accepted();
}

// "response without data, errors: <detail of the first error>". Twitter v1.1 error
// responses ({"errors":[{"code":88,"message":"Rate limit exceeded"}]}) land here too.
std::string_view errors_detail(dom::array errors, ScratchArena& arena) {
  std::string_view first;
  for (dom::element e : errors) {
    dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) continue;
    for (const char* field : {"detail", "title", "message"}) {
      dom::element d;
      if (o[field].get(d) == simdjson::SUCCESS) first = string_or_empty(d);
      if (!first.empty()) break;
    }
    break;
  }
  if (first.empty()) return "response without data";
  ArenaText out(arena, 256);
  return out.add("response without data, errors: ").add_clipped(first, 200).view();
}

}  // namespace

void read_twitter_v2_document(dom::object root, Context& ctx) {
  dom::element data;
  bool has_data = false;
  dom::array errors;
  bool has_errors = false;
  Includes inc;
  for (dom::key_value_pair kv : root) {
    if (key_is(kv.key, "data")) {
      data = kv.value;
      has_data = !data.is_null();
    } else if (key_is(kv.key, "errors")) {
      has_errors = kv.value.get_array().get(errors) == simdjson::SUCCESS;
    } else if (key_is(kv.key, "includes")) {
      dom::object includes;
      if (kv.value.get_object().get(includes) != simdjson::SUCCESS) continue;
      for (dom::key_value_pair ikv : includes) {
        if (key_is(ikv.key, "users")) {
          inc.has_users = ikv.value.get_array().get(inc.users) == simdjson::SUCCESS;
        } else if (key_is(ikv.key, "tweets")) {
          inc.has_tweets = ikv.value.get_array().get(inc.tweets) == simdjson::SUCCESS;
        } else if (key_is(ikv.key, "places")) {
          inc.has_places = ikv.value.get_array().get(inc.places) == simdjson::SUCCESS;
        }
      }
    }
  }
  ctx.format = DocFormat::twitter_v2;
  if (!has_data) {
    ctx.reject_document(RejectReason::not_a_post, has_errors
                                                      ? errors_detail(errors, ctx.arena)
                                                      : std::string_view("response without data"));
    return;
  }
  dom::object one;
  if (data.get_object().get(one) == simdjson::SUCCESS) {
    ctx.post.clear();
    ctx.report(read_v2_tweet(one, inc, ctx), 0);
    return;
  }
  dom::array many;
  if (data.get_array().get(many) != simdjson::SUCCESS) {
    ctx.reject_document(RejectReason::not_a_post, "twitter v2: data is neither object nor array");
    return;
  }
  std::size_t index = 0;
  for (dom::element e : many) {
    dom::object t;
    if (e.get_object().get(t) == simdjson::SUCCESS) {
      ctx.post.clear();
      ctx.report(read_v2_tweet(t, inc, ctx), index);
    } else {
      ctx.report(rejected(RejectReason::not_a_post, "twitter v2: data entry is not an object"),
                 index);
    }
    ++index;
  }
}

}  // namespace sentistream::parse_detail

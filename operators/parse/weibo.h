// Internal to operators/parse: the fields Weibo Open API v2 statuses and m.weibo.cn mblogs
// share (same names, different text markup and date forms). weibo.cpp collects them in
// one pass over the object; weibo.cpp and mweibo.cpp each finish the Post their own way.
#pragma once

#include "operators/parse/formats.h"

namespace sentistream::parse_detail {

struct WeiboFields {
  std::string_view idstr, mid, text, long_text, raw_text, created_at, region_name;
  dom::element id;  // number (Open API) or string; valid when has_id
  bool has_id = false;
  // user
  std::string_view user_id, user_name, location, province;
  // counts
  int64_t reposts = 0, comments = 0, attitudes = 0;
  dom::object retweeted;  // valid when has_retweeted
  bool has_retweeted = false;
};

// One pass over a status / mblog object. Numbers used as ids (user.id, province) are
// printed into the arena.
void collect_weibo_fields(dom::object status, ScratchArena& arena, WeiboFields& out);

// Text of a retweeted status: longText.longTextContent when present, else text (raw_text
// as a last resort). Stops early once "isLongText": false has been seen with a text.
std::string_view weibo_repost_text(dom::object retweeted);

// The post's id: idstr, else mid, else id printed.
std::string_view weibo_id(const WeiboFields& f, ScratchArena& arena);

}  // namespace sentistream::parse_detail

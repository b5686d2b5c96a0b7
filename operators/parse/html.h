// Text clean-up shared by the formats: HTML entity decoding, m.weibo.cn HTML stripping and
// Weibo "#话题#" topic extraction. Outputs go to the parser's scratch arena; inputs that need
// no change are returned as they are (no copy).
#pragma once

#include <string_view>
#include <vector>

#include "operators/parse/arena.h"

namespace sentistream::parse_detail {

// Twitter (v1.1 and v2) escapes exactly '&', '<', '>' as &amp; &lt; &gt; in tweet text;
// this is the exact inverse (single pass, so "&amp;lt;" becomes "&lt;"). Other entities
// are left alone: Twitter does not produce them, a user who typed one gets "&amp;...".
std::string_view decode_twitter_entities(std::string_view text, ScratchArena& arena);

// m.weibo.cn HTML fragment -> plain text:
//  - tags removed, their text content kept (link texts such as "@user", "#话题#" stay);
//  - <img alt="[哈哈]"> becomes its alt text (emoticons); images without alt vanish (icons);
//  - <br> becomes '\n';
//  - the inner text of a link that is only a UI label ("网页链接", "全文") is dropped;
//  - entities decoded (named: amp lt gt quot apos nbsp; numeric &#NN; &#xHH;);
//  - leading/trailing ASCII whitespace trimmed.
// A '<' that does not start a tag is kept as text. Output is valid UTF-8 when input is.
std::string_view strip_weibo_html(std::string_view html, ScratchArena& arena);

// Appends to `out` the Weibo topics "#话题#" found in text: the text between two '#',
// non-empty, without line break, at most 128 bytes, not starting with a space. Pairs are
// consumed left to right ("#a##b#" -> a, b). Skips topics already in `out`.
void extract_weibo_topics(std::string_view text, std::vector<std::string_view>& out);

// Appends `tag` unless already present (hashtags are a small set per post).
inline void add_unique(std::vector<std::string_view>& out, std::string_view tag) {
  if (tag.empty()) return;
  for (std::string_view t : out) {
    if (t == tag) return;
  }
  out.push_back(tag);
}

}  // namespace sentistream::parse_detail

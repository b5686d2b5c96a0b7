// m.weibo.cn (the mobile web API): {"ok":1,"data":{"cards":[{"card_type":9,"mblog":{...}}]}}
// or a bare mblog. Same field names as the Open API, but:
//  - text is HTML (emoticons as <img alt=[偷笑]>, topics and mentions as links): stripped by
//    strip_weibo_html; longText.longTextContent, when present, wins over text;
//  - user.id is a number; counts may be display strings ("100万+");
//  - created_at is what the page shows: "刚刚", "5分钟前", "3小时前", "今天 12:00",
//    "昨天 12:00", "06-11" (this year) or "2018-06-11", and only sometimes the absolute
//    "Tue Jun 11 22:30:33 +0800 2019". See resolve_created_at for how time is recovered.
#include <cstdint>

#include "operators/parse/html.h"
#include "operators/parse/timestamp.h"
#include "operators/parse/weibo.h"

namespace sentistream::parse_detail {
namespace {

constexpr int64_t kBeijingOffsetS = 8 * 3600;  // m.weibo.cn shows China Standard Time

// Weibo mids carry their creation time: (mid >> 22) + 515483463 is Unix seconds. This is
// not documented by Weibo; it is checked in tests against the Open API sample (16
// statuses, created_at equal to within 1 s) and the m.weibo.cn sample (all 11 "MM-DD" dates
// agree). Returns false when the mid is not a plausible time-coded id.
bool time_from_mid(std::string_view mid, int64_t& seconds) {
  if (mid.empty() || mid.size() > 19) return false;
  uint64_t v = 0;
  for (char c : mid) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  const auto t = static_cast<int64_t>(v >> 22) + 515'483'463;
  constexpr int64_t kWeiboLaunch = 1'250'208'000;  // 2009-08-14, Sina Weibo's public beta
  constexpr int64_t kYear2100 = 4'102'444'800;
  if (t < kWeiboLaunch || t >= kYear2100) return false;
  seconds = t;
  return true;
}

// What a relative created_at still says about the moment, in Beijing local time.
struct ShownDate {
  enum Kind { none, unparsed, month_day, full_date, clock } kind = unparsed;
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0;
};

bool read_digits(std::string_view s, unsigned& v) {
  if (s.empty() || s.size() > 9) return false;
  v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

ShownDate parse_shown_date(std::string_view s) {
  ShownDate d;
  if (s == "刚刚") {
    d.kind = ShownDate::none;
    return d;
  }
  for (std::string_view unit : {"秒前", "分钟前", "小时前"}) {
    unsigned n;
    if (ends_with(s, unit) && read_digits(s.substr(0, s.size() - unit.size()), n)) {
      d.kind = ShownDate::none;  // "5分钟前": nothing checkable without the crawl time
      return d;
    }
  }
  for (std::string_view day : {"今天 ", "昨天 "}) {
    if (starts_with(s, day)) {
      const std::string_view hm = s.substr(day.size());
      if (hm.size() == 5 && hm[2] == ':' && read_digits(hm.substr(0, 2), d.hour) &&
          read_digits(hm.substr(3, 2), d.minute) && d.hour < 24 && d.minute < 60) {
        d.kind = ShownDate::clock;
      }
      return d;
    }
  }
  if (s.size() == 5 && s[2] == '-' && read_digits(s.substr(0, 2), d.month) &&
      read_digits(s.substr(3, 2), d.day)) {
    d.kind = ShownDate::month_day;
  } else if (s.size() == 10 && s[4] == '-' && s[7] == '-' && read_digits(s.substr(0, 4), d.year) &&
             read_digits(s.substr(5, 2), d.month) && read_digits(s.substr(8, 2), d.day)) {
    d.kind = ShownDate::full_date;
  }
  return d;
}

// Does the moment t (Unix seconds) agree with what the page showed?
bool agrees(const ShownDate& d, int64_t t) {
  const int64_t local = t + kBeijingOffsetS;
  int64_t days = local / 86400;
  int64_t secs = local % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const CivilDate c = civil_from_days(days);
  switch (d.kind) {
    case ShownDate::none:
      return true;
    case ShownDate::month_day:
      return c.month == d.month && c.day == d.day;
    case ShownDate::full_date:
      return c.year == d.year && c.month == d.month && c.day == d.day;
    case ShownDate::clock:
      return secs / 3600 == d.hour && secs / 60 % 60 == d.minute;
    case ShownDate::unparsed:
      return false;
  }
  return false;
}

// Absolute created_at when the API gave one; otherwise the time encoded in the mid, used
// only when the relative text is a form we know and agrees with it (within the 1 s the two
// differ by in the Open API sample). Anything else is bad_timestamp: a relative date alone
// cannot be placed without knowing when the page was crawled, and guessing would put posts
// into the wrong windows.
Outcome resolve_created_at(const WeiboFields& f, Context& ctx) {
  if (parse_twitter_time(f.created_at, ctx.post.created_at_ms)) return accepted();
  const ShownDate shown = parse_shown_date(f.created_at);
  if (shown.kind == ShownDate::unparsed) {
    return rejected(RejectReason::bad_timestamp,
                    timestamp_detail(ctx.arena, "created_at", f.created_at, "is not a date"));
  }
  if (!ctx.options.mweibo_time_from_mid) {
    return rejected(RejectReason::bad_timestamp,
                    timestamp_detail(ctx.arena, "created_at", f.created_at,
                                     "is relative and mweibo_time_from_mid is off"));
  }
  int64_t t = 0;
  const std::string_view mid = !f.mid.empty() ? f.mid : weibo_id(f, ctx.arena);
  if (!time_from_mid(mid, t)) {
    return rejected(RejectReason::bad_timestamp,
                    timestamp_detail(ctx.arena, "created_at", f.created_at,
                                     "is relative and the mid encodes no time"));
  }
  if (!agrees(shown, t) && !agrees(shown, t - 1) && !agrees(shown, t + 1)) {
    return rejected(RejectReason::bad_timestamp,
                    timestamp_detail(ctx.arena, "created_at", f.created_at,
                                     "disagrees with the time encoded in mid"));
  }
  ctx.post.created_at_ms = t * 1000;
  return accepted();
}

std::string_view mblog_text(const WeiboFields& f, ScratchArena& arena) {
  const std::string_view html =
      !f.long_text.empty() ? f.long_text : (!f.text.empty() ? f.text : f.raw_text);
  return strip_weibo_html(html, arena);
}

}  // namespace

Outcome read_mblog(dom::object mblog, Context& ctx) {
  WeiboFields f;
  collect_weibo_fields(mblog, ctx.arena, f);
  Post& post = ctx.post;
  post.platform = Platform::weibo;
  post.text = mblog_text(f, ctx.arena);
  if (post.text.empty()) return rejected(RejectReason::missing_text, "text: missing or empty");
  if (Outcome o = resolve_created_at(f, ctx); !o.ok) return o;
  post.id = weibo_id(f, ctx.arena);
  post.author_id = f.user_id;
  post.author_name = f.user_name;
  // Since 2022 m.weibo.cn shows the poster's IP region as "发布于 广东".
  std::string_view region = f.region_name;
  if (starts_with(region, "发布于")) {
    region.remove_prefix(std::string_view("发布于").size());
    while (!region.empty() && region.front() == ' ') region.remove_prefix(1);
  }
  if (region.empty()) region = !f.location.empty() ? f.location : f.province;
  post.region = region;
  post.engagement = {f.attitudes, f.reposts, f.comments};
  extract_weibo_topics(post.text, post.hashtags);
  if (f.has_retweeted) {
    post.is_repost = true;
    post.repost_text = strip_weibo_html(weibo_repost_text(f.retweeted), ctx.arena);
  }
  return accepted();
}

void read_mweibo_cards(dom::array cards, Context& ctx) {
  ctx.format = DocFormat::mweibo;
  // index counts every card in document order, nested card_group cards included, so a
  // reject points at the card it came from.
  std::size_t index = 0;
  auto visit = [&](dom::element card, auto& self) -> void {
    const std::size_t my_index = index++;
    dom::object o;
    if (card.get_object().get(o) != simdjson::SUCCESS) return;
    dom::object mblog;
    dom::array group;
    if (o["mblog"].get_object().get(mblog) == simdjson::SUCCESS) {
      ctx.post.clear();
      ctx.report(read_mblog(mblog, ctx), my_index);
    } else if (o["card_group"].get_array().get(group) == simdjson::SUCCESS) {
      for (dom::element c : group) self(c, self);
    }
    // Other cards (banners, user lists, ads) are not posts and not errors: skipped.
  };
  for (dom::element card : cards) visit(card, visit);
}

}  // namespace sentistream::parse_detail

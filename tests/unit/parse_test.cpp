// Unit tests for operators/parse: the real samples in ${SENTISTREAM_SHARED_DATA}/samples
// (skipped with a message when the shared folder is absent), hand-written documents for
// every reject reason, the timestamp parsers, the HTML clean-up and the canonical form.
#include <doctest/doctest.h>

#include <simdjson.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "operators/parse/arena.h"
#include "operators/parse/canonical.h"
#include "operators/parse/formats.h"
#include "operators/parse/html.h"
#include "operators/parse/parser.h"
#include "operators/parse/timestamp.h"

// ---- allocation counter: proves that a warm parser allocates nothing per document ------

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// Every replaceable form is replaced so that allocation and release always pair up (the
// sanitizers check that). Aligned forms are left to the library: they pair among themselves.
namespace {
void* counted_alloc(std::size_t n) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
}  // namespace

void* operator new(std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  return ::operator new(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return counted_alloc(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return counted_alloc(n);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // this is the matching delete
#endif
void operator delete(void* p) noexcept {
  std::free(p);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
void operator delete[](void* p) noexcept {
  ::operator delete(p);
}
void operator delete(void* p, std::size_t) noexcept {
  ::operator delete(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  ::operator delete(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  ::operator delete(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  ::operator delete(p);
}

namespace sentistream {
namespace {

using parse_detail::ScratchArena;

// ---- helpers ----------------------------------------------------------------------------

// A Post that owns its strings, so it outlives the callback.
struct OwnedPost {
  std::size_t index = 0;
  std::string id;
  Platform platform = Platform::other;
  int64_t created_at_ms = 0;
  std::string lang, text, repost_text, author_id, author_name, region;
  std::vector<std::string> hashtags;
  Engagement engagement;
  bool is_repost = false;

  static OwnedPost from(const Post& p, std::size_t index) {
    OwnedPost o;
    o.index = index;
    o.id = p.id;
    o.platform = p.platform;
    o.created_at_ms = p.created_at_ms;
    o.lang = p.lang;
    o.text = p.text;
    o.repost_text = p.repost_text;
    o.author_id = p.author_id;
    o.author_name = p.author_name;
    o.region = p.region;
    for (std::string_view h : p.hashtags) o.hashtags.emplace_back(h);
    o.engagement = p.engagement;
    o.is_repost = p.is_repost;
    return o;
  }
};

bool same_post(const OwnedPost& a, const OwnedPost& b) {
  return a.id == b.id && a.platform == b.platform && a.created_at_ms == b.created_at_ms &&
         a.lang == b.lang && a.text == b.text && a.repost_text == b.repost_text &&
         a.author_id == b.author_id && a.author_name == b.author_name && a.region == b.region &&
         a.hashtags == b.hashtags && a.engagement.likes == b.engagement.likes &&
         a.engagement.reposts == b.engagement.reposts &&
         a.engagement.replies == b.engagement.replies && a.is_repost == b.is_repost;
}

struct OwnedReject {
  RejectReason reason;
  std::size_t index;
  std::string detail;
};

struct Recorder : PostVisitor {
  std::vector<OwnedPost> posts;
  std::vector<OwnedReject> rejects;
  void on_post(const Post& p, std::size_t index) override {
    posts.push_back(OwnedPost::from(p, index));
  }
  void on_reject(RejectReason r, std::size_t index, std::string_view detail) override {
    rejects.push_back({r, index, std::string(detail)});
  }
};

// Parses json from a buffer with simdjson's padding (the in-place path).
Recorder parse_padded(DocumentParser& parser, std::string_view json) {
  std::string buf(json);
  buf.resize(json.size() + parse_padding());
  Recorder rec;
  const std::size_t n = parser.parse(std::string_view(buf.data(), json.size()), buf.size(), rec);
  CHECK(n == rec.posts.size());
  return rec;
}

Recorder parse_one(std::string_view json, ParseOptions opts = {}) {
  DocumentParser parser(opts);
  return parse_padded(parser, json);
}

// Exactly one whole-document or per-post reject, no post.
void check_single_reject(const Recorder& r, RejectReason reason, std::size_t index) {
  CHECK(r.posts.empty());
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].reason == reason);
  CHECK(r.rejects[0].index == index);
  CHECK_FALSE(r.rejects[0].detail.empty());
}

constexpr std::size_t kDoc = PostVisitor::kWholeDocument;

std::optional<std::string> read_sample(const std::string& relative) {
  const std::filesystem::path path =
      std::filesystem::path(SENTISTREAM_SHARED_DATA) / "samples" / relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool have_samples() {
  const bool ok =
      std::filesystem::is_directory(std::filesystem::path(SENTISTREAM_SHARED_DATA) / "samples");
  if (!ok) MESSAGE("shared samples folder not found (" SENTISTREAM_SHARED_DATA "): skipped");
  return ok;
}

const OwnedPost* find_post(const Recorder& r, std::string_view id) {
  for (const OwnedPost& p : r.posts) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// A minimal valid v1.1 status for hand-written cases.
std::string v1_status(std::string_view id, std::string_view text,
                      std::string_view created_at = "Wed Oct 10 20:19:24 +0000 2018") {
  return std::string(R"({"created_at":")") + std::string(created_at) + R"(","id_str":")" +
         std::string(id) + R"(","text":")" + std::string(text) +
         R"(","user":{"id_str":"42","screen_name":"alice"},"lang":"en"})";
}

// ---- real samples -----------------------------------------------------------------------

TEST_CASE("samples: twitter v1.1 search response, one document with 100 statuses") {
  if (!have_samples()) return;
  const auto doc = read_sample("twitter_v1/search_response_statuses.json");
  REQUIRE(doc);
  DocumentParser parser;
  const Recorder r = parse_padded(parser, *doc);
  CHECK(parser.last_format() == DocFormat::twitter_v1);
  CHECK(r.rejects.empty());
  REQUIRE(r.posts.size() == 100);
  for (std::size_t i = 0; i < r.posts.size(); ++i) CHECK(r.posts[i].index == i);

  const OwnedPost& first = r.posts[0];
  CHECK(first.id == "505874924095815681");
  CHECK(first.platform == Platform::twitter);
  CHECK(first.created_at_ms == 1409444955000);  // Sun Aug 31 00:29:15 +0000 2014
  CHECK(first.author_id == "1186275104");
  CHECK(first.author_name == "ayuu0123");
  CHECK(first.lang == "ja");
  CHECK(contains(first.text, "名前:前田あゆみ"));
  CHECK_FALSE(first.is_repost);

  const OwnedPost* tagged = find_post(r, "505874918198624256");
  REQUIRE(tagged);
  REQUIRE(tagged->hashtags.size() == 1);
  CHECK(tagged->hashtags[0] == "LEDカツカツ選手権");

  std::size_t reposts = 0;
  for (const OwnedPost& p : r.posts) {
    if (p.is_repost) {
      ++reposts;
      CHECK(p.text.rfind("RT @", 0) == 0);
      CHECK_FALSE(p.repost_text.empty());
    }
    CHECK_FALSE(p.text.empty());
    CHECK_FALSE(p.author_name.empty());
  }
  CHECK(reposts == 73);
}

TEST_CASE("samples: twitter v1.1 streaming, 25 NDJSON lines") {
  if (!have_samples()) return;
  const auto file = read_sample("twitter_v1/stream_original_format.ndjson");
  REQUIRE(file);
  DocumentParser parser;
  std::vector<OwnedPost> posts;
  std::size_t lines = 0;
  std::istringstream in(*file);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    ++lines;
    const Recorder r = parse_padded(parser, line);
    CHECK(parser.last_format() == DocFormat::twitter_v1);
    CHECK(r.rejects.empty());
    REQUIRE(r.posts.size() == 1);
    posts.push_back(r.posts[0]);
  }
  CHECK(lines == 25);
  REQUIRE(posts.size() == 25);

  CHECK(posts[0].id == "887453193294282752");
  CHECK(posts[0].created_at_ms == 1500420304000);  // Tue Jul 18 23:25:04 +0000 2017
  CHECK(posts[0].region == "US");                  // place.country_code

  CHECK(posts[3].hashtags == std::vector<std::string>{"Tweet", "hashtag"});
  CHECK(posts[3].region == "CL");

  // Quote tweet: own text, quoted text as repost_text, not a repost.
  CHECK(posts[2].hashtags == std::vector<std::string>{"QuoteTweet", "hashtags"});
  CHECK_FALSE(posts[2].is_repost);
  CHECK_FALSE(posts[2].repost_text.empty());

  // Truncated tweet: the extended full text wins over the 140-char text.
  CHECK(contains(posts[16].text,
                 "adipiscing elit, sed do eiusmod tempor... https://t.co/aYEbU5CVCD"));
  CHECK_FALSE(contains(posts[16].text, "…"));

  // &amp; decoded.
  CHECK(contains(posts[18].text, "140 chars & replies"));
  CHECK_FALSE(contains(posts[18].text, "&amp;"));

  // Retweet of a truncated tweet: author's "RT @x:" text kept, the retweeted status's
  // extended full text in repost_text.
  CHECK(posts[15].is_repost);
  CHECK(posts[15].text.rfind("RT @RobotPrincessFi: F) Tweet with 140 characters", 0) == 0);
  CHECK(posts[15].repost_text.rfind("F) Tweet with 140 characters + media.", 0) == 0);
  CHECK(posts[15].repost_text.size() > posts[15].text.size() - 24);
  CHECK(posts[15].engagement.reposts == 1);

  CHECK(posts[20].engagement.likes == 1);
  std::size_t reposts = 0, with_repost_text = 0;
  for (const OwnedPost& p : posts) {
    reposts += p.is_repost ? 1 : 0;
    with_repost_text += p.repost_text.empty() ? 0 : 1;
  }
  CHECK(reposts == 3);
  CHECK(with_repost_text == 3 + 8);  // 3 retweets + 8 quotes
}

TEST_CASE("samples: twitter v2 recent search resolves usernames") {
  if (!have_samples()) return;
  const auto doc = read_sample("twitter_v2/recent_search_with_users.json");
  REQUIRE(doc);
  DocumentParser parser;
  const Recorder r = parse_padded(parser, *doc);
  CHECK(parser.last_format() == DocFormat::twitter_v2);
  CHECK(r.rejects.empty());
  REQUIRE(r.posts.size() == 4);
  CHECK(r.posts[0].id == "1276035977375477760");
  CHECK(r.posts[0].author_id == "63046977");
  CHECK(r.posts[0].author_name == "happycamper");
  CHECK(r.posts[0].created_at_ms == 1593065659000);  // 2020-06-25T06:14:19.000Z
  CHECK(r.posts[0].lang == "en");
  CHECK(r.posts[1].author_name == "snowman");
  CHECK(r.posts[2].author_name == "jellybeanjones");
  CHECK(r.posts[2].lang == "und");
  CHECK(r.posts[3].index == 3);
  for (const OwnedPost& p : r.posts) CHECK_FALSE(p.is_repost);  // replies only
}

TEST_CASE("samples: twitter v2 single tweet") {
  if (!have_samples()) return;
  const auto doc = read_sample("twitter_v2/single_tweet_fields.json");
  REQUIRE(doc);
  const Recorder r = parse_one(*doc);
  CHECK(r.rejects.empty());
  REQUIRE(r.posts.size() == 1);
  CHECK(r.posts[0].id == "1275828087666679809");
  CHECK(r.posts[0].author_id == "2244994945");
  CHECK(r.posts[0].author_name.empty());  // no includes.users in this response
  CHECK(r.posts[0].created_at_ms == 1593016094000);
  CHECK(r.posts[0].index == 0);
}

TEST_CASE("samples: twitter v2 lookup with a deleted tweet") {
  if (!have_samples()) return;
  const auto doc = read_sample("twitter_v2/lookup_one_deleted.json");
  REQUIRE(doc);
  const Recorder r = parse_one(*doc);
  // The "errors" entry (the deleted tweet) is informational: no reject for it. The one
  // tweet in "data" was requested without tweet.fields=created_at, so it has no event
  // time and is rejected bad_timestamp: a post that cannot be placed in a window is not
  // emitted with an invented time.
  CHECK(r.posts.empty());
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].reason == RejectReason::bad_timestamp);
  CHECK(r.rejects[0].index == 0);
  CHECK(r.rejects[0].detail == "created_at: missing (request it with tweet.fields=created_at)");
}

TEST_CASE("samples: weibo open api v2 home timeline") {
  if (!have_samples()) return;
  const auto doc = read_sample("weibo/openapi_v2_home_timeline.json");
  REQUIRE(doc);
  DocumentParser parser;
  const Recorder r = parse_padded(parser, *doc);
  CHECK(parser.last_format() == DocFormat::weibo_v2);
  CHECK(r.rejects.empty());
  REQUIRE(r.posts.size() == 9);
  const OwnedPost& p = r.posts[0];
  CHECK(p.id == "4231273734509975");
  CHECK(p.platform == Platform::weibo);
  CHECK(p.created_at_ms == 1524297734000);  // Sat Apr 21 16:02:14 +0800 2018
  CHECK(p.author_id == "2493828355");
  CHECK(p.author_name == "new新健");
  CHECK(p.region == "广东 广州");  // location preferred over province "44"
  CHECK(p.text == "原来转发微博可以添加图片的[微笑] http://t.cn/Ruhl6fM");
  CHECK(p.is_repost);
  CHECK(p.repost_text.rfind("用于开发测试评论功能的微博", 0) == 0);
  CHECK(p.lang.empty());

  std::size_t reposts = 0;
  bool chain_kept = false;
  for (const OwnedPost& q : r.posts) {
    reposts += q.is_repost ? 1 : 0;
    if (q.text.rfind("//@央视新闻:", 0) == 0) chain_kept = true;
  }
  CHECK(reposts == 7);  // 7 of the 9 statuses carry a retweeted_status
  CHECK(chain_kept);    // repost chains are the scorer's business
}

TEST_CASE("samples: m.weibo.cn cards with HTML, emoticons and relative dates") {
  if (!have_samples()) return;
  const auto doc = read_sample("weibo/mweibo_index_cards.json");
  REQUIRE(doc);
  DocumentParser parser;
  const Recorder r = parse_padded(parser, *doc);
  CHECK(parser.last_format() == DocFormat::mweibo);
  CHECK(r.rejects.empty());
  REQUIRE(r.posts.size() == 10);
  for (const OwnedPost& p : r.posts) {
    CHECK_FALSE(contains(p.text, "<"));
    CHECK_FALSE(contains(p.text, "href"));
    CHECK_FALSE(contains(p.repost_text, "<"));
    CHECK(p.author_id == "1669879400");  // user.id is a number in m.weibo.cn
    CHECK(p.author_name == "Dear-迪丽热巴");
  }
  const OwnedPost& first = r.posts[0];
  CHECK(first.id == "4383183661430868");
  CHECK(first.text == "搬完这块砖，就可以吃好吃的了[偷笑][偷笑][偷笑]");  // emoticon alt text kept
  // created_at is "06-14"; the time comes from the mid and agrees with that date.
  CHECK(first.created_at_ms == 1560515883000);  // 2019-06-14T20:38:03+08:00
  CHECK(first.engagement.likes == 348872);
  CHECK(first.engagement.reposts == 240492);
  CHECK(first.engagement.replies == 95535);

  CHECK(r.posts[1].is_repost);
  CHECK(r.posts[1].text == "大家一起电影院约起来啊～～～");
  CHECK(r.posts[1].repost_text ==
        "写在《秦明·生死语者》上映这一天……\n#614致敬法医##首部法医秦明大电影#");

  CHECK(r.posts[2].hashtags == std::vector<std::string>{"不潮不出街"});
  CHECK(r.posts[2].text == "#不潮不出街#悠闲下午时光～ Dear-迪丽热巴的秒拍视频");
  CHECK(r.posts[3].hashtags == std::vector<std::string>{"我的身边有非遗", "极限挑战"});
  CHECK(r.posts[4].engagement.reposts == 1000000);  // "100万+"
  CHECK(contains(r.posts[6].text, "@联合国环境规划署"));
  CHECK(r.posts[6].hashtags == std::vector<std::string>{"蓝天保卫战我是行动者", "和地球自拍"});
}

TEST_CASE("samples: weibo mid time agrees with the open api created_at") {
  // The m.weibo.cn dates rely on (mid >> 22) + 515483463 being the creation time; the
  // Open API sample has both, for 9 statuses and 7 retweeted statuses.
  if (!have_samples()) return;
  const auto doc = read_sample("weibo/openapi_v2_home_timeline.json");
  REQUIRE(doc);
  simdjson::dom::parser json;
  simdjson::dom::element root;
  REQUIRE(json.parse(*doc).get(root) == simdjson::SUCCESS);
  int checked = 0;
  auto check = [&](simdjson::dom::object s) {
    std::string_view mid, created_at;
    REQUIRE(s["mid"].get(mid) == simdjson::SUCCESS);
    REQUIRE(s["created_at"].get(created_at) == simdjson::SUCCESS);
    int64_t ms = 0;
    REQUIRE(parse_detail::parse_twitter_time(created_at, ms));
    const int64_t from_mid = static_cast<int64_t>(std::stoull(std::string(mid)) >> 22) + 515483463;
    CHECK(std::llabs(from_mid * 1000 - ms) <= 1000);
    ++checked;
  };
  simdjson::dom::array statuses;
  REQUIRE(root["statuses"].get(statuses) == simdjson::SUCCESS);
  for (simdjson::dom::element e : statuses) {
    const simdjson::dom::object s = e.get_object().value_unsafe();
    check(s);
    simdjson::dom::object rt;
    if (s["retweeted_status"].get(rt) == simdjson::SUCCESS) check(rt);
  }
  CHECK(checked == 16);
}

TEST_CASE("samples: every post survives a canonical round trip") {
  if (!have_samples()) return;
  const char* files[] = {"twitter_v1/search_response_statuses.json",
                         "twitter_v2/recent_search_with_users.json",
                         "weibo/openapi_v2_home_timeline.json", "weibo/mweibo_index_cards.json"};
  DocumentParser parser;
  DocumentParser reparser;
  std::size_t total = 0;
  for (const char* f : files) {
    const auto doc = read_sample(f);
    REQUIRE(doc);
    const Recorder r = parse_padded(parser, *doc);
    for (const OwnedPost& p : r.posts) {
      Post view;
      view.id = p.id;
      view.platform = p.platform;
      view.created_at_ms = p.created_at_ms;
      view.lang = p.lang;
      view.text = p.text;
      view.repost_text = p.repost_text;
      view.author_id = p.author_id;
      view.author_name = p.author_name;
      view.region = p.region;
      for (const std::string& h : p.hashtags) view.hashtags.push_back(h);
      view.engagement = p.engagement;
      view.is_repost = p.is_repost;
      std::string line;
      write_canonical_json(view, line);
      CHECK(line.find('\n') == std::string::npos);
      const Recorder back = parse_padded(reparser, line);
      CHECK(reparser.last_format() == DocFormat::canonical);
      REQUIRE(back.posts.size() == 1);
      CHECK(same_post(back.posts[0], p));
      ++total;
    }
  }
  CHECK(total == 100 + 4 + 9 + 10);
}

TEST_CASE("warm parser allocates nothing per document") {
  if (!have_samples()) return;
  struct Counting : PostVisitor {
    std::size_t posts = 0, rejects = 0, bytes = 0;
    void on_post(const Post& p, std::size_t) override {
      ++posts;
      bytes += p.text.size();
    }
    void on_reject(RejectReason, std::size_t, std::string_view) override { ++rejects; }
  };
  const char* files[] = {"twitter_v1/search_response_statuses.json",
                         "twitter_v2/recent_search_with_users.json",
                         "weibo/openapi_v2_home_timeline.json", "weibo/mweibo_index_cards.json"};
  std::vector<std::string> docs;
  for (const char* f : files) {
    auto d = read_sample(f);
    REQUIRE(d);
    docs.push_back(std::move(*d));  // capacity < size + padding: the padded-copy path
  }
  DocumentParser parser;
  Counting visitor;
  for (const std::string& d : docs) parser.parse(d, d.size(), visitor);  // warm up
  const long before = g_allocations.load();
  for (int round = 0; round < 3; ++round) {
    for (const std::string& d : docs) parser.parse(d, d.size(), visitor);
  }
  const long after = g_allocations.load();
  CHECK(after - before == 0);
  CHECK(visitor.rejects == 0);
  CHECK(visitor.posts == 4 * (100 + 4 + 9 + 10));
}

// ---- hand-written documents: formats ------------------------------------------------------

TEST_CASE("twitter v1: statuses wrapper with one bad status still emits the others") {
  const std::string doc = R"({"statuses":[)" + v1_status("1", "good one") + "," +
                          v1_status("2", "bad time", "Wed Oct 10 25:19:24 +0000 2018") + "," +
                          R"({"id_str":"3","user":{"id_str":"9"},"text":"","created_at":"x"})" +
                          "," + v1_status("4", "good too") + R"(],"search_metadata":{}})";
  const Recorder r = parse_one(doc);
  REQUIRE(r.posts.size() == 2);
  CHECK(r.posts[0].id == "1");
  CHECK(r.posts[0].index == 0);
  CHECK(r.posts[1].id == "4");
  CHECK(r.posts[1].index == 3);
  REQUIRE(r.rejects.size() == 2);
  CHECK(r.rejects[0].reason == RejectReason::bad_timestamp);
  CHECK(r.rejects[0].index == 1);
  CHECK(contains(r.rejects[0].detail, "25:19:24"));
  CHECK(r.rejects[1].reason == RejectReason::missing_text);
  CHECK(r.rejects[1].index == 2);
}

TEST_CASE("twitter v1: top-level array, entities, extended text, counts") {
  const std::string doc =
      R"([{"created_at":"Wed Oct 10 20:19:24 +0000 2018","id":1050118621198921728,)"
      R"("text":"short &lt;3 #a…","truncated":true,"user":{"id":7,"screen_name":"bob"},)"
      R"("extended_tweet":{"full_text":"short &lt;3 #a and much longer #b &amp; more",)"
      R"("entities":{"hashtags":[{"text":"a"},{"text":"b"},{"text":"a"}]}},)"
      R"("entities":{"hashtags":[{"text":"a"}]},"favorite_count":5,"retweet_count":2,)"
      R"("quote_count":1,"reply_count":3,"place":null,"lang":"en"},7])";
  const Recorder r = parse_one(doc);
  REQUIRE(r.posts.size() == 1);
  const OwnedPost& p = r.posts[0];
  CHECK(p.id == "1050118621198921728");  // numeric id printed exactly
  CHECK(p.author_id == "7");
  CHECK(p.author_name == "bob");
  CHECK(p.text == "short <3 #a and much longer #b & more");
  CHECK(p.hashtags == std::vector<std::string>{"a", "b"});  // extended entities, deduplicated
  CHECK(p.created_at_ms == 1539202764000);
  CHECK(p.engagement.likes == 5);
  CHECK(p.engagement.reposts == 3);  // retweets + quotes
  CHECK(p.engagement.replies == 3);
  CHECK(p.region.empty());
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].reason == RejectReason::not_a_post);
  CHECK(r.rejects[0].index == 1);
}

TEST_CASE("twitter v1: retweet keeps the author's text, full retweeted text as repost_text") {
  const std::string doc =
      R"({"created_at":"Wed Oct 10 20:19:24 +0000 2018","id_str":"2","text":"RT @x: hello w…",)"
      R"("user":{"id_str":"1","screen_name":"me"},"retweeted_status":{)"
      R"("created_at":"Wed Oct 10 20:00:00 +0000 2018","id_str":"1","text":"hello w…",)"
      R"("truncated":true,"extended_tweet":{"full_text":"hello world, the whole &amp; text"}}})";
  const Recorder r = parse_one(doc);
  REQUIRE(r.posts.size() == 1);
  CHECK(r.posts[0].is_repost);
  CHECK(r.posts[0].text == "RT @x: hello w…");
  CHECK(r.posts[0].repost_text == "hello world, the whole & text");
}

TEST_CASE("twitter v2: data plus errors emits the posts and rejects nothing") {
  const std::string doc =
      R"({"data":[{"id":"1","text":"RT @b: hi &amp; bye","author_id":"10",)"
      R"("created_at":"2019-06-04T23:12:08.000Z","lang":"en","geo":{"place_id":"p1"},)"
      R"("entities":{"hashtags":[{"start":0,"end":3,"tag":"DeepSeek"}]},)"
      R"("public_metrics":{"like_count":4,"retweet_count":1,"reply_count":2,"quote_count":3},)"
      R"("referenced_tweets":[{"type":"retweeted","id":"9"}]},)"
      R"("not a tweet",)"
      R"({"id":"2","text":"long","note_tweet":{"text":"long, the whole note"},"author_id":"11",)"
      R"("created_at":"2019-06-05T01:12:08+02:00"}],)"
      R"("includes":{"users":[{"id":"11","username":"carol"},{"id":"10","username":"dave"}],)"
      R"("tweets":[{"id":"9","text":"hi &amp; bye, the original"}],)"
      R"("places":[{"id":"p1","country_code":"CN","full_name":"x"}]},)"
      R"("errors":[{"detail":"Could not find tweet with ids: [3].","title":"Not Found Error"}]})";
  const Recorder r = parse_one(doc);
  REQUIRE(r.posts.size() == 2);
  const OwnedPost& a = r.posts[0];
  CHECK(a.text == "RT @b: hi & bye");
  CHECK(a.author_name == "dave");
  CHECK(a.region == "CN");
  CHECK(a.hashtags == std::vector<std::string>{"DeepSeek"});
  CHECK(a.is_repost);
  CHECK(a.repost_text == "hi & bye, the original");
  CHECK(a.engagement.likes == 4);
  CHECK(a.engagement.reposts == 4);
  CHECK(a.engagement.replies == 2);
  CHECK(a.created_at_ms == 1559689928000);
  const OwnedPost& b = r.posts[1];
  CHECK(b.index == 2);
  CHECK(b.text == "long, the whole note");
  CHECK(b.author_name == "carol");
  CHECK(b.created_at_ms == 1559689928000);  // +02:00 honoured
  REQUIRE(r.rejects.size() == 1);           // the string entry, not the errors entry
  CHECK(r.rejects[0].reason == RejectReason::not_a_post);
  CHECK(r.rejects[0].index == 1);
}

TEST_CASE("twitter v2: a response with only errors (deleted tweet) is not_a_post") {
  DocumentParser parser;
  const Recorder r = parse_padded(
      parser,
      R"({"errors":[{"value":"1276230436478386177","detail":"Could not find tweet with ids: [1276230436478386177].","title":"Not Found Error","resource_type":"tweet","parameter":"ids","type":"https://api.twitter.com/2/problems/resource-not-found"}]})");
  check_single_reject(r, RejectReason::not_a_post, kDoc);
  CHECK(contains(r.rejects[0].detail, "Could not find tweet"));
  CHECK(parser.last_format() == DocFormat::twitter_v2);
}

TEST_CASE("m.weibo.cn: an {\"ok\":1} envelope without msg or cards is not_a_post (fuzz find)") {
  // Found by tests/fuzz/fuzz_parse: the message was read from an unset DOM element.
  DocumentParser parser;
  const Recorder r = parse_padded(parser, R"({"ok":1})");
  check_single_reject(r, RejectReason::not_a_post, kDoc);
  CHECK(contains(r.rejects[0].detail, "m.weibo.cn response without posts"));
  const Recorder with_msg = parse_padded(parser, R"({"ok":0,"msg":"rate limited"})");
  check_single_reject(with_msg, RejectReason::not_a_post, kDoc);
  CHECK(contains(with_msg.rejects[0].detail, "rate limited"));
}

TEST_CASE("weibo v2: status fields, topics, numeric province, offset time") {
  const std::string doc =
      R"({"created_at":"Tue Jun 11 22:30:33 +0800 2019","id":4382054705416396,)"
      R"("idstr":"4382054705416396","mid":"4382054705416396",)"
      R"("text":"#国货之光# 厉害了 #DeepSeek#//@someone:转发 #a","reposts_count":"1,234",)"
      R"("comments_count":2,"attitudes_count":3,)"
      R"("user":{"id":5,"screen_name":"u","province":44,"location":""}})";
  DocumentParser parser;
  const Recorder r = parse_padded(parser, doc);
  CHECK(parser.last_format() == DocFormat::weibo_v2);
  REQUIRE(r.posts.size() == 1);
  const OwnedPost& p = r.posts[0];
  CHECK(p.created_at_ms == 1560263433000);  // 22:30:33 +0800 = 14:30:33Z
  CHECK(p.author_id == "5");
  CHECK(p.region == "44");  // no location string: the province code
  CHECK(p.hashtags == std::vector<std::string>{"国货之光", "DeepSeek"});
  CHECK(p.text == "#国货之光# 厉害了 #DeepSeek#//@someone:转发 #a");
  CHECK(p.engagement.reposts == 1234);
  CHECK(p.engagement.replies == 2);
  CHECK(p.engagement.likes == 3);
  CHECK_FALSE(p.is_repost);
}

TEST_CASE("m.weibo.cn: bare mblog, longText, absolute date, region_name") {
  const std::string doc =
      R"({"created_at":"Tue Jun 11 22:30:33 +0800 2019","id":"1","mid":"1","bid":"Hy",)"
      R"("text":"short<a href=\"/status/1\">全文</a>","isLongText":true,)"
      R"("longText":{"longTextContent":"the whole text<br />line two &amp; <img alt=\"[哈哈]\" src=\"x.png\"> <a href='https://t.cn/x'><span class='url-icon'><img src='i.png'></span><span class=\"surl-text\">网页链接</span></a>"},)"
      R"("region_name":"发布于 广东","user":{"id":2,"screen_name":"v"}})";
  DocumentParser parser;
  const Recorder r = parse_padded(parser, doc);
  CHECK(parser.last_format() == DocFormat::mweibo);
  REQUIRE(r.posts.size() == 1);
  const OwnedPost& p = r.posts[0];
  CHECK(p.text == "the whole text\nline two & [哈哈]");
  CHECK(p.created_at_ms == 1560263433000);  // absolute date wins, mid "1" not needed
  CHECK(p.region == "广东");
  CHECK(p.author_id == "2");
}

TEST_CASE("m.weibo.cn: relative dates") {
  // mid 4383183661430868 encodes 2019-06-14T20:38:03+08:00.
  auto mblog = [](std::string_view created_at, std::string_view mid = "4383183661430868") {
    return std::string(
               R"({"ok":1,"data":{"cards":[{"card_type":11},{"card_type":9,"mblog":{"created_at":")") +
           std::string(created_at) + R"(","mid":")" + std::string(mid) +
           R"(","bid":"x","text":"hi","user":{"id":1}}}]}})";
  };
  const int64_t t = 1560515883000;
  for (const char* ok :
       {"06-14", "2019-06-14", "刚刚", "5分钟前", "3小时前", "今天 20:38", "昨天 20:38"}) {
    CAPTURE(ok);
    const Recorder r = parse_one(mblog(ok));
    REQUIRE(r.posts.size() == 1);
    CHECK(r.posts[0].created_at_ms == t);
    CHECK(r.posts[0].index == 1);  // the first card (no mblog) is skipped but counted
    CHECK(r.rejects.empty());
  }
  for (const char* bad : {"06-15", "2018-06-14", "今天 20:39", "上周", "", "13-45"}) {
    CAPTURE(bad);
    check_single_reject(parse_one(mblog(bad)), RejectReason::bad_timestamp, 1);
  }
  // A mid that does not encode a time.
  check_single_reject(parse_one(mblog("5分钟前", "12345")), RejectReason::bad_timestamp, 1);
  // The option turns the mid rule off.
  ParseOptions strict;
  strict.mweibo_time_from_mid = false;
  const Recorder r = parse_one(mblog("06-14"), strict);
  check_single_reject(r, RejectReason::bad_timestamp, 1);
  CHECK(contains(r.rejects[0].detail, "mweibo_time_from_mid"));
}

TEST_CASE("m.weibo.cn: cards without mblog are skipped; no post at all is not_a_post") {
  check_single_reject(
      parse_one(R"({"ok":1,"data":{"cards":[{"card_type":11,"card_group":[]},{"card_type":58}]}})"),
      RejectReason::not_a_post, kDoc);
  check_single_reject(parse_one(R"({"ok":0,"msg":"这里还没有内容","data":{"cards":[]}})"),
                      RejectReason::not_a_post, kDoc);
  check_single_reject(parse_one(R"({"ok":0,"msg":"请求过于频繁"})"), RejectReason::not_a_post,
                      kDoc);
  // card_group nesting (search results): inner cards are posts, indexed in document order.
  const Recorder r = parse_one(
      R"({"ok":1,"data":{"cards":[{"card_type":11,"card_group":[{"card_type":4},)"
      R"({"card_type":9,"mblog":{"created_at":"Tue Jun 11 22:30:33 +0800 2019","mid":"7","bid":"b","text":"x","user":{"id":1}}}]}]}})");
  REQUIRE(r.posts.size() == 1);
  CHECK(r.posts[0].index == 2);
}

TEST_CASE("canonical: read, defaults, integer times, write escaping") {
  DocumentParser parser;
  Recorder r = parse_padded(
      parser,
      R"({"id":"c1","platform":"weibo","created_at":1738144800000,"lang":"zh","text":"国货之光",)"
      R"("author_id":"a","author_name":"n","region":"北京","hashtags":["DeepSeek","厉害了我的国"],)"
      R"("likes":1,"reposts":2,"replies":3,"is_repost":true,"repost_text":"原文"})");
  CHECK(parser.last_format() == DocFormat::canonical);
  REQUIRE(r.posts.size() == 1);
  CHECK(r.posts[0].created_at_ms == 1738144800000);  // 2025-01-29T10:00:00Z
  CHECK(r.posts[0].platform == Platform::weibo);
  CHECK(r.posts[0].hashtags == std::vector<std::string>{"DeepSeek", "厉害了我的国"});
  CHECK(r.posts[0].is_repost);
  CHECK(r.posts[0].engagement.replies == 3);

  r = parse_padded(parser, R"({"platform":"mastodon","created_at":1738144800,"text":"x"})");
  REQUIRE(r.posts.size() == 1);
  CHECK(r.posts[0].platform == Platform::other);
  CHECK(r.posts[0].created_at_ms == 1738144800000);  // seconds accepted

  r = parse_padded(parser,
                   R"({"platform":"twitter","created_at":"2025-01-29T10:00:00Z","text":""})");
  check_single_reject(r, RejectReason::missing_text, 0);
  r = parse_padded(parser, R"({"platform":"twitter","created_at":"2025-01-29","text":"x"})");
  check_single_reject(r, RejectReason::bad_timestamp, 0);
  r = parse_padded(parser, R"({"platform":"twitter","created_at":true,"text":"x"})");
  check_single_reject(r, RejectReason::bad_timestamp, 0);

  // Writer: escaping, fraction of a second, invalid UTF-8 replaced.
  Post p;
  p.id = "q\"1";
  p.platform = Platform::twitter;
  p.created_at_ms = 1738144800123;
  p.text = "line\nbreak \"quoted\" back\\slash \t tab \x01 ctl 😀";
  p.hashtags = {"a", "b\"c"};
  std::string out;
  write_canonical_json(p, out);
  CHECK(
      out ==
      R"({"id":"q\"1","platform":"twitter","created_at":"2025-01-29T10:00:00.123Z",)"
      R"("text":"line\nbreak \"quoted\" back\\slash \t tab \u0001 ctl 😀","hashtags":["a","b\"c"],)"
      R"("likes":0,"reposts":0,"replies":0,"is_repost":false})");
  r = parse_padded(parser, out);
  REQUIRE(r.posts.size() == 1);
  CHECK(same_post(r.posts[0], OwnedPost::from(p, 0)));

  Post bad;
  bad.text = "ok \xff\xfe end \xe4\xb8";
  bad.created_at_ms = 0;
  out.clear();
  write_canonical_json(bad, out);
  CHECK(simdjson::validate_utf8(out.data(), out.size()));
  CHECK(contains(out, "ok \xEF\xBF\xBD\xEF\xBF\xBD end \xEF\xBF\xBD\xEF\xBF\xBD"));
  CHECK(contains(out, R"("created_at":"1970-01-01T00:00:00Z")"));
}

// ---- hand-written documents: reject reasons ---------------------------------------------

TEST_CASE("reject: invalid_json") {
  for (const char* doc : {"", "{", R"({"text":"x",})", "[1,2", "nul", R"({"a":1} {"b":2})",
                          "{\"a\":\"unterminated}"}) {
    CAPTURE(doc);
    DocumentParser parser;
    const Recorder r = parse_padded(parser, doc);
    check_single_reject(r, RejectReason::invalid_json, kDoc);
    CHECK(parser.last_format() == DocFormat::unknown);
  }
}

TEST_CASE("reject: invalid_utf8") {
  check_single_reject(parse_one(v1_status("1", "bad \xff byte")), RejectReason::invalid_utf8, kDoc);
  check_single_reject(parse_one("{\"t\xc3\":1}"), RejectReason::invalid_utf8, kDoc);
}

TEST_CASE("reject: too_large is checked before parsing") {
  ParseOptions opts;
  opts.max_document_bytes = 64;
  const std::string doc = v1_status("1", std::string(100, 'a'));
  const Recorder r = parse_one(doc, opts);
  check_single_reject(r, RejectReason::too_large, kDoc);
  CHECK(contains(r.rejects[0].detail, "64"));
  // At the limit exactly: accepted (even invalid JSON would be reported as such).
  opts.max_document_bytes = doc.size();
  CHECK(parse_one(doc, opts).posts.size() == 1);
}

TEST_CASE("reject: not_a_post") {
  for (const char* doc :
       {R"({"foo":1})", "42", R"("a string")", "null", "[]", R"({"statuses":[]})",
        R"({"delete":{"status":{"id":1,"id_str":"1","user_id":3}}})",
        R"({"limit":{"track":5,"timestamp_ms":"1"}})", R"({"text":"no id, user or date"})",
        R"({"data":null,"meta":{"result_count":0}})", R"({"meta":{"result_count":0}})"}) {
    CAPTURE(doc);
    check_single_reject(parse_one(doc), RejectReason::not_a_post, kDoc);
  }
  const Recorder r = parse_one(R"({"delete":{"status":{"id":1}}})");
  CHECK(contains(r.rejects[0].detail, "delete"));
  const Recorder weibo_error = parse_one(
      R"({"error":"expired_token","error_code":21327,"request":"/2/statuses/home_timeline.json"})");
  check_single_reject(weibo_error, RejectReason::not_a_post, kDoc);
  CHECK(contains(weibo_error.rejects[0].detail, "expired_token"));
  const Recorder twitter_error =
      parse_one(R"({"errors":[{"code":88,"message":"Rate limit exceeded"}]})");
  check_single_reject(twitter_error, RejectReason::not_a_post, kDoc);
  CHECK(contains(twitter_error.rejects[0].detail, "Rate limit exceeded"));
}

TEST_CASE("reject: missing_text, per format") {
  check_single_reject(
      parse_one(R"({"id_str":"1","created_at":"Wed Oct 10 20:19:24 +0000 2018","user":{}})"),
      RejectReason::missing_text, 0);
  check_single_reject(parse_one(v1_status("1", "")), RejectReason::missing_text, 0);
  check_single_reject(parse_one(R"({"data":{"id":"1","created_at":"2019-06-04T23:12:08Z"}})"),
                      RejectReason::missing_text, 0);
  check_single_reject(
      parse_one(
          R"({"idstr":"1","mid":"1","created_at":"Tue Jun 11 22:30:33 +0800 2019","text":null})"),
      RejectReason::missing_text, 0);
  // HTML that strips to nothing is missing text too.
  check_single_reject(
      parse_one(
          R"({"mid":"1","bid":"b","created_at":"Tue Jun 11 22:30:33 +0800 2019","text":"<span class='url-icon'><img src='x'></span> "})"),
      RejectReason::missing_text, 0);
}

TEST_CASE("reject: bad_timestamp, per format") {
  check_single_reject(parse_one(v1_status("1", "x", "Wed Feb 29 20:19:24 +0000 2019")),
                      RejectReason::bad_timestamp, 0);
  check_single_reject(parse_one(R"({"id_str":"1","text":"x","user":{}})"),
                      RejectReason::bad_timestamp, 0);
  check_single_reject(
      parse_one(R"({"data":{"id":"1","text":"x","created_at":"2019-13-04T23:12:08Z"}})"),
      RejectReason::bad_timestamp, 0);
  check_single_reject(
      parse_one(R"({"idstr":"1","mid":"1","text":"x","created_at":"2019-06-11 22:30"})"),
      RejectReason::bad_timestamp, 0);
}

TEST_CASE("padded-copy path: capacity == size, and buffers reused across sizes") {
  DocumentParser parser;
  for (std::size_t len : {10u, 3000u, 50u, 70000u, 5u}) {
    const std::string doc = v1_status("7", std::string(len, 'z'));
    // An exact-size heap block: reading past it would be caught by AddressSanitizer.
    std::unique_ptr<char[]> exact(new char[doc.size()]);
    std::memcpy(exact.get(), doc.data(), doc.size());
    Recorder r;
    CHECK(parser.parse(std::string_view(exact.get(), doc.size()), doc.size(), r) == 1);
    REQUIRE(r.posts.size() == 1);
    CHECK(r.posts[0].text.size() == len);
    // One byte short of the padding: also copied.
    Recorder r2;
    CHECK(parser.parse(doc, doc.size() + parse_padding() - 1, r2) == 1);
  }
}

TEST_CASE("post views stay valid during the callback while the arena grows") {
  // Many statuses whose texts need decoding: each decoded text lives in the arena, which
  // must add chunks without moving earlier texts.
  std::string doc = "[";
  for (int i = 0; i < 400; ++i) {
    if (i != 0) doc += ',';
    doc += v1_status(std::to_string(i), std::string(500, 'a') + " &amp; " + std::to_string(i));
  }
  doc += ']';
  struct Keep : PostVisitor {
    std::vector<std::string_view> texts;
    void on_post(const Post& p, std::size_t) override { texts.push_back(p.text); }
    void on_reject(RejectReason, std::size_t, std::string_view) override {}
  } keep;
  DocumentParser parser;
  std::string padded = doc;
  padded.resize(doc.size() + parse_padding());
  REQUIRE(parser.parse(std::string_view(padded.data(), doc.size()), padded.size(), keep) == 400);
  for (int i = 0; i < 400; ++i) {
    CHECK(keep.texts[i] == std::string(500, 'a') + " & " + std::to_string(i));
  }
}

// ---- timestamps -------------------------------------------------------------------------

TEST_CASE("timestamp: civil date arithmetic") {
  using namespace parse_detail;
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(2000, 3, 1) == 11017);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  for (int64_t d = -800000; d < 800000; d += 997) {
    const CivilDate c = civil_from_days(d);
    CHECK(days_from_civil(c.year, c.month, c.day) == d);
  }
  CHECK(is_leap_year(2000));
  CHECK_FALSE(is_leap_year(1900));
  CHECK(is_leap_year(2024));
  CHECK(days_in_month(2023, 2) == 28);
  CHECK(days_in_month(2024, 2) == 29);
}

TEST_CASE("timestamp: twitter/weibo form") {
  using parse_detail::parse_twitter_time;
  int64_t ms = -1;
  CHECK(parse_twitter_time("Wed Oct 10 20:19:24 +0000 2018", ms));
  CHECK(ms == 1539202764000);
  CHECK(parse_twitter_time("Tue Jun 11 22:30:33 +0800 2019", ms));
  CHECK(ms == 1560263433000);
  CHECK(parse_twitter_time("Tue Jun 11 09:00:33 -0530 2019", ms));
  CHECK(ms == 1560263433000);
  CHECK(parse_twitter_time("Sat Feb 29 12:00:00 +0000 2020", ms));  // leap day
  CHECK(ms == 1582977600000);
  CHECK(parse_twitter_time("Thu Jan 01 08:00:00 +0800 1970", ms));
  CHECK(ms == 0);
  CHECK(parse_twitter_time("Mon Jan 01 00:30:00 +0100 2018", ms));  // offset crosses a year
  CHECK(ms == 1514763000000);                                       // 2017-12-31T23:30:00Z
  ms = 7;
  for (const char* bad : {"Fri Feb 29 12:00:00 +0000 2019", "Mon Feb 29 12:00:00 +0000 1900",
                          "Wed Oct 10 24:00:00 +0000 2018", "Wed Oct 10 20:60:24 +0000 2018",
                          "Wed Oct 32 20:19:24 +0000 2018", "Wed Oct 00 20:19:24 +0000 2018",
                          "Wed Foo 10 20:19:24 +0000 2018", "Xyz Oct 10 20:19:24 +0000 2018",
                          "Wed Oct 10 20:19:24 +2400 2018", "Wed Oct 10 20:19:24 *0000 2018",
                          "Wed Oct 10 20:19:24 +0000 18", "Wed Oct 10 20:19:24 +0000 2018 ",
                          "wed oct 10 20:19:24 +0000 2018", "Wed Oct  1 20:19:24 +0000 2018", ""}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_twitter_time(bad, ms));
  }
  CHECK(ms == 7);  // untouched on failure
}

TEST_CASE("timestamp: RFC 3339") {
  using parse_detail::parse_rfc3339;
  int64_t ms = 0;
  CHECK(parse_rfc3339("2019-06-04T23:12:08.000Z", ms));
  CHECK(ms == 1559689928000);
  CHECK(parse_rfc3339("2019-06-04T23:12:08Z", ms));
  CHECK(ms == 1559689928000);
  CHECK(parse_rfc3339("2019-06-04t23:12:08.5z", ms));
  CHECK(ms == 1559689928500);
  CHECK(parse_rfc3339("2019-06-04 23:12:08.123456789Z", ms));  // truncated to ms
  CHECK(ms == 1559689928123);
  CHECK(parse_rfc3339("2019-06-05T07:12:08+08:00", ms));
  CHECK(ms == 1559689928000);
  CHECK(parse_rfc3339("2019-06-04T18:42:08.000-04:30", ms));
  CHECK(ms == 1559689928000);
  CHECK(parse_rfc3339("2016-12-31T23:59:60Z", ms));  // leap second = next second
  CHECK(ms == 1483228800000);
  CHECK(parse_rfc3339("2000-02-29T00:00:00Z", ms));
  CHECK(parse_rfc3339("1969-12-31T23:59:59.999Z", ms));
  CHECK(ms == -1);
  for (const char* bad :
       {"2019-06-04T23:12:08", "2019-06-04", "2019-06-04T23:12:08.Z", "2019-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z", "2019-00-10T00:00:00Z", "2019-06-31T00:00:00Z",
        "2019-06-04T23:12:08+0800", "2019-06-04T23:12:08+24:00", "2019-06-04T23:12:08+08:60",
        "2019-06-04T24:00:00Z", "2019-06-04T23:12:61Z", "2019-06-04X23:12:08Z",
        "2019-06-04T23:12:08ZZ", "19-06-04T23:12:08Z", "2019-6-04T23:12:08Z", ""}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_rfc3339(bad, ms));
  }
}

TEST_CASE("timestamp: integers and formatting") {
  using namespace parse_detail;
  int64_t ms = 0;
  CHECK(epoch_number_to_ms(1738144800, ms));
  CHECK(ms == 1738144800000);
  CHECK(epoch_number_to_ms(1738144800123, ms));
  CHECK(ms == 1738144800123);
  CHECK(epoch_number_to_ms(0, ms));
  CHECK(ms == 0);
  CHECK_FALSE(epoch_number_to_ms(INT64_MAX, ms));
  char buf[kRfc3339MaxBytes];
  CHECK(std::string_view(buf, format_rfc3339(1738144800000, buf)) == "2025-01-29T10:00:00Z");
  CHECK(std::string_view(buf, format_rfc3339(1738144800007, buf)) == "2025-01-29T10:00:00.007Z");
  CHECK(std::string_view(buf, format_rfc3339(-1, buf)) == "1969-12-31T23:59:59.999Z");
  CHECK(std::string_view(buf, format_rfc3339(951782400000, buf)) == "2000-02-29T00:00:00Z");
  CHECK(format_rfc3339(INT64_MAX, buf) == 0);
  for (int64_t t = -5'000'000'000'000; t < 5'000'000'000'000; t += 123'456'789'011) {
    const std::size_t n = format_rfc3339(t, buf);
    REQUIRE(n != 0);
    CHECK(parse_rfc3339(std::string_view(buf, n), ms));
    CHECK(ms == t);
  }
}

// ---- text clean-up ----------------------------------------------------------------------

TEST_CASE("html: m.weibo.cn stripping") {
  ScratchArena arena;
  using parse_detail::strip_weibo_html;
  CHECK(strip_weibo_html("plain text ", arena) == "plain text");
  CHECK(
      strip_weibo_html(
          R"(好<span class="url-icon"><img alt=[偷笑] src="//h5/x.png" style="width:1em; height:1em;" /></span>)",
          arena) == "好[偷笑]");
  CHECK(strip_weibo_html(R"(a<br />b<BR>c<br/>d)", arena) == "a\nb\nc\nd");
  CHECK(
      strip_weibo_html(
          R"(see <a href="https://t.cn/x" data-hide=""><span class='url-icon'><img style='width: 1rem;height: 1rem' src='https://h5/web.png'></span><span class="surl-text">网页链接</span></a> end)",
          arena) == "see  end");
  CHECK(strip_weibo_html(R"(<a href='/n/某人'>@某人</a> 你好)", arena) == "@某人 你好");
  CHECK(strip_weibo_html("x &amp; y &lt;3 &quot;q&quot; &#39;s&#39; &#x1F600; &#20013; &bogus; & z",
                         arena) == "x & y <3 \"q\" 's' 😀 中 &bogus; & z");
  CHECK(strip_weibo_html("&#0; &#xD800; &#x110000;", arena) == "&#0; &#xD800; &#x110000;");
  CHECK(strip_weibo_html("a < b and 3<4", arena) == "a < b and 3<4");
  CHECK(strip_weibo_html("open <a href='x' unterminated", arena) ==
        "open <a href='x' unterminated");
  CHECK(strip_weibo_html(R"(<img alt="[a&amp;b]"><img alt='[c]'/><img src="no-alt">)", arena) ==
        "[a&b][c]");
  CHECK(strip_weibo_html(R"(<a title="x>y" href="z">in</a>)", arena) == "in");
  CHECK(strip_weibo_html(R"(<a href="/status/1">全文</a>)", arena).empty());
}

TEST_CASE("html: twitter entities and weibo topics") {
  ScratchArena arena;
  using parse_detail::decode_twitter_entities;
  CHECK(decode_twitter_entities("a &amp; b &lt; c &gt; d", arena) == "a & b < c > d");
  CHECK(decode_twitter_entities("&amp;lt; &quot; &", arena) == "&lt; &quot; &");
  const std::string_view untouched = "no entities";
  CHECK(decode_twitter_entities(untouched, arena).data() == untouched.data());  // no copy

  std::vector<std::string_view> tags;
  parse_detail::extract_weibo_topics("#a##b# text #c d# #a# #\n# ## #unclosed", tags);
  CHECK(tags == std::vector<std::string_view>{"a", "b", "c d"});
  tags.clear();
  parse_detail::extract_weibo_topics("#厉害了我的国#，#国货之光#", tags);
  CHECK(tags == std::vector<std::string_view>{"厉害了我的国", "国货之光"});
  tags.clear();
  parse_detail::extract_weibo_topics("# not a topic# #ok#", tags);
  CHECK(tags == std::vector<std::string_view>{"ok"});
}

TEST_CASE("counts: numbers and display strings") {
  simdjson::dom::parser json;
  auto count = [&](const char* value) {
    simdjson::dom::element e;
    REQUIRE(json.parse(std::string(value)).get(e) == simdjson::SUCCESS);
    return parse_detail::read_count(e);
  };
  CHECK(count("12") == 12);
  CHECK(count("12.9") == 12);
  CHECK(count("null") == 0);
  CHECK(count(R"("1,234")") == 1234);
  CHECK(count(R"("100万+")") == 1000000);
  CHECK(count(R"("1.2万")") == 12000);
  CHECK(count(R"("3亿")") == 300000000);
  CHECK(count(R"("n/a")") == 0);
  CHECK(count("18446744073709551615") == INT64_MAX);
}

TEST_CASE("arena: views stay put while chunks are added; reset reuses them") {
  ScratchArena arena(64);
  std::vector<std::string_view> views;
  for (int i = 0; i < 100; ++i) views.push_back(arena.copy(std::string(i + 1, char('a' + i % 26))));
  for (int i = 0; i < 100; ++i) CHECK(views[i] == std::string(i + 1, char('a' + i % 26)));
  const std::size_t reserved = arena.reserved_bytes();
  for (int round = 0; round < 5; ++round) {
    arena.reset();
    for (int i = 0; i < 100; ++i) arena.copy(std::string(i + 1, 'x'));
  }
  CHECK(arena.reserved_bytes() == reserved);
}

TEST_CASE("to_string(DocFormat)") {
  CHECK(to_string(DocFormat::twitter_v1) == "twitter_v1");
  CHECK(to_string(DocFormat::twitter_v2) == "twitter_v2");
  CHECK(to_string(DocFormat::weibo_v2) == "weibo_v2");
  CHECK(to_string(DocFormat::mweibo) == "mweibo");
  CHECK(to_string(DocFormat::canonical) == "canonical");
  CHECK(to_string(DocFormat::unknown) == "unknown");
}

}  // namespace
}  // namespace sentistream

// Value types shared by every operator: the parsed Post, the reject reasons and the
// per-post score. They are plain data, no I/O, no threads.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace sentistream {

enum class Platform : uint8_t { twitter = 0, weibo = 1, other = 2 };
inline constexpr int kPlatformCount = 3;
std::string_view to_string(Platform p);

// Why a document or post was not turned into a Post. Order is the order of the
// summary and of the metric label values; append only.
enum class RejectReason : uint8_t {
  invalid_json = 0,
  invalid_utf8,
  not_a_post,
  missing_text,
  bad_timestamp,
  too_large,
  late,  // on time for parsing, too late for its window (counted by the window stage)
};
inline constexpr int kRejectReasonCount = 7;
std::string_view to_string(RejectReason r);

struct Engagement {
  int64_t likes = 0;
  int64_t reposts = 0;
  int64_t replies = 0;
};

// One social-media post, normalised across platforms.
//
// Lifetime: every string_view points into memory owned by the parser that produced the
// Post (simdjson's string buffer or the parser's scratch arena). A Post is valid only
// until the parser parses its next document; copy what must outlive that. The object
// itself is reused by the parser (clear()), so the hashtag vector keeps its capacity and
// parsing allocates nothing per post once warmed up.
struct Post {
  std::string_view id;
  Platform platform = Platform::other;
  int64_t created_at_ms = 0;     // event time, ms since the Unix epoch, UTC
  std::string_view lang;         // platform's language tag ("en", "zh", "und") or empty
  std::string_view text;         // the author's own words, HTML removed, entities decoded
  std::string_view repost_text;  // text of the reposted / quoted post, when present
  std::string_view author_id;
  std::string_view author_name;
  std::string_view region;  // Weibo province/location, Twitter place country code, or empty
  std::vector<std::string_view> hashtags;  // without '#', as written
  Engagement engagement;
  bool is_repost = false;

  void clear() {
    id = lang = text = repost_text = author_id = author_name = region = {};
    platform = Platform::other;
    created_at_ms = 0;
    hashtags.clear();
    engagement = {};
    is_repost = false;
  }
};

enum class Label : uint8_t { negative = 0, neutral = 1, positive = 2 };
std::string_view to_string(Label l);

// Marker categories are data (one lexicon file each), so they are addressed by index.
inline constexpr int kMaxMarkerCategories = 16;

// Result of scoring one text. Plain numbers, no strings: cheap to copy into batches.
struct Score {
  double compound = 0;               // in [-1, 1], VADER-style normalisation x / sqrt(x^2 + 15)
  double pos = 0, neu = 1, neg = 0;  // shares, sum to 1 (or all zero for empty text)
  Label label = Label::neutral;
  uint8_t lang = 0;  // index into kScoreLangs: the lexicon language actually used
  std::array<uint16_t, kMaxMarkerCategories> marker_hits{};  // hits per category index
};

// Languages the scorer knows. Index 0 = undetermined.
inline constexpr std::array<std::string_view, 4> kScoreLangs = {"und", "en", "zh", "ja"};

}  // namespace sentistream

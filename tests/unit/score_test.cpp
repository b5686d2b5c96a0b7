// Tests for operators/score: lexicon loading, normalisation, matching and each rule, on
// small in-memory lexicons; then the required behaviour of the default lexicons.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "config/builtin_lexicons.h"
#include "operators/score/scorer.h"

using namespace sentistream;

// Counts heap allocations while g_count_allocations is set ("no allocation per call once
// warm" is a property of the scorer).
namespace {
bool g_count_allocations = false;
long g_allocations = 0;
}  // namespace

// GCC pairs the malloc inside operator new with the free inside operator delete once both
// are inlined and calls it a mismatch; they are a matched pair by construction.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  if (g_count_allocations) ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
// Every form that a replaced operator delete may free must come from the same malloc
// (AddressSanitizer checks the pairing): the nothrow and array forms too.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (g_count_allocations) ++g_allocations;
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n) {
  return operator new(n);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
  return operator new(n, t);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop

namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

std::shared_ptr<const Lexicon> load(const Files& files, const std::string& origin = "test/") {
  std::vector<Lexicon::File> v;
  for (const auto& [name, contents] : files) v.push_back({name, contents});
  return Lexicon::load_files(v, origin);
}

// Error text of loading `files`, or "" when they load.
std::string load_error(const Files& files) {
  try {
    load(files);
  } catch (const LexiconError& e) {
    return e.what();
  }
  return "";
}

const Files& test_files() {
  static const Files files = {
      {"sentiment.en.tsv",
       "# small English test lexicon\n"
       "term\tvalence\n"
       "good\t1.9\n"
       "bad\t-2.5\n"
       "happy\t2.7\n"
       "great\t3.1\n"
       "well\t1.0\n"
       "well done\t2.0\n"
       "glory\t2.0\n"
       "meh\t0\n"},
      {"sentiment.zh.tsv",
       "term\tvalence\n"
       "好\t2.0\n"
       "不错\t2.0\n"
       "差\t-2.0\n"
       "差劲\t-2.5\n"
       "好看\t2.5\n"
       "厉害了我的国\t2.0\n"},
      {"emoji.tsv",
       "term\tvalence\n"
       "😊\t2.0\n"
       "❤️\t3.0\n"
       "[哈哈]\t1.5\n"
       "[泪]\t-1.5\n"
       ":)\t1.5\n"},
      {"negators.tsv",
       "term\tlang\n"
       "not\ten\n"
       "never\ten\n"
       "don't\ten\n"
       "不\tzh\n"
       "没有\tzh\n"
       "不太\tzh\n"
       "并不\tzh\n"
       "绝不\tzh\n"},
      {"degree.tsv",
       "term\tfactor\tlang\n"
       "very\t0.293\ten\n"
       "extremely\t0.4\ten\n"
       "so\t0.2\ten\n"
       "slightly\t-0.3\ten\n"
       "很\t0.3\tzh\n"
       "非常\t0.4\tzh\n"},
      {"contrast.tsv",
       "term\tlang\n"
       "but\ten\n"
       "但是\tzh\n"
       "不过\tzh\n"},
      {"markers/sarcasm.tsv",
       "term\tlang\tweight\n"
       "yeah right\ten\t0.8\n"
       "[doge]\tany\t0.6\n"},
      {"markers/pride.tsv",
       "term\tlang\tweight\n"
       "made-in-china\ten\t1.0\n"
       "glory of china\ten\t1.0\n"
       "厉害了我的国\tzh\t1.0\n"
       "🇨🇳\tany\t0.5\n"},
  };
  return files;
}

std::shared_ptr<const Lexicon> test_lexicon() {
  static const auto lex = load(test_files());
  return lex;
}

double compound_of(double x) {
  return x / std::sqrt(x * x + 15);
}

// Raw valence sum behind a compound score (inverse of compound_of).
double sum_of(const Score& s) {
  return s.compound * std::sqrt(15 / (1 - s.compound * s.compound));
}

struct Fixture {
  Scorer scorer{test_lexicon()};
  Score score(std::string_view text, std::string_view lang = "") {
    return scorer.score(text, lang);
  }
  double sum(std::string_view text) { return sum_of(score(text)); }
};

std::size_t category(const Lexicon& lex, const std::string& name) {
  const auto& c = lex.marker_categories();
  return static_cast<std::size_t>(std::find(c.begin(), c.end(), name) - c.begin());
}

// True when every named default lexicon file exists; says which are missing otherwise.
bool have(std::initializer_list<std::string_view> names) {
  const auto& files = builtin_lexicon_files();
  bool all = true;
  for (std::string_view n : names) {
    if (std::none_of(files.begin(), files.end(),
                     [&](const Lexicon::File& f) { return f.name == n; })) {
      MESSAGE("skipped: config/lexicons/" << n << " does not exist yet");
      all = false;
    }
  }
  return all;
}

}  // namespace

TEST_SUITE("score.basics") {
  TEST_CASE_FIXTURE(Fixture, "single terms, compound normalisation and labels") {
    CHECK(score("good").compound == doctest::Approx(compound_of(1.9)));
    CHECK(score("good").label == Label::positive);
    CHECK(score("bad").compound == doctest::Approx(compound_of(-2.5)));
    CHECK(score("bad").label == Label::negative);
    CHECK(score("a table").label == Label::neutral);
    CHECK(score("a table").compound == 0);
    CHECK(sum("good happy") == doctest::Approx(1.9 + 2.7));
  }

  TEST_CASE_FIXTURE(Fixture, "pos/neu/neg shares") {
    const Score s = score("good day");  // good: 1.9 + 1; day: one neutral token
    CHECK(s.pos == doctest::Approx(2.9 / 3.9));
    CHECK(s.neu == doctest::Approx(1 / 3.9));
    CHECK(s.neg == 0);
    const Score m = score("good bad thing");
    CHECK(m.pos + m.neu + m.neg == doctest::Approx(1));
    CHECK(m.neg == doctest::Approx(3.5 / (2.9 + 3.5 + 1)));
    // Chinese: each unmatched character is one neutral token, a matched term one token.
    const Score z = score("这个好");
    CHECK(z.pos == doctest::Approx(3.0 / 5.0));
    CHECK(score("meh").neu == doctest::Approx(1));  // valence 0 counts as neutral
    for (std::string_view empty : {"", "   ", "!!! ...", "http://example.com"}) {
      const Score e = score(empty);
      CHECK(e.compound == 0);
      CHECK(e.pos == 0);
      CHECK(e.neu == 0);
      CHECK(e.neg == 0);
      CHECK(e.label == Label::neutral);
    }
  }

  TEST_CASE_FIXTURE(Fixture, "English terms are case-insensitive, on word boundaries") {
    CHECK(sum("Good") == doctest::Approx(1.9));
    CHECK(score("goodbye").compound == 0);
    CHECK(score("ungood").compound == 0);
    CHECK(score("goodness gracious").compound == 0);
    CHECK(sum("good.") == doctest::Approx(1.9));
    CHECK(sum("(good)") == doctest::Approx(1.9));
    CHECK(sum("good好") == doctest::Approx(1.9 + 2.0));  // Han is not a word character
    CHECK(score("good1").compound == 0);
    CHECK(sum("China's glory") == doctest::Approx(2.0));
  }

  TEST_CASE_FIXTURE(Fixture, "multi-word English phrases: longest match wins") {
    CHECK(sum("well done") == doctest::Approx(2.0));
    CHECK(sum("well") == doctest::Approx(1.0));
    CHECK(sum("well, done") == doctest::Approx(1.0));   // punctuation breaks the phrase
    CHECK(sum("well   done") == doctest::Approx(2.0));  // whitespace runs are one space
    CHECK(sum("WELL\tDone") == doctest::Approx(2.0));
  }

  TEST_CASE_FIXTURE(Fixture, "Chinese: greedy leftmost-longest over characters") {
    CHECK(sum("不错") == doctest::Approx(2.0));  // not 不 + 错
    CHECK(sum("好看") == doctest::Approx(2.5));  // not 好 + 看
    CHECK(sum("差劲") == doctest::Approx(-2.5));
    CHECK(sum("这个电影很好看") == doctest::Approx(2.5 + 0.3));
    CHECK(sum("今天天气好") == doctest::Approx(2.0));
  }

  TEST_CASE_FIXTURE(Fixture, "emoji and bracket emoticons match anywhere") {
    CHECK(sum("好😊") == doctest::Approx(4.0));
    CHECK(sum("[哈哈][哈哈]") == doctest::Approx(3.0));
    CHECK(sum("太难了[泪]") == doctest::Approx(-1.5));
    CHECK(sum("good:)") == doctest::Approx(3.4));
    CHECK(sum("I ❤️ it") == doctest::Approx(3.0));  // variation selector dropped
    CHECK(sum("I ❤ it") == doctest::Approx(3.0));
  }

  TEST_CASE_FIXTURE(Fixture, "mixed-language posts use terms of both scripts") {
    CHECK(sum("this phone 真不错 good") == doctest::Approx(3.9));
  }
}

TEST_SUITE("score.rules") {
  TEST_CASE_FIXTURE(Fixture, "negation flips and dampens") {
    CHECK(sum("not good") == doctest::Approx(-0.74 * 1.9));
    CHECK(sum("not bad") == doctest::Approx(0.74 * 2.5));
    CHECK(score("not good").label == Label::negative);
    CHECK(sum("don't like good") == doctest::Approx(-0.74 * 1.9));         // apostrophe inside term
    CHECK(sum("not a really good") == doctest::Approx(-0.74 * 1.9));       // 3 tokens back
    CHECK(sum("not a really very good") == doctest::Approx(1.9 + 0.293));  // 4: out of window
    CHECK(sum("not. good") == doctest::Approx(1.9));  // clause punctuation ends the window
    CHECK(sum("never not good") == doctest::Approx(0.74 * 0.74 * 1.9));  // double negation
  }

  TEST_CASE_FIXTURE(Fixture, "Chinese negation") {
    CHECK(sum("不好") == doctest::Approx(-0.74 * 2.0));
    CHECK(sum("不太好") == doctest::Approx(-0.74 * 2.0));
    CHECK(sum("并不好看") == doctest::Approx(-0.74 * 2.5));
    CHECK(sum("没有很好") == doctest::Approx(-0.74 * 2.3));
    CHECK(sum("不是不好") == doctest::Approx(0.74 * 0.74 * 2.0));
    CHECK(sum("不，好") == doctest::Approx(2.0));  // full-width comma ends the window
  }

  TEST_CASE_FIXTURE(Fixture, "intensified negation: 'not ... at all', 根本不, 绝不") {
    CHECK(sum("not good at all") == doctest::Approx(-1.9));
    CHECK(score("not good at all").label == Label::negative);
    CHECK(sum("good at all") == doctest::Approx(1.9));  // no negator: nothing to intensify
    CHECK(sum("根本不好") == doctest::Approx(-2.0));
    CHECK(sum("一点也不好") == doctest::Approx(-2.0));
    CHECK(sum("绝不好") == doctest::Approx(-2.0));
  }

  TEST_CASE_FIXTURE(Fixture, "degree words scale with decay by distance") {
    CHECK(sum("very good") == doctest::Approx(1.9 + 0.293));
    CHECK(sum("very bad") == doctest::Approx(-2.5 - 0.293));
    CHECK(sum("slightly good") == doctest::Approx(1.9 - 0.3));
    CHECK(sum("very nice good") == doctest::Approx(1.9 + 0.293 * 0.95));
    CHECK(sum("very nice and good") == doctest::Approx(1.9 + 0.293 * 0.9));
    CHECK(sum("very a nice and good") == doctest::Approx(1.9));
    CHECK(sum("very extremely good") == doctest::Approx(1.9 + 0.4 + 0.293 * 0.95));
    CHECK(sum("not very good") == doctest::Approx(-0.74 * (1.9 + 0.293)));
    CHECK(sum("很差劲") == doctest::Approx(-2.8));
    CHECK(sum("非常好") == doctest::Approx(2.4));
  }

  TEST_CASE_FIXTURE(Fixture, "contrast weighs before 0.5 and after 1.5") {
    CHECK(sum("good but bad") == doctest::Approx(0.5 * 1.9 - 1.5 * 2.5));
    CHECK(sum("bad but good") == doctest::Approx(-0.5 * 2.5 + 1.5 * 1.9));
    CHECK(sum("好但是差") == doctest::Approx(0.5 * 2.0 - 1.5 * 2.0));
    CHECK(sum("不错，不过差") == doctest::Approx(0.5 * 2.0 - 1.5 * 2.0));  // 不过, not 不
    CHECK(sum("good but") == doctest::Approx(0.5 * 1.9));
    CHECK(sum("very but good") == doctest::Approx(1.5 * 1.9));  // windows stop at contrast
    CHECK(sum("not good but happy") == doctest::Approx(0.5 * -0.74 * 1.9 + 1.5 * 2.7));
    // The last contrast word splits the text.
    CHECK(sum("good but bad but happy") == doctest::Approx(0.5 * (1.9 - 2.5) + 1.5 * 2.7));
  }

  TEST_CASE_FIXTURE(Fixture, "caps emphasis in a text that is not all caps") {
    CHECK(sum("GOOD movie") == doctest::Approx(1.9 + 0.733));
    CHECK(sum("this is BAD") == doctest::Approx(-2.5 - 0.733));
    CHECK(sum("GOOD MOVIE") == doctest::Approx(1.9));  // all caps: no emphasis
    CHECK(sum("Good movie") == doctest::Approx(1.9));
    CHECK(sum("NOT GOOD movie") == doctest::Approx(-0.74 * (1.9 + 0.733)));
  }

  TEST_CASE_FIXTURE(Fixture, "exclamation marks amplify, at most 4") {
    CHECK(sum("good!") == doctest::Approx(1.9 + 0.292));
    CHECK(sum("bad!!") == doctest::Approx(-2.5 - 2 * 0.292));
    CHECK(sum("good!!!!") == doctest::Approx(1.9 + 4 * 0.292));
    CHECK(sum("good!!!!!!!!!!") == doctest::Approx(1.9 + 4 * 0.292));
    CHECK(sum("好！！") == doctest::Approx(2.0 + 2 * 0.292));  // full-width
    CHECK(score("table!!!").compound == 0);                    // nothing to amplify
  }

  TEST_CASE_FIXTURE(Fixture, "markers are counted, never netted into sentiment") {
    const Lexicon& lex = *test_lexicon();
    REQUIRE(lex.marker_categories() == std::vector<std::string>{"pride", "sarcasm"});
    const std::size_t pride = category(lex, "pride"), sarcasm = category(lex, "sarcasm");

    Score s = score("made-in-China!");
    CHECK(s.marker_hits[pride] == 1);
    CHECK(s.compound == 0);
    s = score("厉害了我的国");  // both a sentiment term and a marker
    CHECK(s.marker_hits[pride] == 1);
    CHECK(sum_of(s) == doctest::Approx(2.0));
    s = score("the glory of China");  // marker phrase overlapping the sentiment word
    CHECK(s.marker_hits[pride] == 1);
    CHECK(sum_of(s) == doctest::Approx(2.0));
    s = score("yeah right, great [doge] 🇨🇳🇨🇳");
    CHECK(s.marker_hits[sarcasm] == 2);
    CHECK(s.marker_hits[pride] == 2);
    CHECK(sum_of(s) == doctest::Approx(3.1));
    CHECK(score("🇸🇨🇳🇿").marker_hits[pride] == 0);  // Seychelles + New Zealand, no 🇨🇳
    CHECK(score("🇺🇸🇨🇳").marker_hits[pride] == 1);
  }
}

TEST_SUITE("score.normalise") {
  TEST_CASE_FIXTURE(Fixture, "elongation: 3+ repeats collapse to 2, then 1 if needed") {
    CHECK(sum("goooooood") == doctest::Approx(1.9));
    CHECK(sum("haaaaappy") == doctest::Approx(2.7));  // "haappy" unknown -> "happy"
    CHECK(sum("sooooo good") == doctest::Approx(1.9 + 0.2));
    CHECK(sum("GOOOOOD movie") == doctest::Approx(1.9 + 0.733));
    CHECK(sum("baaad") == doctest::Approx(-2.5));
    CHECK(score("goood").label == Label::positive);
  }

  TEST_CASE_FIXTURE(Fixture, "URLs, mentions and repost chains are stripped") {
    CHECK(sum("http://bad.example.com/x?y=1 good") == doctest::Approx(1.9));
    CHECK(sum("HTTPS://bad.com good") == doctest::Approx(1.9));
    CHECK(sum("www.bad.com good") == doctest::Approx(1.9));
    CHECK(sum("好http://t.cn/bad") == doctest::Approx(2.0));
    CHECK(sum("@bad_guy good") == doctest::Approx(1.9));
    CHECK(sum("@差劲用户 好") == doctest::Approx(2.0));
    CHECK(sum("@差劲用户：好") == doctest::Approx(2.0));
    CHECK(sum("回复@差劲:好") == doctest::Approx(2.0));
    CHECK(sum("好//@某人:差劲//@另一人:差") == doctest::Approx(2.0));
    CHECK(score("//@某人:差劲").compound == 0);

    Scorer chain(test_lexicon(), ScoreOptions{.score_repost_chain = true});
    CHECK(sum_of(chain.score("好//@某人:差劲", "")) == doctest::Approx(2.0 - 2.5));
    CHECK(sum_of(chain.score("好//@差劲:还行", "")) == doctest::Approx(2.0));
  }

  TEST_CASE_FIXTURE(Fixture, "full-width ASCII and ideographic space") {
    CHECK(sum("ｇｏｏｄ") == doctest::Approx(1.9));
    CHECK(sum("ＧＯＯＤ movie") == doctest::Approx(1.9 + 0.733));
    CHECK(sum("very　good") == doctest::Approx(1.9 + 0.293));  // U+3000
    CHECK(sum("ｗｅｌｌ　ｄｏｎｅ") == doctest::Approx(2.0));
    CHECK(sum("＠bad good") == doctest::Approx(1.9));
    CHECK(sum("don’t like good") == doctest::Approx(-0.74 * 1.9));  // U+2019
  }

  TEST_CASE("malformed UTF-8 does not break scoring") {
    Scorer s(test_lexicon());
    const std::string bad = std::string("good\xff\xfe bad \xe4\xbd") + "\xc3";
    const Score r = s.score(bad, "");
    CHECK(sum_of(r) == doctest::Approx(1.9 - 2.5));
  }
}

TEST_SUITE("score.lang") {
  TEST_CASE_FIXTURE(Fixture, "language from the hint, else the script") {
    auto lang = [&](std::string_view text, std::string_view hint) {
      return kScoreLangs[score(text, hint).lang];
    };
    CHECK(lang("whatever", "zh-CN") == "zh");
    CHECK(lang("whatever", "zh-Hans") == "zh");
    CHECK(lang("whatever", "zh-tw") == "zh");
    CHECK(lang("whatever", "en-GB") == "en");
    CHECK(lang("好", "ja") == "ja");
    CHECK(lang("这个很好", "und") == "zh");
    CHECK(lang("good day", "") == "en");
    CHECK(lang("bonjour", "fr") == "en");  // unknown tag: Latin script
    CHECK(lang("今日はいい天気ですね", "") == "ja");
    CHECK(lang("这个iPhone真好用", "") == "zh");
    CHECK(lang("123 !!!", "") == "und");
    // The language is only reported: terms of both scripts are used in any post.
    CHECK(sum_of(score("I love this 好", "en")) == doctest::Approx(2.0));
    CHECK(sum_of(score("好 good", "ja")) == doctest::Approx(3.9));
  }
}

TEST_SUITE("score.explain") {
  TEST_CASE_FIXTURE(Fixture, "explain lists terms, rules and markers") {
    std::vector<ExplainItem> items;
    const Score s = scorer.score("not very GOOD but 厉害了我的国!!", "", &items);
    std::vector<std::string> kinds;
    for (const auto& i : items) kinds.push_back(i.kind);
    const std::vector<std::string> expected = {"marker",   "marker_category", "term",     "caps",
                                               "booster",  "negation",        "contrast", "term",
                                               "contrast", "exclaim"};
    CHECK(kinds == expected);
    CHECK(items[0].text == "厉害了我的国");
    CHECK(items[0].note == "category=pride kind=cue");
    CHECK(items[0].value == doctest::Approx(1.0));
    CHECK(items[1].text == "pride");
    CHECK(items[1].note == "threshold=any hit fired, 1 counted hits");
    CHECK(items[2].text == "GOOD");
    CHECK(items[2].value == doctest::Approx(1.9));
    CHECK(items[4].text == "very");
    CHECK(items[5].text == "not");
    CHECK(items[5].value == doctest::Approx(-0.74));
    CHECK(items[6].text == "but");
    CHECK(items[9].value == doctest::Approx(2 * 0.292));
    for (const auto& i : items) CHECK(!i.note.empty());
    // Explain does not change the score.
    const Score plain = scorer.score("not very GOOD but 厉害了我的国!!", "");
    CHECK(plain.compound == s.compound);
    CHECK(plain.marker_hits == s.marker_hits);
  }

  TEST_CASE_FIXTURE(Fixture, "explain kind emoji") {
    std::vector<ExplainItem> items;
    scorer.score("好😊", "", &items);
    REQUIRE(items.size() == 2);
    CHECK(items[0].kind == "term");
    CHECK(items[1].kind == "emoji");
  }
}

// Marker rules (config/lexicons/README.md, "Marker rules"): weights, thresholds, context
// entries with anchors, exclusions, and their explain output.
namespace {

const Files& marker_files() {
  static const Files files = {
      {"markers/pride.tsv",
       "# thresholds and kinds\n"
       "@threshold\t1.0\n"
       "@window\t4\n"
       "term\tlang\tweight\tkind\n"
       "glory of china\ten\t1.0\tcue\n"
       "made in china\ten\t0.6\tcue\n"
       "national\ten\t0.5\tcue\n"
       "china\ten\t0\tanchor\n"
       "祖国\tzh\t0.3\tanchor\n"
       "proud\ten\t1.0\tcontext\n"
       "骄傲\tzh\t0.7\tcontext\n"
       "proud of my\ten\t1.0\texclude\n"
       "骄傲自满\tzh\t0.5\texclude\n"},
      {"markers/sarcasm.tsv",
       "@threshold\t0.5\n"
       "term\tlang\tweight\tkind\n"
       "[doge]\tany\t0.8\tcue\n"
       "yeah right\ten\t0.4\tcue\n"},
  };
  return files;
}

struct MarkerFixture {
  std::shared_ptr<const Lexicon> lex = load(marker_files());
  Scorer scorer{lex};
  std::size_t pride = category(*lex, "pride"), sarcasm = category(*lex, "sarcasm");
  Score score(std::string_view text) { return scorer.score(text, ""); }
};

}  // namespace

TEST_SUITE("score.markers") {
  TEST_CASE_FIXTURE(MarkerFixture,
                    "a category fires when the counted weights reach its threshold") {
    CHECK(score("the glory of China").marker_hits[pride] == 1);              // 1.0 >= 1.0
    CHECK(score("made in China").marker_hits[pride] == 0);                   // 0.6 < 1.0
    CHECK(score("a national team, made in China").marker_hits[pride] == 2);  // 0.5 + 0.6
    CHECK(score("yeah right").marker_hits[sarcasm] == 0);                    // 0.4 < 0.5
    CHECK(score("yeah right, yeah right").marker_hits[sarcasm] == 2);        // 0.8
    // Without a @threshold line any counted hit fires (the 3-column format's meaning).
    Scorer old(test_lexicon());
    CHECK(old.score("🇨🇳", "").marker_hits[category(*test_lexicon(), "pride")] == 1);
  }

  TEST_CASE_FIXTURE(MarkerFixture, "a context entry counts only near an anchor or cue") {
    CHECK(score("so proud today").marker_hits[pride] == 0);                    // no anchor
    CHECK(score("so proud of China today").marker_hits[pride] == 1);           // anchor after
    CHECK(score("China, I am proud").marker_hits[pride] == 1);                 // anchor before
    CHECK(score("China is far away and I am proud").marker_hits[pride] == 0);  // 6 tokens > 4
    CHECK(score("为祖国骄傲").marker_hits[pride] == 2);                        // 0.3 + 0.7
    CHECK(score("为自己骄傲").marker_hits[pride] == 0);
    // The window is in words, from the anchor's start; two unmatched Chinese characters
    // count as one word: 祖国 + 6 characters is 4 words (inside the window of 4), 祖国 + 8
    // is 5 (outside).
    CHECK(score("祖国一二三四五六骄傲").marker_hits[pride] == 2);
    CHECK(score("祖国一二三四五六七八骄傲").marker_hits[pride] == 0);
    // A cue also enables a context entry: 0.6 + 1.0.
    CHECK(score("made in China, proud").marker_hits[pride] == 2);
    // An anchor of weight 0 never fires on its own.
    CHECK(score("China China China").marker_hits[pride] == 0);
  }

  TEST_CASE_FIXTURE(MarkerFixture, "exclusions subtract and take their span by longest match") {
    CHECK(score("China: proud of my daughter").marker_hits[pride] == 0);  // "proud" consumed
    CHECK(score("the glory of China, proud of my kid").marker_hits[pride] == 0);  // 1 - 1
    CHECK(score("祖国不该骄傲自满").marker_hits[pride] == 0);
  }

  TEST_CASE_FIXTURE(MarkerFixture, "sarcasm is reported next to pride, never subtracted from it") {
    const Score plain = score("the glory of China");
    const Score ironic = score("the glory of China [doge] yeah right");
    CHECK(plain.marker_hits[pride] == 1);
    CHECK(ironic.marker_hits[pride] == plain.marker_hits[pride]);
    CHECK(ironic.marker_hits[sarcasm] == 2);
    CHECK(plain.marker_hits[sarcasm] == 0);
    if (have({"markers/pride.tsv", "markers/sarcasm.tsv"})) {
      Scorer b(builtin_lexicon());
      const auto& lex = b.lexicon();
      const std::size_t p = category(lex, "pride"), x = category(lex, "sarcasm");
      const Score sincere = b.score("厉害了我的国", "zh");
      const Score doge = b.score("厉害了我的国[doge]", "zh");
      CHECK(sincere.marker_hits[p] >= 1);
      CHECK(doge.marker_hits[p] == sincere.marker_hits[p]);
      CHECK(sincere.marker_hits[x] == 0);
      CHECK(doge.marker_hits[x] >= 1);
    }
  }

  TEST_CASE_FIXTURE(MarkerFixture,
                    "explain shows each hit's weight and kind and each category's decision") {
    std::vector<ExplainItem> items;
    scorer.score("proud of nothing and nobody here. made in China [doge]", "", &items);
    std::vector<std::string> lines;
    for (const auto& i : items)
      if (i.kind == "marker" || i.kind == "marker_category")
        lines.push_back(i.kind + "|" + i.text + "|" + std::to_string(i.value).substr(0, 5) + "|" +
                        i.note);
    const std::vector<std::string> expected = {
        "marker|proud|1.000|category=pride kind=context not counted: no anchor/cue within 4 words",
        "marker|made in China|0.600|category=pride kind=cue",
        "marker|[doge]|0.800|category=sarcasm kind=cue",
        "marker_category|pride|0.600|threshold=1.000 not fired, 1 counted hits",
        "marker_category|sarcasm|0.800|threshold=0.500 fired, 1 counted hits",
    };
    std::string got;
    for (const auto& l : lines) got += l + "\n";
    CHECK_MESSAGE(lines == expected, got);
    items.clear();
    scorer.score("China: proud of my kid", "", &items);
    REQUIRE(items.size() >= 3);
    CHECK(items[0].note == "category=pride kind=anchor");
    CHECK(items[1].note == "category=pride kind=exclude subtracts");
    CHECK(items[1].value == doctest::Approx(-1.0));
    CHECK(items[2].note == "threshold=1.000 not fired, 0 counted hits");
  }

  TEST_CASE("marker file format errors name file and line") {
    auto err = [](const std::string& contents) {
      return load_error({{"markers/m.tsv", contents}});
    };
    const std::string h = "term\tlang\tweight\tkind\n";
    CHECK(err("@threshold\t0\n" + h) == "test/markers/m.tsv:1: @threshold 0 is out of (0, 16]");
    CHECK(err("@window\t2.5\n" + h) ==
          "test/markers/m.tsv:1: @window 2.5 must be a whole number of tokens in [1, 64]");
    CHECK(err("@limit\t3\n" + h) ==
          "test/markers/m.tsv:1: unknown directive '@limit' (known: @threshold, @window)");
    CHECK(err("@threshold\n" + h) ==
          "test/markers/m.tsv:1: directive '@threshold' must be '@threshold<TAB>number' or "
          "'@window<TAB>number'");
    CHECK(err(h + "x\ten\t0.5\tmaybe\n") ==
          "test/markers/m.tsv:2: kind 'maybe' must be cue, context, anchor or exclude");
    CHECK(err(h + "x\ten\t0\tcue\n") == "test/markers/m.tsv:2: weight 0 is out of (0, 1]");
    CHECK(err(h + "x\ten\t-0.5\texclude\n") ==
          "test/markers/m.tsv:2: weight -0.5 is out of (0, 1]");
    CHECK(err(h + "x\ten\t0\tanchor\n").empty());
    CHECK(err(h + "x\ten\t0.5\n") ==
          "test/markers/m.tsv:2: missing column 'kind' (expected 4 tab-separated columns)");
    CHECK(err(h + "a\ten\t0.3\texclude\nx\ten\t0.5\tcontext\n") ==
          "test/markers/m.tsv:3: context entries need at least one anchor or cue entry in the "
          "same file");
    CHECK(err(h + "a\ten\t0.5\tcue\nx\ten\t0.5\tcontext\n").empty());
    // A directive after the header is a row, not a directive.
    CHECK(err(h + "@threshold\t1\n") ==
          "test/markers/m.tsv:2: missing column 'weight' (expected 4 tab-separated columns)");
  }

  TEST_CASE("known weaknesses of single-hit markers stay fixed in the default lexicons") {
    if (!have({"markers/pride.tsv", "markers/rivalry.tsv"})) return;
    Scorer b(builtin_lexicon());
    const auto& lex = b.lexicon();
    const std::size_t p = category(lex, "pride"), r = category(lex, "rivalry");
    CHECK(b.score("美国", "zh").marker_hits[r] == 0);  // a country alone is no contest
    CHECK(b.score("美国又在遏制中国", "zh").marker_hits[r] >= 1);
    CHECK(b.score("So proud of my daughter", "en").marker_hits[p] == 0);
    CHECK(b.score("I am proud", "en").marker_hits[p] == 0);
    CHECK(b.score("So proud of China today", "en").marker_hits[p] >= 1);
    CHECK(b.score("为我女儿骄傲", "zh").marker_hits[p] == 0);
    CHECK(b.score("为祖国骄傲", "zh").marker_hits[p] >= 1);
  }
}

TEST_SUITE("score.lexicon") {
  TEST_CASE("any subset of the files loads") {
    CHECK(load({})->term_count() == 0);
    CHECK(load({})->marker_categories().empty());
    const auto neg_only = load({{"negators.tsv", "term\tlang\nnot\ten\n"}});
    CHECK(neg_only->term_count() == 1);
    Scorer s(neg_only);
    CHECK(s.score("not good", "").compound == 0);
    CHECK(test_lexicon()->term_count() > 30);
  }

  TEST_CASE("comments, blank lines, CRLF and BOM") {
    const auto lex = load({{"sentiment.en.tsv",
                            "\xEF\xBB\xBF# comment\r\n\r\nterm\tvalence\r\n# more\r\ngood\t1.5\r\n"
                            "\n  nice  \t +2 \r\n"}});
    CHECK(lex->term_count() == 2);
    Scorer s(lex);
    CHECK(sum_of(s.score("good nice", "")) == doctest::Approx(3.5));
  }

  TEST_CASE("errors name origin, file and line") {
    CHECK(load_error({{"sentiment.en.tsv", "term\tscore\ngood\t1\n"}}) ==
          "test/sentiment.en.tsv:1: bad header 'term\\tscore', expected 'term\\tvalence'");
    CHECK(load_error({{"sentiment.en.tsv", "# c\n\nterm\tvalence\ngood\n"}}) ==
          "test/sentiment.en.tsv:4: missing column 'valence' (expected 2 tab-separated columns)");
    CHECK(load_error({{"sentiment.en.tsv", "term\tvalence\ngood\tx\n"}}) ==
          "test/sentiment.en.tsv:2: valence 'x' is not a number");
    CHECK(load_error({{"sentiment.zh.tsv", "term\tvalence\n好\t4.5\n"}}) ==
          "test/sentiment.zh.tsv:2: valence 4.5 is out of [-4, 4]");
    CHECK(load_error({{"sentiment.en.tsv", "term\tvalence\ngood\t1\nbad\t-1\ngood \t2\n"}}) ==
          "test/sentiment.en.tsv:4: duplicate term 'good' (first at line 2)");
    CHECK(load_error({{"sentiment.fr.tsv", "term\tvalence\n"}})
              .starts_with("test/sentiment.fr.tsv:1: unknown lexicon file"));
    CHECK(load_error({{"markers/a/b.tsv", "term\tlang\tweight\n"}})
              .starts_with("test/markers/a/b.tsv:1: unknown lexicon file"));
    CHECK(load_error({{"negators.tsv", "term\tlang\nnicht\tde\n"}}) ==
          "test/negators.tsv:2: lang 'de' must be en or zh");
    CHECK(load_error({{"degree.tsv", "term\tfactor\tlang\nvery\t0\ten\n"}}) ==
          "test/degree.tsv:2: factor 0 must be non-zero and within [-4, 4]");
    CHECK(load_error({{"markers/pride.tsv", "term\tlang\tweight\nx\tany\t1.5\n"}}) ==
          "test/markers/pride.tsv:2: weight 1.5 is out of (0, 1]");
    CHECK(load_error({{"contrast.tsv", "# only a comment\n"}}) ==
          "test/contrast.tsv:2: missing header 'term\\tlang'");
    CHECK(load_error({{"contrast.tsv", "term\tlang\nbut\ten\textra\n"}}) ==
          "test/contrast.tsv:2: expected 2 columns, got 3");
    CHECK(load_error({{"contrast.tsv", "term\tlang\n \ten\n"}}) ==
          "test/contrast.tsv:2: empty term");
    // Letters collapse like text does ("xxxx" -> "xx"), so only other bytes make it long.
    CHECK(load_error({{"emoji.tsv", "term\tvalence\n" + std::string(100, 'x') + "\t1\n"}}) == "");
    CHECK(load_error({{"emoji.tsv", "term\tvalence\n" + std::string(100, '+') + "\t1\n"}})
              .starts_with("test/emoji.tsv:2: term '+++"));
    CHECK(load_error({{"emoji.tsv", "term\tvalence\n\xff\t1\n"}}) ==
          "test/emoji.tsv:2: term is not valid UTF-8");
  }

  TEST_CASE("spellings that normalise to one key are variants, not duplicates") {
    const auto lex = load({{"sentiment.en.tsv",
                            "term\tvalence\ncan't wait\t2.3\ncan’t wait\t2.3\ngrr\t-1.8\n"
                            "grrr\t-1.0\nGood\t1.9\ngood\t1.0\n"}});
    Scorer s(lex);
    CHECK(sum_of(s.score("can’t wait", "")) == doctest::Approx(2.3));
    CHECK(sum_of(s.score("grrrrr", "")) == doctest::Approx(-1.8));  // first entry wins
    CHECK(sum_of(s.score("good", "")) == doctest::Approx(1.9));
  }

  TEST_CASE("all problems are reported at once") {
    const std::string e =
        load_error({{"sentiment.en.tsv", "term\tvalence\na\tx\nb\t9\n"}, {"bogus.tsv", ""}});
    CHECK(e.find("test/bogus.tsv:1: unknown lexicon file") != std::string::npos);
    CHECK(e.find("test/sentiment.en.tsv:2: valence 'x'") != std::string::npos);
    CHECK(e.find("test/sentiment.en.tsv:3: valence 9 is out of") != std::string::npos);
  }

  TEST_CASE("at most 16 marker categories, sorted by file stem") {
    Files files;
    for (char c = 'q'; c >= 'a'; --c)  // 17 files, given in reverse order
      files.push_back({std::string("markers/") + c + ".tsv", "term\tlang\tweight\n"});
    CHECK(load_error(files) == "test/markers/q.tsv:1: too many marker categories (at most 16)");
    files.erase(files.begin());
    const auto lex = load(files);
    REQUIRE(lex->marker_categories().size() == 16);
    CHECK(lex->marker_categories().front() == "a");
    CHECK(lex->marker_categories().back() == "p");
  }

  TEST_CASE("the same term in several files merges its roles") {
    const auto lex = load({{"sentiment.en.tsv", "term\tvalence\nsuper\t2\n"},
                           {"degree.tsv", "term\tfactor\tlang\nsuper\t0.3\ten\n"},
                           {"emoji.tsv", "term\tvalence\nsuper\t-1\n"}});
    CHECK(lex->term_count() == 1);
    Scorer s(lex);
    // sentiment.en.tsv wins over emoji.tsv; "super" boosts the following "super". A word
    // with both roles right before a sentiment word is read as the booster only (rules.cpp).
    CHECK(sum_of(s.score("super super", "")) == doctest::Approx(2 + 0.3));
    CHECK(sum_of(s.score("super", "")) == doctest::Approx(2));
  }

  TEST_CASE("load_dir reads the directory and markers/") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "sentistream_score_test_lexicons";
    fs::remove_all(dir);
    fs::create_directories(dir / "markers");
    std::ofstream(dir / "sentiment.en.tsv") << "term\tvalence\ngood\t1.9\n";
    std::ofstream(dir / "markers" / "pride.tsv") << "term\tlang\tweight\nchina\ten\t1\n";
    std::ofstream(dir / "README.md") << "not a lexicon\n";
    const auto lex = Lexicon::load_dir(dir);
    CHECK(lex->term_count() == 2);
    CHECK(lex->marker_categories() == std::vector<std::string>{"pride"});
    Scorer s(lex);
    const Score r = s.score("good china", "");
    CHECK(r.marker_hits[0] == 1);
    CHECK(sum_of(r) == doctest::Approx(1.9));

    std::ofstream(dir / "negators.tsv") << "term\tlang\nnot\tfr\n";
    try {
      Lexicon::load_dir(dir);
      FAIL("expected a LexiconError");
    } catch (const LexiconError& e) {
      CHECK(std::string(e.what()) ==
            dir.generic_string() + "/negators.tsv:2: lang 'fr' must be en or zh");
    }
    CHECK_THROWS_AS(Lexicon::load_dir(dir / "missing"), LexiconError);
    fs::remove_all(dir);
  }
}

TEST_SUITE("score.robustness") {
  TEST_CASE("adversarial inputs run in linear time (no assertions on time)") {
    std::string unit = "not very extremely GOOD!!! 不太很好😊[哈哈] but 根本不 差 @x http://y ";
    std::string adversarial;
    while (adversarial.size() < (1u << 20)) adversarial += unit;
    Scorer s(test_lexicon());
    const Score r = s.score(adversarial, "");
    CHECK(std::isfinite(r.compound));
    CHECK(r.compound >= -1);
    CHECK(r.compound <= 1);

    CHECK(s.score(std::string(100000, '!'), "").compound == 0);
    CHECK(s.score(std::string(1 << 20, 'a'), "").compound == 0);
    std::string han;
    while (han.size() < (1u << 20)) han += "好";
    CHECK(s.score(han, "").label == Label::positive);
    std::string chains;
    while (chains.size() < (1u << 20)) chains += "//@a:";
    CHECK(s.score(chains, "").compound == 0);
    Scorer keep(test_lexicon(), ScoreOptions{.score_repost_chain = true});
    CHECK(keep.score(chains, "").compound == 0);
    CHECK(s.score(std::string(1 << 20, '@'), "").compound == 0);
    std::string words;
    while (words.size() < (1u << 20)) words += "well well ";
    CHECK(s.score(words, "").label == Label::positive);

    // A long term over a text made of its prefixes: every walk is bounded by the term.
    std::string long_term;
    for (int i = 0; i < 32; ++i) long_term += "好";
    const auto lex = load({{"sentiment.zh.tsv", "term\tvalence\n" + long_term + "\t1\n"}});
    Scorer ls(lex);
    CHECK(ls.score(han, "").compound > 0);
  }

  // Scoring time must grow linearly with the text: for each adversarial pattern, text of
  // 4N bytes must take less than 8x the time of N bytes (linear gives ~4x, quadratic 16x).
  // CPU time of this thread, best of several rounds, so a loaded machine does not make it
  // flaky; no absolute time limit.
  TEST_CASE("scoring time is linear in text length on adversarial input") {
    auto cpu_seconds = [] {
      timespec ts{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
    };
    auto repeat = [](const std::string& unit, std::size_t bytes) {
      std::string out;
      while (out.size() < bytes) out += unit;
      return out;
    };
    const std::vector<std::pair<std::string, std::string>> patterns = {
        {"negations, boosters, emoji",
         "not very extremely GOOD!!! 不太很好😊[哈哈] but 根本不 差 never not 🇨🇳 "},
        {"markers and anchors", "美国遏制中国 proud of China [doge] 厉害了我的国 proud of my "},
        {"exclamation marks", "!"},
        {"one CJK character", "国"},
        {"not not not", "not "},
        {"unmatched letters", "a"},
    };
    Scorer scorer(builtin_lexicon());
    constexpr std::size_t kSmall = 256 << 10;
    constexpr int kRounds = 5;
    std::string report;
    for (const auto& pattern : patterns) {
      const std::string& name = pattern.first;  // not a structured binding: CAPTURE uses it
      const std::string small = repeat(pattern.second, kSmall);
      const std::string large = repeat(pattern.second, 4 * kSmall);
      double best[2] = {1e9, 1e9};
      for (int round = 0; round < kRounds; ++round) {
        for (int k = 0; k < 2; ++k) {
          const double t0 = cpu_seconds();
          const Score r = scorer.score(k ? large : small, "");
          best[k] = std::min(best[k], cpu_seconds() - t0);
          REQUIRE(std::isfinite(r.compound));
        }
      }
      const double ratio = best[1] / std::max(best[0], 1e-6);
      char row[160];
      std::snprintf(row, sizeof row, "  %-28s %7.2f ms (256 KB) %7.2f ms (1 MB)  x%.2f\n",
                    name.c_str(), best[0] * 1e3, best[1] * 1e3, ratio);
      report += row;
      CAPTURE(name);
      CHECK(ratio < 8.0);
    }
    MESSAGE("scoring time, best of " << kRounds << " rounds:\n" << report);
  }

  TEST_CASE("random mixes of tricky pieces keep every invariant") {
    const std::vector<std::string> pieces = {"not",
                                             "good",
                                             "GOOD",
                                             "bad",
                                             "very",
                                             "but",
                                             "at all",
                                             " ",
                                             "  ",
                                             "!",
                                             "！",
                                             "?",
                                             ".",
                                             ",",
                                             "@",
                                             "@u",
                                             "//@",
                                             "//",
                                             "http",
                                             "://",
                                             "www.",
                                             "ｗ",
                                             "ｇｏｏｄ",
                                             "　",
                                             "’",
                                             "'",
                                             "oooo",
                                             "haaa",
                                             "ppy",
                                             "不",
                                             "好",
                                             "错",
                                             "差劲",
                                             "很",
                                             "根本",
                                             "但是",
                                             "😊",
                                             "❤️",
                                             "🇨🇳",
                                             "🇸",
                                             "[哈哈]",
                                             "[",
                                             "]",
                                             ":)",
                                             "\xff",
                                             "\xe4\xbd",
                                             "\xc3",
                                             "\t\n",
                                             "厉害了我的国",
                                             "made-in-china",
                                             "1",
                                             "é"};
    uint64_t state = 42;
    auto next = [&] {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      return static_cast<std::size_t>(state >> 33);
    };
    Scorer reused(test_lexicon());
    Scorer chain(test_lexicon(), ScoreOptions{.score_repost_chain = true});
    for (int round = 0; round < 3000; ++round) {
      std::string text;
      const std::size_t len = next() % 40;
      for (std::size_t k = 0; k < len; ++k) text += pieces[next() % pieces.size()];
      std::vector<ExplainItem> items;
      for (Scorer* sc : {&reused, &chain}) {
        const Score r = sc->score(text, round % 2 ? "" : "zh", round % 7 == 0 ? &items : nullptr);
        REQUIRE(std::isfinite(r.compound));
        CHECK(r.compound >= -1);
        CHECK(r.compound <= 1);
        const double shares = r.pos + r.neu + r.neg;
        CHECK((shares == 0 || std::abs(shares - 1) < 1e-9));
        CHECK(r.pos >= 0);
        CHECK(r.neg >= 0);
        CHECK(r.lang < kScoreLangs.size());
      }
      Scorer fresh(test_lexicon());
      CHECK(fresh.score(text, "").compound == reused.score(text, "").compound);
    }
  }

  TEST_CASE("no allocation per call once warm (explain off)") {
    const std::vector<std::string> texts = {
        "not very GOOD but 厉害了我的国!! 🇨🇳 [doge] yeah right", "haaaappy sooo good",
        "好//@某人:差劲", "http://x.com @someone well done", std::string(3000, 'x') + " bad"};
    Scorer s(test_lexicon());
    Scorer chain(test_lexicon(), ScoreOptions{.score_repost_chain = true});
    for (const auto& t : texts) {  // warm up: buffers grow to the largest text
      s.score(t, "");
      chain.score(t, "");
    }
    g_allocations = 0;
    g_count_allocations = true;
    for (int r = 0; r < 10; ++r)
      for (const auto& t : texts) {
        s.score(t, "en");
        chain.score(t, "");
      }
    g_count_allocations = false;
    CHECK(g_allocations == 0);
  }

  TEST_CASE("scratch reuse gives the same result as a fresh scorer") {
    const std::vector<std::string> texts = {"not good at all",
                                            "好//@某人:差劲",
                                            "GOOOOD movie!!",
                                            "very bad but happy",
                                            "",
                                            std::string(5000, 'x') + " good",
                                            "厉害了我的国 🇨🇳",
                                            "haaaappy"};
    Scorer reused(test_lexicon());
    for (int round = 0; round < 2; ++round) {
      for (const auto& t : texts) {
        Scorer fresh(test_lexicon());
        const Score a = reused.score(t, ""), b = fresh.score(t, "");
        CHECK(a.compound == b.compound);
        CHECK(a.pos == b.pos);
        CHECK(a.marker_hits == b.marker_hits);
        CHECK(a.lang == b.lang);
      }
    }
  }
}

// Fast paths of the scanner and normaliser (Han runs copied 15 bytes at a time, walks
// that start from a precomputed Han state, role bits carried in the matcher's values):
// each must give what the one-character-at-a-time path gives, at every offset.
TEST_SUITE("score.fastpaths") {
  std::shared_ptr<const Lexicon> fast_lexicon() {
    static const auto lex = load({
        {"sentiment.zh.tsv", "term\tvalence\n好看\t2.5\n好\t2\n看好\t1\n㐀㐁\t1.5\n很棒\t3\n"},
        {"sentiment.en.tsv", "term\tvalence\ngood\t2\nhappy\t1\n"},
        {"contrast.tsv", "term\tlang\nbut\ten\n但是\tzh\n"},
        {"markers/pride.tsv", "term\tlang\tweight\n好看\tzh\t1.0\n但是\tzh\t1.0\n"},
    });
    return lex;
  }

  std::string repeat(std::string_view piece, int k) {
    std::string out;
    for (int i = 0; i < k; ++i) out += piece;
    return out;
  }

  TEST_CASE("a Han term at every offset of a Han run") {
    Scorer s(fast_lexicon());
    const std::size_t pride = category(s.lexicon(), "pride");
    for (int pre = 0; pre <= 20; ++pre) {
      for (int post = 0; post <= 20; ++post) {
        CAPTURE(pre);
        CAPTURE(post);
        // 一 starts no term: one neutral token each.
        const std::string text = repeat("一", pre) + "好看" + repeat("一", post);
        const Score r = s.score(text, "");
        CHECK(sum_of(r) == doctest::Approx(2.5));
        CHECK(r.pos == doctest::Approx(3.5 / (3.5 + pre + post)));
        CHECK(r.neu == doctest::Approx((pre + post) / (3.5 + pre + post)));
        CHECK(r.marker_hits[pride] == 1);
        CHECK(r.lang == 2);
        // A single-character term at the end of the text, and one right before the term.
        CHECK(sum_of(s.score(repeat("一", pre) + "好", "")) == doctest::Approx(2.0));
        CHECK(sum_of(s.score(repeat("一", pre) + "好好看" + repeat("一", post), "")) ==
              doctest::Approx(4.5));
        // A malformed byte inside the run is a space and ends nothing else.
        const std::string broken = repeat("一", pre) + "\xE5\x80" + repeat("一", post) + "很棒";
        CHECK(sum_of(s.score(broken, "")) == doctest::Approx(3.0));
      }
    }
  }

  TEST_CASE("short ASCII runs between non-ASCII characters, at every offset") {
    Scorer s(fast_lexicon());
    for (int pad = 0; pad <= 20; ++pad) {
      CAPTURE(pad);
      const std::string pre = repeat("一", pad);
      CHECK(sum_of(s.score(pre + "GOOOOD好", "")) == doctest::Approx(4.0));   // all caps text
      CHECK(sum_of(s.score(pre + "haaappy好", "")) == doctest::Approx(3.0));  // 1-letter form
      const Score spaced = s.score(pre + "a  好", "");
      CHECK(spaced.pos == doctest::Approx(3.0 / (3.0 + pad + 1)));
      CHECK(sum_of(s.score(pre + "@ab，好", "")) == doctest::Approx(2.0));  // mention ends at ，
      CHECK(sum_of(s.score(pre + "[good]好", "")) == doctest::Approx(4.0));
      CHECK(sum_of(s.score(" 好" + pre, "")) == doctest::Approx(2.0));
    }
  }

  TEST_CASE("Han outside U+4000..U+9FFF and mixed scripts use the general path") {
    Scorer s(fast_lexicon());
    CHECK(sum_of(s.score("㐀㐁", "")) == doctest::Approx(1.5));
    CHECK(sum_of(s.score("一一一一一一㐀㐁一", "")) == doctest::Approx(1.5));
    CHECK(sum_of(s.score("good好看", "")) == doctest::Approx(4.5));
    CHECK(sum_of(s.score("看好看", "")) == doctest::Approx(1.0));  // 看好 first, then 看
  }

  TEST_CASE("contrast, caps and markers through the matcher's role bits") {
    Scorer s(fast_lexicon());
    const std::size_t pride = category(s.lexicon(), "pride");
    // GOOD: (2 + 0.733) * 0.5 before 'but'; good: 2 * 1.5 after it.
    CHECK(sum_of(s.score("GOOD but good", "")) == doctest::Approx(2.733 * 0.5 + 3.0));
    const Score z = s.score("好看但是很棒", "");
    CHECK(sum_of(z) == doctest::Approx(2.5 * 0.5 + 3.0 * 1.5));
    CHECK(z.marker_hits[pride] == 2);
    std::vector<ExplainItem> explain;
    s.score("好看但是很棒", "", &explain);
    REQUIRE(explain.size() == 7);
    CHECK(explain[0].kind == "marker");
    CHECK(explain[1].kind == "marker");
    CHECK(explain[2].kind == "marker_category");
    CHECK(explain[3].text == "好看");
    CHECK(explain[4].kind == "contrast");
    CHECK(explain[5].text == "很棒");
    CHECK(explain[6].kind == "contrast");
  }
}

// The default lexicons of config/lexicons/. Each check needs certain files; while a file
// is still being written the check is skipped with a message.
TEST_SUITE("score.builtin") {
  TEST_CASE("the built-in lexicon loads") {
    const auto lex = builtin_lexicon();
    REQUIRE(lex);
    MESSAGE("built-in lexicon: " << builtin_lexicon_files().size() << " files, "
                                 << lex->term_count() << " terms, "
                                 << lex->marker_categories().size() << " marker categories");
  }

  TEST_CASE("required behaviour of the default lexicons") {
    Scorer s(builtin_lexicon());
    const Lexicon& lex = s.lexicon();
    const std::size_t pride = category(lex, "pride");
    if (have({"sentiment.en.tsv", "markers/pride.tsv"})) {
      REQUIRE(pride < lex.marker_categories().size());
      const Score r = s.score("the glory of made-in-China", "en");
      CHECK(r.label == Label::positive);
      CHECK(r.marker_hits[pride] >= 1);
    }
    if (have({"sentiment.en.tsv", "negators.tsv"}))
      CHECK(s.score("not good at all", "en").label == Label::negative);
    if (have({"markers/pride.tsv"})) {
      REQUIRE(pride < lex.marker_categories().size());
      CHECK(s.score("厉害了我的国", "zh").marker_hits[pride] >= 1);
    }
    if (have({"sentiment.zh.tsv", "negators.tsv"}))
      CHECK(s.score("不好", "zh").label == Label::negative);
    if (have({"sentiment.zh.tsv"})) {
      CHECK(s.score("不错", "zh").label == Label::positive);
      CHECK(s.score("这个产品很差劲", "zh").label == Label::negative);
    }
  }
}

// Throughput, not a test: run with
//   ./build/score-rel/tests/test_score -tc='throughput*' --no-skip
// Scores real tweets and Weibo posts from ../shared/data (synthetic posts when absent) with
// the built-in lexicon, one thread; prints the best of several rounds, in CPU time.
TEST_CASE("throughput (benchmark, skipped by default)" * doctest::skip()) {
  auto read_lines = [](const std::string& path, bool tsv) {
    std::vector<std::string> posts;
    std::ifstream in(path);
    std::string line;
    for (bool header = tsv; std::getline(in, line); header = false)
      if (!header) posts.push_back(tsv ? line.substr(line.find('\t') + 1) : line);
    return posts;
  };
  const std::string shared = SENTISTREAM_SHARED_DATA;
  std::vector<std::pair<std::string, std::vector<std::string>>> sets = {
      {"tweets (en)", read_lines(shared + "/labeled/tweeteval_val_text.txt", false)},
      {"weibo (zh)", read_lines(shared + "/labeled/weibo_senti_100k_dev.tsv", true)}};
  if (sets[0].second.empty() || sets[1].second.empty()) {
    MESSAGE("../shared/data absent: synthetic posts");
    sets = {{"synthetic", {}}};
    for (int i = 0; i < 2000; ++i)
      sets[0].second.push_back(
          "@user this is not very good at all, but the new phone is GREAT!!! "
          "http://t.co/abc 这个产品很差劲，不过客服还不错[哈哈] #test " +
          std::to_string(i));
  }
  Scorer s(builtin_lexicon());
  auto cpu_seconds = [] { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; };
  for (const auto& [name, posts] : sets) {
    std::size_t bytes = 0;
    for (const auto& p : posts) bytes += p.size();
    double sink = 0, best = 1e30;
    const int rounds = std::max(1, static_cast<int>((8u << 20) / std::max<std::size_t>(bytes, 1)));
    for (int rep = 0; rep < 15; ++rep) {
      const double t0 = cpu_seconds();
      for (int r = 0; r < rounds; ++r)
        for (const auto& p : posts) sink += s.score(p, "").compound;
      best = std::min(best, cpu_seconds() - t0);
    }
    MESSAGE(name << ": " << posts.size() << " posts, " << bytes / posts.size()
                 << " bytes/post: " << static_cast<double>(bytes) * rounds / best / 1e6 << " MB/s, "
                 << posts.size() * rounds / best / 1e6 << " M posts/s (" << s.lexicon().term_count()
                 << " terms; checksum " << sink << ")");
  }
}

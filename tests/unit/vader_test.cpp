// VADER engine (operators/score/vader.h) on a tiny lexicon written by the test itself, so
// it runs without VADER's files. Expected values were computed by hand from the algorithm
// (the working is in the comments) and cross-checked with vaderSentiment 3.3.2 loaded with
// the same two files; tests/vader/vader_diff.py checks the full lexicon on 26k texts.
#include "operators/score/vader.h"

#include <doctest/doctest.h>

#include "config/config.h"

#include <string>

using namespace sentistream::vader;

namespace {

// "good" twice: the last line wins (1.9), as in VADER's dict.
constexpr const char* kLexicon = "good\t1.0\nbad\t-2.0\ngreat\t3.8\nsad\t-1.5\ngood\t1.9\n";
constexpr const char* kEmoji = "\xF0\x9F\x98\x80\tgood face\n";  // U+1F600

std::string scores(const char* text) {
  static auto lexicon = VaderLexicon::from_text("lex.txt", kLexicon, "emoji.txt", kEmoji);
  static VaderAnalyzer analyzer(lexicon);
  std::string out;
  append_scores_json(analyzer.polarity_scores(text), out);
  return out;
}

}  // namespace

TEST_CASE("lexicon loading") {
  auto lx = VaderLexicon::from_text("lex.txt", kLexicon, "emoji.txt", kEmoji);
  CHECK(lx->lexicon_size() == 4);
  CHECK(lx->emoji_size() == 1);
  // compound 1.9 / sqrt(1.9^2 + 15) = 0.44044: the last "good" line counted, not the first.
  CHECK(scores("good") == R"({"neg":0.0,"neu":0.0,"pos":1.0,"compound":0.4404})");
}

TEST_CASE("bad lexicon files name file, line and problem") {
  try {
    VaderLexicon::from_text("lex.txt", "good\t1\nnotab\nbad\tx\n", "emoji.txt", "e\n");
    FAIL("no error");
  } catch (const VaderLexiconError& e) {
    std::string m = e.what();
    CHECK(m.find("lex.txt:2: expected 'word<TAB>valence'") != std::string::npos);
    CHECK(m.find("lex.txt:3: valence 'x' is not a number") != std::string::npos);
    CHECK(m.find("emoji.txt:1: expected 'emoji<TAB>description'") != std::string::npos);
  }
  CHECK_THROWS_AS(VaderLexicon::load("/nonexistent/vader_lexicon.txt", ""), VaderLexiconError);
  CHECK_THROWS_AS(VaderLexicon::from_text("lex.txt", "\n\n", "e", ""), VaderLexiconError);
}

TEST_CASE("negation") {
  // "not" right before: 1.9 * -0.74 = -1.406; compound -1.406/sqrt(1.976836+15) = -0.34124.
  // neg = 2.406 / (2.406 + 1 neutral) = 0.7064, neu = 1/3.406 = 0.2936.
  CHECK(scores("not good") == R"({"neg":0.706,"neu":0.294,"pos":0.0,"compound":-0.3412})");
  // "least" before a word that is not "at least"/"very least" negates like "not".
  CHECK(scores("least good") == R"({"neg":0.706,"neu":0.294,"pos":0.0,"compound":-0.3412})");
  // "isn't" two words back: (1.9 + 0.293) = 2.193 from "very", then * -0.74 = -1.62282;
  // compound -1.62282/sqrt(2.633545+15) = -0.38646.
  CHECK(scores("isn't very good") == R"({"neg":0.567,"neu":0.433,"pos":0.0,"compound":-0.3865})");
  // "no" not in the lexicon still flips the next lexicon word: -1.5 * -0.74 = +1.11.
  CHECK(scores("no sad") == R"({"neg":0.0,"neu":0.322,"pos":0.678,"compound":0.2755})");
  // "never so": "so" boosts (2.193), then "never so" multiplies by 1.25 = 2.74125 -> 0.57772.
  CHECK(scores("never so good") == R"({"neg":0.0,"neu":0.348,"pos":0.652,"compound":0.5777})");
}

TEST_CASE("boosters and 'kind of'") {
  // 1.9 + 0.293 = 2.193 -> 2.193/sqrt(4.809249+15) = 0.49272; pos 3.193/4.193 = 0.76151.
  CHECK(scores("very good") == R"({"neg":0.0,"neu":0.238,"pos":0.762,"compound":0.4927})");
  // "kind" before "of" scores 0 and is no booster for "good": only 1.9 is left.
  CHECK(scores("kind of good") == R"({"neg":0.0,"neu":0.408,"pos":0.592,"compound":0.4404})");
}

TEST_CASE("caps differential") {
  // GOOD is ALL CAPS and "day" is not: 1.9 + 0.733 = 2.633 -> 0.56222; pos 3.633/4.633.
  CHECK(scores("GOOD day") == R"({"neg":0.0,"neu":0.216,"pos":0.784,"compound":0.5622})");
  // Every word in caps: no differential, same as "good day".
  CHECK(scores("GOOD DAY") == scores("good day"));
}

TEST_CASE("but") {
  // [1.9, 0, -2] -> [0.95, 0, -3.0]: sum -2.05 -> -0.46782; pos 1.95, neg 4.0, neu 1 of 6.95.
  CHECK(scores("good but bad") == R"({"neg":0.576,"neu":0.144,"pos":0.281,"compound":-0.4678})");
  // list.index() quirk: great (3.8) is halved to 1.9 first; then "good" (1.9) is looked up
  // with index(1.9), which finds position 0, so position 0 is halved again (0.95) and
  // "good" keeps 1.9 instead of 2.85. Sum 2.85 -> 0.59269; pos (1.95 + 2.9) / 5.85.
  CHECK(scores("great but good") == R"({"neg":0.0,"neu":0.171,"pos":0.829,"compound":0.5927})");
  CHECK(scores("great BUT good") == scores("great but good"));
}

TEST_CASE("but: long texts take the O(n log n) path with the same list.index() result") {
  // 230 tokens (over the 128 where the per-value position heaps take over from the
  // linear scans), 20 "but"s, values repeating before and after the first one. Expected
  // value from vaderSentiment 3.3.2 with the same two files (too long to do by hand).
  std::string text;
  for (int i = 0; i < 50; ++i) text += "great good sad ";
  for (int i = 0; i < 20; ++i) text += "but great good bad ";
  CHECK(scores(text.c_str()) == R"({"neg":0.278,"neu":0.033,"pos":0.689,"compound":0.9998})");
}

TEST_CASE("! and ? amplification") {
  // Two "!": 1.9 + 2*0.292 = 2.484 -> 0.53987; pos (2.9 + 0.584) / 4.484 = 0.77698.
  CHECK(scores("good day!!") == R"({"neg":0.0,"neu":0.223,"pos":0.777,"compound":0.5399})");
  // Three "?": + 3*0.18 = 2.44 -> 0.53304.
  CHECK(scores("good???") == R"({"neg":0.0,"neu":0.0,"pos":1.0,"compound":0.533})");
  // At most 4 "!" count.
  CHECK(scores("good!!!!") == scores("good!!!!!!!!"));
}

TEST_CASE("emoji, empty and whitespace-only text") {
  // U+1F600 becomes "good face": [1.9, 0] -> pos 2.9/3.9 = 0.74359.
  CHECK(scores("\xF0\x9F\x98\x80") == R"({"neg":0.0,"neu":0.256,"pos":0.744,"compound":0.4404})");
  CHECK(scores("") == R"({"neg":0.0,"neu":0.0,"pos":0.0,"compound":0.0})");
  CHECK(scores(" \t\xE3\x80\x80 ") == R"({"neg":0.0,"neu":0.0,"pos":0.0,"compound":0.0})");
  // Malformed UTF-8 is one plain character, never a crash.
  CHECK(scores("good \xFF\xFE") == R"({"neg":0.0,"neu":0.256,"pos":0.744,"compound":0.4404})");
}

TEST_CASE("Python round() and repr()") {
  // Values from CPython 3.11: round() rounds the exact binary value, ties to even.
  CHECK(python_round(0.0625, 3) == 0.062);
  CHECK(python_round(0.125, 2) == 0.12);
  CHECK(python_round(2.675, 2) == 2.67);  // 2.675 is 2.67499999... in binary
  CHECK(python_round(0.0005, 3) == 0.001);
  CHECK(python_round(0.0015, 3) == 0.002);
  CHECK(python_round(0.12345, 4) == 0.1235);
  CHECK(python_round(0.9999999, 3) == 1.0);
  auto repr = [](double x) {
    std::string s;
    append_python_float(x, s);
    return s;
  };
  CHECK(repr(python_round(-1e-7, 4)) == "-0.0");
  CHECK(repr(python_round(5e-5, 4)) == "0.0001");
  CHECK(repr(1.0) == "1.0");
  CHECK(repr(0.0) == "0.0");
  CHECK(repr(python_round(0.44044, 4)) == "0.4404");
  CHECK(repr(python_round(0.5399999, 3)) == "0.54");
}

TEST_CASE("config: engine vader needs score.vader_lexicon") {
  sentistream::ConfigSources src;
  src.use_environment = false;
  src.overrides = {"score.engine=\"vader\""};
  try {
    sentistream::load_config(src);
    FAIL("no error");
  } catch (const sentistream::ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].find("score.engine") != std::string::npos);
    CHECK(e.problems()[0].find("score.vader_lexicon") != std::string::npos);
  }
  src.overrides.push_back("score.vader_lexicon=\"lex.txt\"");
  const sentistream::Config c = sentistream::load_config(src);
  CHECK(c.engine == "vader");
  CHECK(c.vader_lexicon == "lex.txt");
  CHECK(c.vader_emoji_lexicon.empty());
}

// VADER mode: reproduces vaderSentiment 3.3.2's
// SentimentIntensityAnalyzer().polarity_scores(text) to the printed digit, quirks included
// (see README.md, "VADER mode"). VADER's own lexicon files are loaded from paths the user
// gives; nothing of VADER is compiled in except the rule words its code names (negators,
// boosters, special-case idioms).
//
// Threading: a VaderLexicon is immutable and shared by all threads. A VaderAnalyzer owns
// scratch buffers and is used by one thread at a time; once its buffers have grown to the
// longest text seen, polarity_scores() allocates nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sentistream::vader {

// Raised while loading VADER's files; what() names the file, the line and the problem,
// one problem per line: "vader_lexicon.txt:17: valence 'x' is not a number".
class VaderLexiconError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The four values of polarity_scores(), already rounded as Python's round() rounds them
// (neg/neu/pos to 3 decimals, compound to 4).
struct VaderScores {
  double neg = 0;
  double neu = 0;
  double pos = 0;
  double compound = 0;
};

class VaderLexicon {
 public:
  // Reads vader_lexicon.txt and emoji_utf8_lexicon.txt (an empty emoji path means no
  // emoji replacement). Throws VaderLexiconError naming the path on any problem.
  static std::shared_ptr<const VaderLexicon> load(const std::string& lexicon_path,
                                                  const std::string& emoji_path);
  // Same from in-memory contents; the names are what error messages cite.
  static std::shared_ptr<const VaderLexicon> from_text(std::string_view lexicon_name,
                                                       std::string_view lexicon_text,
                                                       std::string_view emoji_name,
                                                       std::string_view emoji_text);

  std::size_t lexicon_size() const;  // distinct lexicon keys (duplicates: last wins)
  std::size_t emoji_size() const;    // single-code-point emoji keys (the only ones VADER uses)

  struct Impl;
  explicit VaderLexicon(std::unique_ptr<Impl> impl);
  ~VaderLexicon();
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

class VaderAnalyzer {
 public:
  explicit VaderAnalyzer(std::shared_ptr<const VaderLexicon> lexicon);
  ~VaderAnalyzer();
  VaderAnalyzer(const VaderAnalyzer&) = delete;
  VaderAnalyzer& operator=(const VaderAnalyzer&) = delete;

  // `text` is UTF-8. A malformed byte counts as one character that is neither a letter,
  // punctuation nor whitespace (Python could not hold such a string at all).
  VaderScores polarity_scores(std::string_view text);

 private:
  struct Scratch;
  std::shared_ptr<const VaderLexicon> lexicon_;
  std::unique_ptr<Scratch> scratch_;
};

// Python's round(x, ndigits): the exact binary value rounded to the nearest decimal with
// ndigits fraction digits, exact ties to even, converted back to the nearest double.
double python_round(double x, int ndigits);
// Appends Python's repr() of a float that has at most 17 significant digits in fixed
// notation (every value VADER prints): shortest round-trip digits, at least one fraction
// digit ("0.0", "-0.0", "1.0", "0.4404").
void append_python_float(double x, std::string& out);
// {"neg":0.0,"neu":0.508,"pos":0.492,"compound":0.4404} — Python's dict order and repr.
void append_scores_json(const VaderScores& s, std::string& out);

// VADER's usual labels from the printed compound: >= 0.05 positive, <= -0.05 negative.
inline int label_of(double compound) {
  return compound >= 0.05 ? 1 : compound <= -0.05 ? -1 : 0;
}

}  // namespace sentistream::vader

// The lexicon scorer: sentiment (English and Chinese) plus marker categories.
//
// Lexicon is immutable after loading and shared by all threads (const access only).
// Scorer holds per-thread scratch buffers: one Scorer per thread.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "operators/post.h"

namespace sentistream {

// Raised while loading lexicons; what() names file, line and problem:
// "config/lexicons/sentiment.en.tsv:17: valence 'x' is not a number".
class LexiconError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Lexicon {
 public:
  // Loads every lexicon file from a directory laid out as config/lexicons/.
  static std::shared_ptr<const Lexicon> load_dir(const std::filesystem::path& dir);
  // Loads from in-memory files. `name` is the path relative to the lexicon directory
  // ("sentiment.en.tsv", "markers/pride.tsv") and is what error messages cite; the
  // default lexicons compiled into the binary come through here (config/builtin).
  struct File {
    std::string name;
    std::string_view contents;
  };
  static std::shared_ptr<const Lexicon> load_files(const std::vector<File>& files,
                                                   const std::string& origin);

  // Marker category names, index = position in Score::marker_hits.
  const std::vector<std::string>& marker_categories() const;
  std::size_t term_count() const;

  struct Impl;
  explicit Lexicon(std::unique_ptr<Impl> impl);
  ~Lexicon();
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct ScoreOptions {
  bool score_repost_chain = false;  // also score Weibo "//@user:" chains and quoted text
};

// One matched term or applied rule, for `score --explain`.
struct ExplainItem {
  std::string kind;  // "term", "negation", "booster", "contrast", "caps", "exclaim", "marker", ...
  std::string text;  // the matched text
  double value = 0;  // valence or factor
  std::string note;  // e.g. "negated by 'not' -> -1.85", "category=pride"
};

class Scorer {
 public:
  Scorer(std::shared_ptr<const Lexicon> lexicon, ScoreOptions opts = {});
  ~Scorer();
  Scorer(const Scorer&) = delete;
  Scorer& operator=(const Scorer&) = delete;

  // Scores `text`. lang_hint is the platform's language tag (may be empty or "und");
  // when absent, language comes from the script. When explain is non-null, matched
  // terms and rules are appended to it (slow path, for the CLI only).
  Score score(std::string_view text, std::string_view lang_hint,
              std::vector<ExplainItem>* explain = nullptr);

  const Lexicon& lexicon() const { return *lexicon_; }

 private:
  std::shared_ptr<const Lexicon> lexicon_;
  ScoreOptions opts_;
  struct Scratch;
  std::unique_ptr<Scratch> scratch_;
};

}  // namespace sentistream

// `sentistream eval`: scores a labelled data set and reports accuracy, macro-F1,
// per-class precision/recall/F1 and the confusion matrix.
//
// The readers and the metric computation are pure functions so they can be tested
// without the CLI; run_eval (commands.h) wires them to the scorer.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "operators/score/scorer.h"
#include "pipeline/commands.h"

namespace sentistream {
// The eval command after config and lexicons are loaded (commands.cpp run_eval).
int run_eval_scored(const Config& config, std::shared_ptr<const Lexicon> lexicon,
                    const EvalArgs& args);
}  // namespace sentistream

namespace sentistream::eval {

// Gold and predicted classes. 2-class tasks use only negative and positive.
enum class Polarity : uint8_t { negative = 0, neutral = 1, positive = 2 };
inline constexpr std::array<std::string_view, 3> kPolarityNames = {"negative", "neutral",
                                                                   "positive"};

enum class Task : uint8_t { three_class, two_class };

// A data set problem the user must fix (unreadable file, bad header, unknown label).
// what() names the file and, where there is one, the line.
class LabelsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Example {
  std::string text;
  Polarity gold;
};

struct Dataset {
  std::vector<Example> examples;
  uint64_t skipped = 0;      // rows whose label has no polarity (NLPCC "surprise")
  std::string skipped_note;  // why they were skipped, for the report
};

// Input formats:
//  tsv         header line with a column named "label" and one text column (the other
//              column, or the one named "text"); labels negative|neutral|positive
//              (or neg|neu|pos) or integers 0|1|2 (3-class) / 0|1 (2-class: 1 positive).
//  weibo_senti weibo_senti_100k layout: header "label<TAB>review" (any text column
//              name), 1 positive, 0 negative; text may contain tabs.
//  tweeteval   one label per line (0 negative, 1 neutral, 2 positive) in `path`, texts
//              one per line in `texts_path`.
//  nlpcc       NLPCC 2013 Weibo emotion XML: the post-level emotion-type maps
//              like/happiness -> positive, sadness/disgust/anger/fear -> negative,
//              none -> neutral; surprise has no polarity and is skipped.
enum class Format : uint8_t { tsv, weibo_senti, tweeteval, nlpcc };
bool parse_format(std::string_view name, Format& out);

struct ReadOptions {
  Format format = Format::tsv;
  Task task = Task::three_class;
  std::string texts_path;        // tweeteval only
  bool strip_emoticons = false;  // remove Weibo bracket emoticons ("[哈哈]") from texts
};

// Reads a labelled file. In a 2-class task, neutral gold rows are skipped (counted).
Dataset read_dataset(const std::string& path, const ReadOptions& opts);

// Removes Weibo bracket emoticons: '[' + 1..8 code points with no brackets, spaces or
// line breaks + ']'. Longer bracketed text ("[citation needed for this]") is kept.
std::string strip_bracket_emoticons(std::string_view text);

// Prediction rule from a compound score. 3-class: the engine's own label; 2-class:
// compound >= 0 -> positive (fixed a priori: a text with no sentiment evidence counts
// as positive, as the common VADER convention; never tuned on evaluation rows).
Polarity predict(Task task, double compound, Polarity engine_label);

struct ClassMetrics {
  double precision = 0, recall = 0, f1 = 0;
  uint64_t support = 0;    // gold rows of the class
  uint64_t predicted = 0;  // rows predicted as the class
};

struct Metrics {
  std::vector<Polarity> classes;                 // row/column order of the confusion matrix
  std::vector<std::vector<uint64_t>> confusion;  // [gold][predicted]
  std::vector<ClassMetrics> per_class;
  uint64_t rows = 0;
  double accuracy = 0;
  double macro_f1 = 0;  // unweighted mean of per-class F1 (0 for a class never predicted)
};

// `gold` and `pred` are aligned. A prediction outside the task's classes (neutral in a
// 2-class task) is a std::invalid_argument: predict() never produces one.
Metrics compute_metrics(Task task, const std::vector<Polarity>& gold,
                        const std::vector<Polarity>& pred);

// Human-readable report (stdout) and JSON report (--output).
struct ReportInfo {
  std::string labels_path, format, task, lang, engine, prediction_rule;
  bool strip_emoticons = false;
  uint64_t skipped = 0;
  std::string skipped_note;
  double seconds = 0;
};
std::string format_text_report(const Metrics& m, const ReportInfo& info);
std::string format_json_report(const Metrics& m, const ReportInfo& info);

}  // namespace sentistream::eval

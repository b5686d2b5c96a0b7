// The CLI subcommands as functions (main.cpp only parses arguments). Each returns the
// process exit code: 0 ok, 1 runtime error, 2 bad usage / config / lexicon.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace sentistream {

struct Config;
class Lexicon;

struct CommonArgs {
  std::string config_file;
  std::vector<std::string> overrides;  // --set section.key=value
};

struct ReplayArgs {
  std::vector<std::string> inputs;
  int threads = 0;
  std::string output;   // empty = config output.path
  std::string format;   // empty = config output.format
  std::string summary;  // empty = stderr
  std::string dlq;      // empty = config output.dlq
  int batch_docs = 0;   // 0 = config pipeline.batch_docs
  bool progress = false;
  bool quiet = false;
};

struct ScoreArgs {
  bool explain = false;
  std::string lang;
  // Empty = from the config; main.cpp turns these into score.* overrides.
  std::string engine;
  std::string vader_lexicon;
  std::string vader_emoji_lexicon;
};

// `sentistream eval` (pipeline/eval.h): metrics of the scorer on a labelled file.
struct EvalArgs {
  std::string labels;  // labelled file (for tweeteval: the labels file)
  std::string texts;   // tweeteval texts file (default: labels path with "labels" -> "text")
  std::string format = "tsv";  // tsv | weibo_senti | tweeteval | nlpcc
  std::string task;            // 3class | 2class; empty = from the format
  std::string lang;            // language hint for every text; empty = detect
  std::string output;          // JSON report path; empty = none
  bool strip_emoticons = false;
};

// Loads config (file, environment, --set) and lexicons, printing every problem on stderr.
// Returns false on failure (exit code 2: nothing has been read or written yet).
bool load_setup(const CommonArgs& common, Config& config, std::shared_ptr<const Lexicon>& lexicon);

int run_replay(const CommonArgs& common, const ReplayArgs& args);
int run_score(const CommonArgs& common, const ScoreArgs& args);
int run_validate(const CommonArgs& common);
int run_eval(const CommonArgs& common, const EvalArgs& args);

}  // namespace sentistream

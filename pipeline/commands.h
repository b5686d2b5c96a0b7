// The CLI subcommands as functions (main.cpp only parses arguments). Each returns the
// process exit code: 0 ok, 1 runtime error, 2 bad usage / config / lexicon.
#pragma once

#include <string>
#include <vector>

namespace sentistream {

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
};

int run_replay(const CommonArgs& common, const ReplayArgs& args);
int run_score(const CommonArgs& common, const ScoreArgs& args);
int run_validate(const CommonArgs& common);

}  // namespace sentistream

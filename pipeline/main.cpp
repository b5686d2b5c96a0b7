// sentistream command line: replay, score, validate.
//
// Exit codes: 0 done (rejected posts do not fail a run), 2 bad usage, config or lexicon
// (reported before any work), 1 fatal runtime error (unreadable input, unwritable output).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "config/builtin_lexicons.h"
#include "config/config.h"
#include "pipeline/commands.h"

#ifndef SENTISTREAM_VERSION
#define SENTISTREAM_VERSION "0.0.0"
#endif

using namespace sentistream;

int main(int argc, char** argv) {
  CLI::App app{"sentistream: sentiment and national-pride markers over social-media streams",
               "sentistream"};
  app.set_version_flag("--version", std::string("sentistream ") + SENTISTREAM_VERSION);
  app.require_subcommand(1);

  CommonArgs common;
  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--config,-c", common.config_file, "TOML config file (default: built-in)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--set", common.overrides,
                    "Override a config option: section.key=value (repeatable)");
  };

  ReplayArgs replay;
  CLI::App* replay_cmd = app.add_subcommand(
      "replay",
      "Replay dump files (NDJSON or JSON; .gz/.zst/.bz2; - = stdin) into windowed "
      "aggregates");
  add_common(replay_cmd);
  replay_cmd->add_option("--threads,-t", replay.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 256));
  replay_cmd->add_option("--output,-o", replay.output, "Aggregates to this file, - = stdout");
  replay_cmd->add_option("--format,-f", replay.format, "jsonl or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  replay_cmd->add_option("--summary", replay.summary,
                         "Write the one-line JSON run summary here (default: stderr)");
  replay_cmd->add_option("--dlq", replay.dlq, "Dead-letter file for rejected input");
  replay_cmd
      ->add_option("--batch-docs", replay.batch_docs,
                   "Documents per batch (tuning; output does not depend on it)")
      ->check(CLI::Range(1, 1 << 20));
  auto* progress = replay_cmd->add_flag("--progress", replay.progress,
                                        "Show a progress bar even when stderr is not a terminal");
  replay_cmd->add_flag("--quiet,-q", replay.quiet, "No progress bar, no summary on stderr")
      ->excludes(progress);
  replay_cmd->add_option("inputs", replay.inputs, "Input files")->required();

  ScoreArgs score;
  CLI::App* score_cmd = app.add_subcommand(
      "score", "Score text: one text per line on stdin, one JSON object per line on stdout");
  add_common(score_cmd);
  score_cmd->add_flag("--explain", score.explain, "Add matched terms and applied rules");
  score_cmd->add_option("--lang", score.lang, "Language hint for every line (en, zh, ...)");

  CLI::App* validate_cmd =
      app.add_subcommand("validate", "Check the config and lexicons; print the effective config");
  add_common(validate_cmd);
  bool describe = false;
  validate_cmd->add_flag("--describe", describe, "Print the table of every option instead");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  try {
    if (*replay_cmd) return run_replay(common, replay);
    if (*score_cmd) return run_score(common, score);
    if (*validate_cmd) {
      if (describe) {
        std::cout << describe_options();
        return 0;
      }
      return run_validate(common);
    }
  } catch (const std::exception& e) {  // last resort: a message and exit 1, never abort
    std::cerr << "sentistream: fatal: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

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
#include "pipeline/live.h"
#include "pipeline/produce.h"

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
  std::string log_level, log_format, metrics_listen;  // become log.* / metrics.* overrides
  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--config,-c", common.config_file, "TOML config file (default: built-in)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--set", common.overrides,
                    "Override a config option: section.key=value (repeatable)");
    cmd->add_option("--log-level", log_level, "error, warn, info or debug (log.level)")
        ->check(CLI::IsMember({"error", "warn", "info", "debug"}));
    cmd->add_option("--log-format", log_format, "text or json (log.format)")
        ->check(CLI::IsMember({"text", "json"}));
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
  replay_cmd->add_option("--metrics-listen", metrics_listen,
                         "Serve /metrics, /healthz, /readyz on HOST:PORT while running "
                         "(metrics.listen)");
  replay_cmd->add_option("inputs", replay.inputs, "Input files")->required();

  ScoreArgs score;
  RunArgs run;
  CLI::App* run_cmd = app.add_subcommand(
      "run",
      "Live mode: consume posts from Kafka ([kafka] topics, [kafka.consumer]), publish "
      "aggregates; SIGTERM/SIGINT stop gracefully");
  add_common(run_cmd);
  run_cmd->add_option("--threads,-t", run.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 256));
  run_cmd->add_option("--state-dir", run.state_dir,
                      "Checkpoint directory (default: config checkpoint.dir)");
  run_cmd->add_option("--metrics-listen", run.metrics_listen,
                      "Serve /metrics, /healthz, /readyz on HOST:PORT (off = none; default "
                      "0.0.0.0:9464)");

  CLI::App* score_cmd = app.add_subcommand(
      "score", "Score text: one text per line on stdin, one JSON object per line on stdout");
  add_common(score_cmd);
  score_cmd->add_flag("--explain", score.explain, "Add matched terms and applied rules");
  score_cmd->add_option("--lang", score.lang, "Language hint for every line (en, zh, ...)");
  score_cmd->add_option("--engine", score.engine, "default or vader (score.engine)")
      ->check(CLI::IsMember({"default", "vader"}));
  score_cmd->add_option("--vader-lexicon", score.vader_lexicon,
                        "VADER's vader_lexicon.txt (score.vader_lexicon)");
  score_cmd->add_option("--vader-emoji-lexicon", score.vader_emoji_lexicon,
                        "VADER's emoji_utf8_lexicon.txt (score.vader_emoji_lexicon)");

  EvalArgs eval;
  CLI::App* eval_cmd = app.add_subcommand(
      "eval", "Score a labelled file; print accuracy, macro-F1, per-class metrics, confusion");
  add_common(eval_cmd);
  eval_cmd->add_option("--labels", eval.labels, "Labelled file")
      ->required()
      ->check(CLI::ExistingFile);
  eval_cmd->add_option("--texts", eval.texts, "tweeteval: texts file (default: from --labels)");
  eval_cmd->add_option("--format", eval.format, "tsv, weibo_senti, tweeteval or nlpcc")
      ->check(CLI::IsMember({"tsv", "weibo_senti", "tweeteval", "nlpcc"}));
  eval_cmd->add_option("--task", eval.task, "3class or 2class (default: 2class for weibo_senti)")
      ->check(CLI::IsMember({"3class", "2class"}));
  eval_cmd->add_option("--lang", eval.lang, "Language hint for every text (en, zh)");
  eval_cmd->add_option("--output,-o", eval.output, "Also write the report as JSON here");
  eval_cmd->add_flag("--strip-emoticons", eval.strip_emoticons,
                     "Remove Weibo [bracket] emoticons from the texts before scoring");
  std::string eval_engine;
  eval_cmd->add_option("--engine", eval_engine, "Scoring engine (score.engine)");

  ProduceArgs produce;
  CLI::App* produce_cmd = app.add_subcommand(
      "produce",
      "Load dump files into a Kafka topic: one canonical post per message, key = post id");
  add_common(produce_cmd);
  produce_cmd
      ->add_option("--brokers,-b", produce.brokers, "Kafka bootstrap servers (host:port,...)")
      ->required();
  produce_cmd->add_option("--topic,-t", produce.topic, "Topic to write to (must exist)")
      ->required();
  produce_cmd->add_option("--rate", produce.rate, "Messages per second (default: unlimited)")
      ->check(CLI::NonNegativeNumber);
  produce_cmd->add_option("--key", produce.key, "Message key: id (post id) or none")
      ->check(CLI::IsMember({"id", "none"}));
  produce_cmd
      ->add_option("--partitions-by", produce.partitions_by,
                   "key: partition by key hash (murmur2, as Java clients); random")
      ->check(CLI::IsMember({"key", "random"}));
  produce_cmd->add_option("inputs", produce.inputs, "Input files (- = stdin)")->required();

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

  // Observability flags are config keys (validated there, after any --set).
  auto quoted = [](const std::string& v) {
    std::string q = "\"";
    for (char c : v) q += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    return q + "\"";
  };
  if (!log_level.empty()) common.overrides.push_back("log.level=" + quoted(log_level));
  if (!log_format.empty()) common.overrides.push_back("log.format=" + quoted(log_format));
  if (!metrics_listen.empty()) {
    common.overrides.push_back("metrics.listen=" + quoted(metrics_listen));
  }

  try {
    if (*replay_cmd) return run_replay(common, replay);
    if (*run_cmd) return run_live(common, run);
    if (*score_cmd) {
      // The score flags are config keys: validation (engine vader needs a lexicon) is shared.
      auto set = [&](const char* key, const std::string& v) {
        std::string q;
        for (char c : v) q += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
        common.overrides.push_back(std::string(key) + "=\"" + q + "\"");
      };
      if (!score.engine.empty()) set("score.engine", score.engine);
      if (!score.vader_lexicon.empty()) set("score.vader_lexicon", score.vader_lexicon);
      if (!score.vader_emoji_lexicon.empty())
        set("score.vader_emoji_lexicon", score.vader_emoji_lexicon);
      return run_score(common, score);
    }
    if (*eval_cmd) {
      if (!eval_engine.empty()) common.overrides.push_back("score.engine=\"" + eval_engine + "\"");
      return run_eval(common, eval);
    }
    if (*produce_cmd) return run_produce(common, produce);
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

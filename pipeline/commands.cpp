#include "pipeline/commands.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <numeric>

#include "config/builtin_lexicons.h"
#include "config/config.h"
#include "operators/parse/parser.h"
#include "operators/score/vader.h"
#include "pipeline/encode.h"
#include "pipeline/eval.h"
#include "pipeline/log.h"
#include "pipeline/metrics.h"
#include "pipeline/metrics_server.h"
#include "pipeline/replay.h"
#include "pipeline/source.h"

namespace sentistream {

// Loads config and lexicons, reporting problems on stderr. Returns false on failure
// (exit code 2: nothing has been read or written yet).
bool load_setup(const CommonArgs& common, Config& config, std::shared_ptr<const Lexicon>& lexicon) {
  try {
    config = load_config({common.config_file, common.overrides, true});
  } catch (const ConfigError& e) {
    std::cerr << "sentistream: invalid configuration:\n";
    for (const auto& p : e.problems()) std::cerr << "  " << p << "\n";
    return false;
  }
  try {
    lexicon =
        config.lexicon_dir.empty() ? builtin_lexicon() : Lexicon::load_dir(config.lexicon_dir);
  } catch (const LexiconError& e) {
    std::cerr << "sentistream: invalid lexicon: " << e.what() << "\n";
    return false;
  }
  if (config.engine == "vader") {
    try {  // checked here so a bad path is a usage error (exit 2) before any input is read
      vader::VaderLexicon::load(config.vader_lexicon, config.vader_emoji_lexicon);
    } catch (const vader::VaderLexiconError& e) {
      std::cerr << "sentistream: invalid VADER lexicon (score.vader_lexicon / "
                   "score.vader_emoji_lexicon):\n"
                << e.what() << "\n";
      return false;
    }
  }
  if (lexicon->term_count() == 0) {
    std::cerr << "sentistream: invalid lexicon: score.lexicon_dir '" << config.lexicon_dir
              << "' holds no lexicon terms (expected files laid out like config/lexicons/)\n";
    return false;
  }
  return true;
}

namespace {

std::string human_bytes(double b) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

void print_progress(const RunStats& stats, const Source::Progress& p, bool final) {
  double secs = stats.seconds > 0 ? stats.seconds : 1e-9;
  uint64_t posts = stats.posts_parsed();
  char line[256];
  std::string eta = "";
  std::string bar;
  if (p.raw_bytes_total > 0) {
    double frac = std::min(1.0, double(p.raw_bytes_read) / double(p.raw_bytes_total));
    int filled = static_cast<int>(frac * 24);
    bar = "[" + std::string(static_cast<size_t>(filled), '#') +
          std::string(static_cast<size_t>(24 - filled), '.') + "] ";
    if (frac > 0 && !final) {
      int remaining = static_cast<int>(std::min(secs / frac - secs, 359999.0));
      char e[32];
      std::snprintf(e, sizeof e, "  ETA %d:%02d", remaining / 60, remaining % 60);
      eta = e;
    }
  }
  std::snprintf(line, sizeof line, "\r%s%s%s  %llu posts  %.0f posts/s  %llu rejected%s\033[K",
                bar.c_str(), human_bytes(double(p.raw_bytes_read)).c_str(),
                p.raw_bytes_total ? (" / " + human_bytes(double(p.raw_bytes_total))).c_str() : "",
                static_cast<unsigned long long>(posts), double(posts) / secs,
                static_cast<unsigned long long>(stats.posts_rejected()), eta.c_str());
  std::fputs(line, stderr);
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace

int run_replay(const CommonArgs& common, const ReplayArgs& args) {
  Config config;
  std::shared_ptr<const Lexicon> lexicon;
  if (!load_setup(common, config, lexicon)) return 2;
  if (!args.output.empty()) config.output = args.output;
  if (args.format == "csv") config.format = OutputFormat::csv;
  if (args.format == "jsonl") config.format = OutputFormat::jsonl;
  if (!args.dlq.empty()) config.dlq = args.dlq;
  if (args.threads > 0) config.threads = args.threads;
  if (args.batch_docs > 0) config.batch_docs = args.batch_docs;
  configure_logger(config);
  // --quiet: no chatter on stderr, only errors (tests and scripts rely on it).
  if (args.quiet) logger().configure(LogLevel::error, logger().format());

  // Every input must be readable before anything is written: a typo in the last of many
  // file names should not cost a long run's output.
  for (const auto& path : args.inputs) {
    if (path != "-" && ::access(path.c_str(), R_OK) != 0) {
      std::cerr << "sentistream: " << path << ": cannot read: " << std::strerror(errno) << "\n";
      return 1;
    }
  }
  bool show_progress = !args.quiet && (args.progress || ::isatty(STDERR_FILENO));
  // Metrics endpoint: off by default in replay. A port that cannot be bound is a runtime
  // error (exit 1) reported before any input is read or output written.
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<MetricsServer> metrics_server;
  if (!config.metrics_listen.empty() && config.metrics_listen != "off") {
    metrics = std::make_unique<Metrics>(metrics_options(config, lexicon->marker_categories()));
    try {
      metrics_server = std::make_unique<MetricsServer>(
          config.metrics_listen, [m = metrics.get()] { return m->serialize(); });
    } catch (const MetricsServerError& e) {
      logger().error("metrics", e.what());
      return 1;
    }
    logger().info("metrics", "serving /metrics, /healthz and /readyz",
                  {{"listen", config.metrics_listen}, {"port", metrics_server->port()}});
  }
  logger().info("start", "replay", {{"inputs", args.inputs.size()}, {"output", config.output}});
  try {
    std::unique_ptr<OutputFile> summary_file;
    if (!args.summary.empty()) summary_file = std::make_unique<OutputFile>(args.summary);
    FileSourceOptions so;
    so.batch_docs = static_cast<size_t>(config.batch_docs);
    so.batch_bytes = static_cast<size_t>(config.batch_bytes);
    so.max_document_bytes = static_cast<size_t>(config.max_document_bytes);
    so.padding = parse_padding();
    FileSource source(args.inputs, so);

    std::unique_ptr<AggregateSink> output =
        config.format == OutputFormat::csv
            ? make_csv_sink(config.output, config.decimals, config.group_by,
                            lexicon->marker_categories())
            : make_jsonl_sink(config.output, config.decimals);
    std::unique_ptr<RejectSink> dlq;
    if (!config.dlq.empty()) dlq = make_dlq_file_sink(config.dlq);

    RunOptions options;
    options.threads = config.threads;
    options.metrics = metrics.get();
    if (show_progress) {
      options.on_progress = [](const RunStats& s, const Source::Progress& p) {
        print_progress(s, p, false);
      };
    }
    RunStats stats = run_pipeline(source, config, lexicon, *output, dlq.get(), options);
    output->close();
    if (dlq) dlq->close();
    if (show_progress) print_progress(stats, source.progress(), true);

    std::string summary = summary_json(stats, config, lexicon->marker_categories());
    if (summary_file) {
      summary_file->write(summary);
      summary_file->close();
    } else if (!args.quiet) {
      std::fputs(summary.c_str(), stderr);
    }
    logger().info("finish", "replay done",
                  {{"posts", stats.posts_parsed()},
                   {"rejected", stats.posts_rejected()},
                   {"windows", std::accumulate(stats.windows_emitted.begin(),
                                               stats.windows_emitted.end(), uint64_t{0})},
                   {"threads", stats.threads},
                   {"seconds", stats.seconds}});
    if (stats.late_posts > 0) {
      logger().warn("late_posts",
                    std::to_string(stats.late_posts) +
                        " posts arrived later than windows.max_out_of_orderness (" +
                        format_duration(config.max_out_of_orderness_ms) +
                        ") + windows.allowed_lateness allow and were not counted; if the "
                        "input is not in time order, raise it, e.g. --set "
                        "windows.max_out_of_orderness=\\\"1d\\\"",
                    {{"late_posts", stats.late_posts}});
    }
  } catch (const InputError& e) {
    std::cerr << "sentistream: " << e.what() << "\n";
    return 1;
  } catch (const SinkError& e) {
    std::cerr << "sentistream: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {  // out of memory and other surprises: exit 1, not abort
    std::cerr << "sentistream: fatal: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

// `score` with engine "vader": one line in, vaderSentiment's dict out, values printed as
// Python prints them. A line is one text (a trailing CR is dropped: VADER strips it).
int run_score_vader(const Config& config) {
  std::shared_ptr<const vader::VaderLexicon> lexicon;
  try {
    lexicon = vader::VaderLexicon::load(config.vader_lexicon, config.vader_emoji_lexicon);
  } catch (const vader::VaderLexiconError& e) {
    std::cerr << "sentistream: invalid VADER lexicon:\n" << e.what() << "\n";
    return 2;
  }
  vader::VaderAnalyzer analyzer(lexicon);
  std::string line, out;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.clear();
    vader::append_scores_json(analyzer.polarity_scores(line), out);
    out += '\n';
    if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) break;
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::cerr << "sentistream: cannot write to stdout: " << std::strerror(errno) << "\n";
    return 1;
  }
  return 0;
}

int run_score(const CommonArgs& common, const ScoreArgs& args) {
  Config config;
  std::shared_ptr<const Lexicon> lexicon;
  if (!load_setup(common, config, lexicon)) return 2;
  if (config.engine == "vader") return run_score_vader(config);
  ScoreOptions so;
  so.score_repost_chain = config.score_repost_chain;
  Scorer scorer(lexicon, so);
  const auto& categories = lexicon->marker_categories();
  std::string line, out;
  std::vector<ExplainItem> explain;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    explain.clear();
    Score s = scorer.score(line, args.lang, args.explain ? &explain : nullptr);
    out.clear();
    out += "{\"compound\":";
    append_fixed(s.compound, 4, out);
    out += ",\"pos\":";
    append_fixed(s.pos, 3, out);
    out += ",\"neu\":";
    append_fixed(s.neu, 3, out);
    out += ",\"neg\":";
    append_fixed(s.neg, 3, out);
    out += ",\"label\":";
    append_json_string(to_string(s.label), out);
    out += ",\"lang\":";
    append_json_string(kScoreLangs[s.lang], out);
    out += ",\"markers\":{";
    for (size_t i = 0; i < categories.size(); ++i) {
      if (i) out += ',';
      append_json_string(categories[i], out);
      out += ':' + std::to_string(s.marker_hits[i]);
    }
    out += '}';
    if (args.explain) {
      out += ",\"explain\":[";
      for (size_t i = 0; i < explain.size(); ++i) {
        const ExplainItem& e = explain[i];
        if (i) out += ',';
        out += "{\"kind\":";
        append_json_string(e.kind, out);
        out += ",\"text\":";
        append_json_string(e.text, out);
        out += ",\"value\":";
        append_fixed(e.value, 3, out);
        if (!e.note.empty()) {
          out += ",\"note\":";
          append_json_string(e.note, out);
        }
        out += '}';
      }
      out += ']';
    }
    out += "}\n";
    if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) break;
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::cerr << "sentistream: cannot write to stdout: " << std::strerror(errno) << "\n";
    return 1;
  }
  return 0;
}

int run_eval(const CommonArgs& common, const EvalArgs& args) {
  Config config;
  std::shared_ptr<const Lexicon> lexicon;
  if (!load_setup(common, config, lexicon)) return 2;
  return run_eval_scored(config, lexicon, args);
}

int run_validate(const CommonArgs& common) {
  Config config;
  std::shared_ptr<const Lexicon> lexicon;
  if (!load_setup(common, config, lexicon)) return 2;
  std::cout << dump_config(config) << std::flush;
  if (!std::cout) {
    std::cerr << "sentistream: cannot write to stdout\n";
    return 1;
  }
  std::cerr << "sentistream: configuration ok; lexicons: " << lexicon->term_count()
            << " terms, marker categories:";
  for (const auto& c : lexicon->marker_categories()) std::cerr << " " << c;
  std::cerr << "\n";
  return 0;
}

}  // namespace sentistream

// BatchProcessor: the parallel parse+score stage. Turns a batch's raw documents into
// PostRows (scored, grouped, hashed), rejects and counters.
//
// Threading: one BatchProcessor per worker thread (it owns a DocumentParser and a
// Scorer with their scratch buffers); it touches only the batch it is given.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "operators/parse/parser.h"
#include "operators/score/scorer.h"
#include "operators/score/vader.h"
#include "pipeline/batch.h"

namespace sentistream {

struct ProcessorConfig {
  std::vector<Dimension> group_by;
  std::vector<TopicRule> topics;
  std::string default_topic = "other";
  ParseOptions parse;
  ScoreOptions score;
  // Set when score.engine = "vader": sentiment (compound, shares, label) comes from the
  // VADER engine; language and marker hits still come from the default scorer.
  std::shared_ptr<const vader::VaderLexicon> vader;

  // Loads the VADER lexicon when the engine is "vader" (throws VaderLexiconError).
  static ProcessorConfig from(const Config& config);
};

class BatchProcessor {
 public:
  BatchProcessor(const ProcessorConfig& config, std::shared_ptr<const Lexicon> lexicon);
  ~BatchProcessor();
  BatchProcessor(const BatchProcessor&) = delete;
  BatchProcessor& operator=(const BatchProcessor&) = delete;

  void process(Batch& batch);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// 64-bit hash used for author ids (HyperLogLog input). Stable across runs and machines.
uint64_t hash64(std::string_view bytes, uint64_t seed = 0);

// "zh-Hans" -> "zh", "EN" -> "en", "" / "und" -> "".
std::string_view normalize_lang(std::string_view tag, std::string& scratch);

}  // namespace sentistream

// `sentistream run`: live mode. Kafka consumer group in, aggregates out (Kafka topic and/or
// file), DLQ topic and/or file, checkpoints in a state directory, graceful shutdown.
//
// Crash safety, in order, for every checkpoint:
//   1. the window stage snapshots the operator after batch k, with the next offset of
//      every partition it has seen through batch k;
//   2. the output stage writes batch k's aggregates and rejects, then flushes every sink
//      (the producer waits for broker acknowledgements);
//   3. the checkpoint file is replaced atomically;
//   4. only then are its offsets committed to Kafka.
// A crash anywhere restarts from the last checkpoint: the state and the offsets agree, so
// no post is lost or counted twice; aggregates emitted after that checkpoint are emitted
// again with the same key and the same content.
#pragma once

#include "pipeline/commands.h"

namespace sentistream {

struct RunArgs {
  int threads = 0;
  std::string metrics_listen;  // empty = config metrics.listen
  std::string state_dir;       // empty = config checkpoint.dir
};

int run_live(const CommonArgs& common, const RunArgs& args);

}  // namespace sentistream

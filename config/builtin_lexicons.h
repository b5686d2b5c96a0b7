// The default lexicons of config/lexicons/, compiled into the binary at build time.
#pragma once

#include <memory>
#include <vector>

#include "operators/score/scorer.h"

namespace sentistream {

const std::vector<Lexicon::File>& builtin_lexicon_files();
// Parsed once, shared by every scorer.
std::shared_ptr<const Lexicon> builtin_lexicon();

}  // namespace sentistream

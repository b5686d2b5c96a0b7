#include "config/builtin_lexicons.h"

namespace sentistream {

std::shared_ptr<const Lexicon> builtin_lexicon() {
  static const std::shared_ptr<const Lexicon> lexicon =
      Lexicon::load_files(builtin_lexicon_files(), "<built-in>/");
  return lexicon;
}

}  // namespace sentistream

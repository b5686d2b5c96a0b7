// Language of a post: the platform's tag when it names a language the scorer knows,
// else the script majority. Internal to operators/score.
#pragma once

#include <cstdint>
#include <string_view>

#include "operators/score/normalize.h"

namespace sentistream::score {

// Index into kScoreLangs for a platform tag: "en", "en-GB" -> en; "zh", "zh-cn",
// "zh-Hans", "zh-TW", "cmn" -> zh; "ja", "ja-JP" -> ja; anything else (empty, "und",
// "fr", ...) -> 0, meaning "use the script".
uint8_t lang_from_hint(std::string_view hint);

// Index into kScoreLangs by script majority. A CJK character weighs as much as three
// Latin letters (one Chinese word is ~2 characters, one English word ~5 letters); ties
// go to CJK. CJK text is ja when kana make up at least a quarter of it, else zh. No
// letters at all -> 0 (und).
uint8_t lang_from_scripts(const ScriptCounts& s);

}  // namespace sentistream::score

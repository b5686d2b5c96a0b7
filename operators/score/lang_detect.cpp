#include "operators/score/lang_detect.h"

#include "operators/post.h"

namespace sentistream::score {
namespace {

constexpr uint8_t kUnd = 0, kEn = 1, kZh = 2, kJa = 3;
static_assert(kScoreLangs[kEn] == "en" && kScoreLangs[kZh] == "zh" && kScoreLangs[kJa] == "ja");

constexpr uint32_t kCjkWeight = 3;

bool equals_ci(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

uint8_t lang_from_hint(std::string_view hint) {
  const std::size_t dash = hint.find_first_of("-_");
  const std::string_view primary = hint.substr(0, dash);
  if (equals_ci(primary, "en")) return kEn;
  if (equals_ci(primary, "zh") || equals_ci(primary, "cmn")) return kZh;
  if (equals_ci(primary, "ja")) return kJa;
  return kUnd;
}

uint8_t lang_from_scripts(const ScriptCounts& s) {
  const uint32_t cjk = s.han + s.kana;
  if (cjk == 0 && s.latin == 0) return kUnd;
  if (cjk * kCjkWeight >= s.latin) return s.kana * 4 >= cjk ? kJa : kZh;
  return kEn;
}

}  // namespace sentistream::score

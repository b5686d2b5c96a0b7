#include "operators/parse/html.h"

#include <cstdint>
#include <cstring>

namespace sentistream::parse_detail {
namespace {

inline bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
inline bool is_ascii_alpha(char c) {
  return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
inline char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c;
}

inline bool iequals(std::string_view a, std::string_view lower_b) {
  if (a.size() != lower_b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower_b[i]) return false;
  }
  return true;
}

inline std::size_t encode_utf8(uint32_t cp, char* out) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

// Decodes the entity starting at s[0] == '&'. On success writes the bytes to out, sets
// `consumed` to the entity's length and returns the number of bytes written (always <=
// consumed, so decoding never grows a text). Returns 0 when s does not start an entity we
// know; the caller then copies '&' literally.
std::size_t decode_entity(std::string_view s, char* out, std::size_t& consumed) {
  const std::size_t semi = s.find(';', 1);
  if (semi == std::string_view::npos || semi > 10) return 0;
  const std::string_view name = s.substr(1, semi - 1);
  consumed = semi + 1;
  if (!name.empty() && name[0] == '#') {
    uint32_t cp = 0;
    std::size_t i = 1;
    const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    if (hex) i = 2;
    if (i >= name.size()) return 0;
    for (; i < name.size(); ++i) {
      const char c = name[i];
      uint32_t d;
      if (c >= '0' && c <= '9') {
        d = static_cast<uint32_t>(c - '0');
      } else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
        d = static_cast<uint32_t>((c | 0x20) - 'a' + 10);
      } else {
        return 0;
      }
      cp = cp * (hex ? 16 : 10) + d;
      if (cp > 0x10FFFF) return 0;
    }
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;  // not a scalar value
    return encode_utf8(cp, out);
  }
  struct Named {
    std::string_view name;
    std::string_view text;
  };
  static constexpr Named kNamed[] = {{"amp", "&"},   {"lt", "<"},   {"gt", ">"},
                                     {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}};
  for (const Named& n : kNamed) {
    if (name == n.name) {
      std::memcpy(out, n.text.data(), n.text.size());
      return n.text.size();
    }
  }
  return 0;
}

// Value of attribute `want` (lower-case) inside a tag's text (after the name), or empty.
std::string_view attribute(std::string_view tag, std::string_view want) {
  std::size_t i = 0;
  const std::size_t n = tag.size();
  while (i < n) {
    while (i < n && (is_ascii_space(tag[i]) || tag[i] == '/')) ++i;
    const std::size_t name_start = i;
    while (i < n && tag[i] != '=' && !is_ascii_space(tag[i]) && tag[i] != '/') ++i;
    const std::string_view name = tag.substr(name_start, i - name_start);
    while (i < n && is_ascii_space(tag[i])) ++i;
    std::string_view value;
    if (i < n && tag[i] == '=') {
      ++i;
      while (i < n && is_ascii_space(tag[i])) ++i;
      if (i < n && (tag[i] == '"' || tag[i] == '\'')) {
        const char q = tag[i++];
        const std::size_t v0 = i;
        while (i < n && tag[i] != q) ++i;
        value = tag.substr(v0, i - v0);
        if (i < n) ++i;
      } else {
        const std::size_t v0 = i;
        while (i < n && !is_ascii_space(tag[i])) ++i;
        value = tag.substr(v0, i - v0);
      }
    }
    if (iequals(name, want)) return value;
    if (name.empty() && i == name_start) ++i;  // stray byte, make progress
  }
  return {};
}

// Copies text to out decoding entities; returns bytes written (<= text.size()).
std::size_t copy_decoded(std::string_view text, char* out) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      std::size_t consumed = 0;
      const std::size_t k = decode_entity(text.substr(i), out + w, consumed);
      if (k != 0) {
        w += k;
        i += consumed;
        continue;
      }
    }
    out[w++] = text[i++];
  }
  return w;
}

bool is_ui_link_label(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s == "网页链接" || s == "全文";
}

}  // namespace

std::string_view decode_twitter_entities(std::string_view text, ScratchArena& arena) {
  const std::size_t first = text.find('&');
  if (first == std::string_view::npos) return text;
  char* out = arena.allocate(text.size());
  std::memcpy(out, text.data(), first);
  std::size_t w = first;
  for (std::size_t i = first; i < text.size();) {
    if (text[i] == '&') {
      const std::string_view rest = text.substr(i);
      if (rest.substr(0, 5) == "&amp;") {
        out[w++] = '&';
        i += 5;
        continue;
      }
      if (rest.substr(0, 4) == "&lt;") {
        out[w++] = '<';
        i += 4;
        continue;
      }
      if (rest.substr(0, 4) == "&gt;") {
        out[w++] = '>';
        i += 4;
        continue;
      }
    }
    out[w++] = text[i++];
  }
  return arena.commit(out, w);
}

std::string_view strip_weibo_html(std::string_view html, ScratchArena& arena) {
  {
    std::size_t k = 0;
    while (k < html.size() && html[k] != '<' && html[k] != '&') ++k;
    if (k == html.size()) {  // plain text: no copy
      while (!html.empty() && is_ascii_space(html.front())) html.remove_prefix(1);
      while (!html.empty() && is_ascii_space(html.back())) html.remove_suffix(1);
      return html;
    }
  }
  char* out = arena.allocate(html.size());
  std::size_t w = 0;
  std::size_t link_start = 0;
  bool in_link = false;
  const std::size_t n = html.size();
  std::size_t i = 0;
  while (i < n) {
    // Copy the run of plain text up to the next '<' or '&' in one go.
    std::size_t run_end = i;
    while (run_end < n && html[run_end] != '<' && html[run_end] != '&') ++run_end;
    if (run_end != i) {
      std::memcpy(out + w, html.data() + i, run_end - i);
      w += run_end - i;
      i = run_end;
      if (i == n) break;
    }
    const char c = html[i];
    if (c == '<' && i + 1 < n &&
        (is_ascii_alpha(html[i + 1]) || html[i + 1] == '/' || html[i + 1] == '!')) {
      // Find the end of the tag, jumping over quoted attribute values (which may hold
      // '>' and make up most of a tag's bytes: long hrefs). Quotes only open a value
      // right after '=' (alt=[x] is unquoted).
      std::size_t j = i + 1;
      char last = 0;  // last non-space byte of the tag so far
      while (j < n) {
        const char t = html[j];
        if (t == '>') break;
        if ((t == '"' || t == '\'') && last == '=') {
          const void* q = std::memchr(html.data() + j + 1, t, n - j - 1);
          if (q == nullptr) {
            j = n;
            break;
          }
          j = static_cast<std::size_t>(static_cast<const char*>(q) - html.data()) + 1;
          last = t;
          continue;
        }
        if (!is_ascii_space(t)) last = t;
        ++j;
      }
      if (j >= n) {  // unterminated: keep the rest as text
        std::memcpy(out + w, html.data() + i, n - i);
        w += n - i;
        break;
      }
      std::string_view tag = html.substr(i + 1, j - i - 1);
      i = j + 1;
      const bool closing = !tag.empty() && tag[0] == '/';
      if (closing) tag.remove_prefix(1);
      std::size_t name_len = 0;
      while (name_len < tag.size() && is_ascii_alpha(tag[name_len])) ++name_len;
      const std::string_view name = tag.substr(0, name_len);
      const std::string_view attrs = tag.substr(name_len);
      if (iequals(name, "br")) {
        out[w++] = '\n';
      } else if (iequals(name, "img")) {
        if (!closing) w += copy_decoded(attribute(attrs, "alt"), out + w);
      } else if (iequals(name, "a")) {
        if (!closing) {
          in_link = true;
          link_start = w;
        } else if (in_link) {
          in_link = false;
          if (is_ui_link_label(std::string_view(out + link_start, w - link_start))) {
            w = link_start;
          }
        }
      }
      continue;  // every other tag disappears, its content stays
    }
    if (c == '&') {
      std::size_t consumed = 0;
      const std::size_t k = decode_entity(html.substr(i), out + w, consumed);
      if (k != 0) {
        w += k;
        i += consumed;
        continue;
      }
    }
    out[w++] = c;
    ++i;
  }
  std::size_t b = 0;
  while (b < w && is_ascii_space(out[b])) ++b;
  while (w > b && is_ascii_space(out[w - 1])) --w;
  std::string_view kept = arena.commit(out, w);
  return kept.substr(b);
}

void extract_weibo_topics(std::string_view text, std::vector<std::string_view>& out) {
  constexpr std::size_t kMaxTopicBytes = 128;
  std::size_t open = text.find('#');
  while (open != std::string_view::npos) {
    const std::size_t close = text.find('#', open + 1);
    if (close == std::string_view::npos) return;
    const std::string_view topic = text.substr(open + 1, close - open - 1);
    const bool ok = !topic.empty() && topic.size() <= kMaxTopicBytes && topic[0] != ' ' &&
                    topic.find_first_of("\r\n") == std::string_view::npos;
    if (ok) {
      add_unique(out, topic);
      open = text.find('#', close + 1);
    } else {
      open = close;  // the closing '#' may open the next topic
    }
  }
}

}  // namespace sentistream::parse_detail

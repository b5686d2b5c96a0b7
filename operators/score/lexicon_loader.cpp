// Lexicon loading: TSV parsing and validation (config/lexicons/README.md), merging of the
// files into one term table, and the matcher build.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include "operators/score/lexicon_impl.h"
#include "operators/score/normalize.h"
#include "operators/score/rules.h"

namespace sentistream {
namespace {

using score::TermRec;

enum class Kind { sentiment_en, sentiment_zh, emoji, negators, degree, contrast, marker };

struct FileSpec {
  std::string_view name;
  Kind kind;
  std::string_view header;
};

// Also the merge order: when two sentiment files give the same term a valence, the
// first file in this order wins.
constexpr FileSpec kFiles[] = {
    {"sentiment.en.tsv", Kind::sentiment_en, "term\tvalence"},
    {"sentiment.zh.tsv", Kind::sentiment_zh, "term\tvalence"},
    {"emoji.tsv", Kind::emoji, "term\tvalence"},
    {"negators.tsv", Kind::negators, "term\tlang"},
    {"degree.tsv", Kind::degree, "term\tfactor\tlang"},
    {"contrast.tsv", Kind::contrast, "term\tlang"},
};
// Marker files: the 3-column form (every entry a cue) or the 4-column form with a kind.
constexpr std::string_view kMarkerHeader = "term\tlang\tweight";
constexpr std::string_view kMarkerHeaderKind = "term\tlang\tweight\tkind";
constexpr std::size_t kMaxErrors = 20;

struct Input {
  const Lexicon::File* file;
  const FileSpec* spec;  // null for a marker file
  std::string category;  // marker files
};

// Collects every problem, so one load reports them all.
class Errors {
 public:
  explicit Errors(const std::string& origin) : origin_(origin) {}
  void add(std::string_view file, std::size_t line, const std::string& problem) {
    ++count_;
    if (count_ > kMaxErrors) return;
    if (!text_.empty()) text_ += '\n';
    text_ += origin_;
    text_ += file;
    text_ += ':';
    text_ += std::to_string(line);
    text_ += ": ";
    text_ += problem;
  }
  void throw_if_any() const {
    if (count_ == 0) return;
    std::string msg = text_;
    if (count_ > kMaxErrors)
      msg += "\n(" + std::to_string(count_ - kMaxErrors) + " more problems not shown)";
    throw LexiconError(msg);
  }

 private:
  const std::string& origin_;
  std::string text_;
  std::size_t count_ = 0;
};

bool valid_category(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_number(std::string_view s, double* out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(*out);
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> cols;
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    cols.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) return cols;
    start = tab + 1;
  }
}

// Flags derived from the term's own text.
uint8_t term_flags(std::string_view key) {
  uint8_t flags = 0;
  if (std::any_of(key.begin(), key.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    flags |= score::kHasLatin;
  // Last code point: its lead byte decides whether a word end must follow.
  std::size_t last = key.size() - 1;
  while (last > 0 && (static_cast<unsigned char>(key[last]) & 0xC0) == 0x80) --last;
  if (score::kByteClass[static_cast<unsigned char>(key[last])] == score::kWord)
    flags |= score::kEndBoundary;
  return flags;
}

class Loader {
 public:
  Loader(const std::string& origin) : errors_(origin), impl_(std::make_unique<Lexicon::Impl>()) {}

  std::unique_ptr<Lexicon::Impl> load(const std::vector<Lexicon::File>& files) {
    std::vector<Input> inputs = classify(files);
    for (const Input& in : inputs) load_file(in);
    errors_.throw_if_any();
    impl_->file_terms = impl_->terms.size();
    for (const score::BuiltinTerm& b : score::builtin_rule_terms()) {
      bool bad = false;
      TermRec& r = term(score::normalize_term(b.text, &bad));
      r.roles |= b.role;
    }
    index_marker_entries();
    std::vector<score::Matcher::Key> keys;
    keys.reserve(impl_->keys.size());
    // Matcher values are the term index plus role bits in 32 bits (never all ones, kNone).
    if (impl_->keys.size() > score::kValueTermMask)
      throw LexiconError("too many terms (at most 2^27)");
    for (std::size_t i = 0; i < impl_->keys.size(); ++i)
      keys.push_back({impl_->keys[i],
                      score::matcher_value(static_cast<uint32_t>(i), impl_->terms[i]),
                      impl_->terms[i].markers != 0});
    impl_->matcher = score::Matcher::build(std::move(keys));
    return std::move(impl_);
  }

 private:
  // Sorts the files into merge order and checks names; marker categories are the sorted
  // file stems.
  std::vector<Input> classify(const std::vector<Lexicon::File>& files) {
    std::vector<Input> fixed, markers;
    std::map<std::string_view, int> seen;
    for (const Lexicon::File& f : files) {
      if (seen[f.name]++ > 0) {
        errors_.add(f.name, 1, "file given twice");
        continue;
      }
      const FileSpec* spec = nullptr;
      for (const FileSpec& s : kFiles)
        if (f.name == s.name) spec = &s;
      if (spec) {
        fixed.push_back({&f, spec, {}});
        continue;
      }
      std::string_view n = f.name;
      if (n.starts_with("markers/") && n.ends_with(".tsv") &&
          n.find('/', 8) == std::string_view::npos) {
        const std::string_view stem = n.substr(8, n.size() - 8 - 4);
        if (valid_category(stem)) {
          markers.push_back({&f, nullptr, std::string(stem)});
        } else {
          errors_.add(
              f.name, 1,
              "marker category '" + std::string(stem) + "' must be letters, digits, '_' or '-'");
        }
        continue;
      }
      errors_.add(f.name, 1,
                  "unknown lexicon file (expected sentiment.en.tsv, sentiment.zh.tsv, "
                  "emoji.tsv, negators.tsv, degree.tsv, contrast.tsv or "
                  "markers/<category>.tsv)");
    }
    std::sort(fixed.begin(), fixed.end(),
              [](const Input& a, const Input& b) { return a.spec < b.spec; });
    std::sort(markers.begin(), markers.end(),
              [](const Input& a, const Input& b) { return a.category < b.category; });
    for (std::size_t i = 0; i < markers.size(); ++i) {
      if (i >= static_cast<std::size_t>(kMaxMarkerCategories)) {
        errors_.add(
            markers[i].file->name, 1,
            "too many marker categories (at most " + std::to_string(kMaxMarkerCategories) + ")");
        continue;
      }
      impl_->categories.push_back(markers[i].category);
    }
    if (markers.size() > static_cast<std::size_t>(kMaxMarkerCategories))
      markers.resize(kMaxMarkerCategories);
    fixed.insert(fixed.end(), markers.begin(), markers.end());
    return fixed;
  }

  TermRec& term(const std::string& key) {
    const auto [it, inserted] = index_.try_emplace(key, static_cast<uint32_t>(impl_->terms.size()));
    if (inserted) {
      impl_->terms.push_back(TermRec{.flags = term_flags(key)});
      impl_->keys.push_back(key);
    }
    return impl_->terms[it->second];
  }

  void load_file(const Input& in) {
    const std::string_view name = in.file->name;
    std::string_view header = in.spec ? in.spec->header : kMarkerHeader;
    std::vector<std::string_view> cols = split_tabs(header);
    const Kind kind = in.spec ? in.spec->kind : Kind::marker;
    const std::size_t category = in.spec ? 0 : marker_index(in.category);
    if (kind == Kind::marker) {
      impl_->marker_rules.resize(impl_->categories.size());
      file_has_anchor_ = false;
      first_context_line_ = 0;
    }

    std::string_view rest = in.file->contents;
    if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // BOM
    std::unordered_map<std::string, std::size_t> lines;           // key -> first line in this file
    bool have_header = false;
    std::size_t line_no = 0;
    while (!rest.empty()) {
      const std::size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (trim(line).empty() || line.front() == '#') continue;
      if (!have_header && kind == Kind::marker && line.front() == '@') {
        parse_directive(name, line_no, line, category);
        continue;
      }
      if (!have_header) {
        have_header = true;
        if (kind == Kind::marker && line == kMarkerHeaderKind) {
          header = kMarkerHeaderKind;
          cols = split_tabs(header);
        }
        if (line != header) {
          errors_.add(
              name, line_no,
              "bad header '" + escape_tabs(line) + "', expected '" + escape_tabs(header) + "'");
          return;  // the columns cannot be trusted
        }
        continue;
      }
      parse_row(name, line_no, line, cols, kind, category, lines);
    }
    if (!have_header)
      errors_.add(name, line_no + 1, "missing header '" + escape_tabs(header) + "'");
    if (kind == Kind::marker && first_context_line_ && !file_has_anchor_)
      errors_.add(name, first_context_line_,
                  "context entries need at least one anchor or cue entry in the same file");
  }

  // "@threshold<TAB>1.0" or "@window<TAB>8" before the header of a marker file.
  void parse_directive(std::string_view name, std::size_t line_no, std::string_view line,
                       std::size_t category) {
    const std::vector<std::string_view> f = split_tabs(line);
    double num = 0;
    if (f.size() != 2 || !parse_number(f[1], &num))
      return errors_.add(name, line_no,
                         "directive '" + escape_tabs(line) +
                             "' must be '@threshold<TAB>number' or '@window<TAB>number'");
    Lexicon::Impl::MarkerRule& rule = impl_->marker_rules[category];
    if (f[0] == "@threshold") {
      if (num <= 0 || num > 16)
        return errors_.add(name, line_no,
                           "@threshold " + std::string(trim(f[1])) + " is out of (0, 16]");
      rule.threshold_milli = static_cast<int32_t>(std::lround(num * 1000));
    } else if (f[0] == "@window") {
      if (num < 1 || num > 64 || num != std::floor(num))
        return errors_.add(
            name, line_no,
            "@window " + std::string(trim(f[1])) + " must be a whole number of tokens in [1, 64]");
      rule.window = static_cast<uint32_t>(num);
    } else {
      errors_.add(name, line_no,
                  "unknown directive '" + std::string(f[0]) + "' (known: @threshold, @window)");
    }
  }

  // Sorts the marker entries by term and builds the per-term offsets (after every term,
  // built-ins included, has its index).
  void index_marker_entries() {
    auto& e = impl_->marker_entries;
    std::stable_sort(e.begin(), e.end(), [](const auto& a, const auto& b) {
      return a.term != b.term ? a.term < b.term : a.category < b.category;
    });
    // Spellings that normalise to one key are variants: the first keeps its values.
    e.erase(std::unique(e.begin(), e.end(),
                        [](const auto& a, const auto& b) {
                          return a.term == b.term && a.category == b.category;
                        }),
            e.end());
    auto& begin = impl_->marker_begin;
    begin.assign(impl_->terms.size() + 1, 0);
    for (const auto& m : e) ++begin[m.term + 1];
    for (std::size_t i = 1; i < begin.size(); ++i) begin[i] += begin[i - 1];
    impl_->marker_rules.resize(impl_->categories.size());
  }

  void parse_row(std::string_view name, std::size_t line_no, std::string_view line,
                 const std::vector<std::string_view>& cols, Kind kind, std::size_t category,
                 std::unordered_map<std::string, std::size_t>& lines) {
    const std::vector<std::string_view> f = split_tabs(line);
    if (f.size() < cols.size()) {
      errors_.add(name, line_no,
                  "missing column '" + std::string(cols[f.size()]) + "' (expected " +
                      std::to_string(cols.size()) + " tab-separated columns)");
      return;
    }
    if (f.size() > cols.size()) {
      errors_.add(
          name, line_no,
          "expected " + std::to_string(cols.size()) + " columns, got " + std::to_string(f.size()));
      return;
    }
    bool bad_utf8 = false;
    const std::string key = score::normalize_term(f[0], &bad_utf8);
    if (bad_utf8) return errors_.add(name, line_no, "term is not valid UTF-8");
    if (key.empty()) return errors_.add(name, line_no, "empty term");
    if (key.size() > score::kMaxTermBytes)
      return errors_.add(
          name, line_no,
          "term '" + key + "' is longer than " + std::to_string(score::kMaxTermBytes) + " bytes");
    // Duplicates are terms written the same way (ignoring surrounding space). Different
    // spellings that normalise to one key ("can't" / "can’t", "grr" / "grrr", "C位" /
    // "c位") are variants: the first keeps its values.
    const auto [first, fresh] = lines.try_emplace(std::string(trim(f[0])), line_no);
    if (!fresh)
      return errors_.add(
          name, line_no,
          "duplicate term '" + key + "' (first at line " + std::to_string(first->second) + ")");

    double num = 0;
    switch (kind) {
      case Kind::sentiment_en:
      case Kind::sentiment_zh:
      case Kind::emoji: {
        if (!parse_number(f[1], &num))
          return errors_.add(name, line_no, "valence '" + std::string(f[1]) + "' is not a number");
        if (num < -4 || num > 4)
          return errors_.add(name, line_no,
                             "valence " + std::string(trim(f[1])) + " is out of [-4, 4]");
        TermRec& r = term(key);
        if (!(r.roles & score::kValence)) {  // an earlier file keeps its valence
          r.roles |= score::kValence;
          r.valence = static_cast<float>(num);
          if (kind == Kind::emoji) r.flags |= score::kEmoji;
        }
        return;
      }
      case Kind::negators:
        if (!check_lang(name, line_no, f[1], false)) return;
        term(key).roles |= score::kNegator;
        if (score::is_strong_negator(key)) term(key).roles |= score::kNegStrong;
        return;
      case Kind::degree: {
        if (!parse_number(f[1], &num))
          return errors_.add(name, line_no, "factor '" + std::string(f[1]) + "' is not a number");
        if (num == 0 || num < -4 || num > 4)
          return errors_.add(
              name, line_no,
              "factor " + std::string(trim(f[1])) + " must be non-zero and within [-4, 4]");
        if (!check_lang(name, line_no, f[2], false)) return;
        TermRec& r = term(key);
        if (!(r.roles & score::kDegree)) r.degree = static_cast<float>(num);
        r.roles |= score::kDegree;
        return;
      }
      case Kind::contrast:
        if (!check_lang(name, line_no, f[1], false)) return;
        term(key).roles |= score::kContrast;
        return;
      case Kind::marker: {
        using MK = Lexicon::Impl::MarkerKind;
        if (!check_lang(name, line_no, f[1], true)) return;
        if (!parse_number(f[2], &num))
          return errors_.add(name, line_no, "weight '" + std::string(f[2]) + "' is not a number");
        MK mk = MK::cue;
        if (f.size() > 3) {
          const std::string_view k = trim(f[3]);
          if (k == "cue") {
            mk = MK::cue;
          } else if (k == "context") {
            mk = MK::context;
          } else if (k == "anchor") {
            mk = MK::anchor;
          } else if (k == "exclude") {
            mk = MK::exclude;
          } else {
            return errors_.add(
                name, line_no,
                "kind '" + std::string(k) + "' must be cue, context, anchor or exclude");
          }
        }
        // An anchor may carry no weight of its own (it only enables context entries).
        if (num < 0 || num > 1 || (num == 0 && mk != MK::anchor))
          return errors_.add(name, line_no,
                             "weight " + std::string(trim(f[2])) +
                                 (mk == MK::anchor ? " is out of [0, 1]" : " is out of (0, 1]"));
        if (mk == MK::anchor || mk == MK::cue) file_has_anchor_ = true;
        if (mk == MK::context && !first_context_line_) first_context_line_ = line_no;
        TermRec& r = term(key);
        r.markers |= static_cast<uint16_t>(1u << category);
        const auto idx = static_cast<uint32_t>(&r - impl_->terms.data());
        auto milli = static_cast<int16_t>(std::lround(num * 1000));
        if (mk == MK::exclude) milli = static_cast<int16_t>(-milli);
        impl_->marker_entries.push_back({idx, static_cast<uint8_t>(category), mk, milli});
        return;
      }
    }
  }

  bool check_lang(std::string_view name, std::size_t line_no, std::string_view lang,
                  bool allow_any) {
    lang = trim(lang);
    if (lang == "en" || lang == "zh" || (allow_any && lang == "any")) return true;
    errors_.add(
        name, line_no,
        "lang '" + std::string(lang) + "' must be en" + (allow_any ? ", zh or any" : " or zh"));
    return false;
  }

  std::size_t marker_index(const std::string& category) const {
    const auto& c = impl_->categories;
    return static_cast<std::size_t>(std::find(c.begin(), c.end(), category) - c.begin());
  }

  static std::string escape_tabs(std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == '\t') {
        out += "\\t";
      } else {
        out += c;
      }
    }
    return out;
  }

  Errors errors_;
  std::unique_ptr<Lexicon::Impl> impl_;
  std::unordered_map<std::string, uint32_t> index_;
  // Marker file being read: whether it has an anchor or cue (which context entries need),
  // and its first context entry's line.
  bool file_has_anchor_ = false;
  std::size_t first_context_line_ = 0;
};

}  // namespace

std::shared_ptr<const Lexicon> Lexicon::load_files(const std::vector<File>& files,
                                                   const std::string& origin) {
  return std::make_shared<const Lexicon>(Loader(origin).load(files));
}

std::shared_ptr<const Lexicon> Lexicon::load_dir(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::string origin = dir.generic_string();
  if (!origin.empty() && origin.back() != '/') origin += '/';
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw LexiconError(origin + ": not a directory");

  std::vector<std::string> names;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().extension() != ".tsv") continue;
    names.push_back(it->path().lexically_relative(dir).generic_string());
  }
  if (ec) throw LexiconError(origin + ": cannot list directory: " + ec.message());
  std::sort(names.begin(), names.end());

  std::vector<std::string> contents;
  contents.reserve(names.size());
  for (const std::string& name : names) {
    std::ifstream in(dir / name, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    if (!in) throw LexiconError(origin + name + ":1: cannot read file");
    contents.push_back(std::move(buf).str());
  }
  std::vector<File> files;
  for (std::size_t i = 0; i < names.size(); ++i) files.push_back({names[i], contents[i]});
  return load_files(files, origin);
}

const std::vector<std::string>& Lexicon::marker_categories() const {
  return impl_->categories;
}
std::size_t Lexicon::term_count() const {
  return impl_->file_terms;
}

Lexicon::Lexicon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Lexicon::~Lexicon() = default;

}  // namespace sentistream

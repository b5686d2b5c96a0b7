// `sentistream eval`: labelled-file readers, metrics, reports, and the command itself.
#include "pipeline/eval.h"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "config/config.h"
#include "operators/score/scorer.h"
#include "operators/score/vader.h"
#include "pipeline/commands.h"
#include "pipeline/encode.h"

namespace sentistream::eval {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LabelsError(path + ": cannot read");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw LabelsError(path + ": read error");
  std::string s = ss.str();
  if (s.starts_with("\xEF\xBB\xBF")) s.erase(0, 3);  // UTF-8 BOM (the NLPCC file has one)
  return s;
}

// Splits into lines without their "\n" / "\r\n".
std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> lines;
  while (!s.empty()) {
    std::size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return lines;
}

std::string where(const std::string& path, std::size_t line_no) {
  return path + ":" + std::to_string(line_no) + ": ";
}

// A gold label: names (any case) or integers. Numbers: 3-class 0/1/2 = neg/neu/pos
// (TweetEval, SemEval); binary sets 0/1 = neg/pos (weibo_senti_100k, ChnSentiCorp).
bool parse_label(std::string_view s, bool binary_numbers, Polarity& out) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
  std::string l(s);
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "negative" || l == "neg") return out = Polarity::negative, true;
  if (l == "neutral" || l == "neu") return out = Polarity::neutral, true;
  if (l == "positive" || l == "pos") return out = Polarity::positive, true;
  if (binary_numbers) {
    if (l == "0") return out = Polarity::negative, true;
    if (l == "1") return out = Polarity::positive, true;
    return false;
  }
  if (l == "0") return out = Polarity::negative, true;
  if (l == "1") return out = Polarity::neutral, true;
  if (l == "2") return out = Polarity::positive, true;
  return false;
}

void add_example(Dataset& d, const ReadOptions& opts, std::string_view text, Polarity gold) {
  if (opts.task == Task::two_class && gold == Polarity::neutral) {
    ++d.skipped;
    d.skipped_note = "neutral gold rows (2-class task)";
    return;
  }
  d.examples.push_back(
      Example{opts.strip_emoticons ? strip_bracket_emoticons(text) : std::string(text), gold});
}

void read_tsv(const std::string& path, const ReadOptions& opts, bool binary, Dataset& d) {
  const std::string data = read_file(path);
  const auto lines = split_lines(data);
  if (lines.empty()) throw LabelsError(path + ": empty file (expected a header line)");
  std::vector<std::string_view> header;
  for (std::string_view h = lines[0];;) {
    std::size_t tab = h.find('\t');
    header.push_back(h.substr(0, tab));
    if (tab == std::string_view::npos) break;
    h.remove_prefix(tab + 1);
  }
  std::size_t label_col = header.size(), text_col = header.size();
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "label") label_col = i;
    if (header[i] == "text") text_col = i;
  }
  if (label_col == header.size())
    throw LabelsError(where(path, 1) +
                      "header has no 'label' column (expected e.g. "
                      "\"text<TAB>label\")");
  if (header.size() == 2) {
    text_col = 1 - label_col;
  } else if (text_col == header.size()) {
    throw LabelsError(where(path, 1) + "header has " + std::to_string(header.size()) +
                      " columns but none named 'text'");
  }
  for (std::size_t n = 1; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    if (line.empty()) continue;
    std::string_view label, text;
    if (header.size() == 2) {
      // Two columns: the text is everything on the far side of the label's tab, so a
      // tab inside the text (it happens in scraped posts) does not break the row.
      const std::size_t tab = label_col == 0 ? line.find('\t') : line.rfind('\t');
      if (tab == std::string_view::npos)
        throw LabelsError(where(path, n + 1) + "expected 2 tab-separated columns");
      label = label_col == 0 ? line.substr(0, tab) : line.substr(tab + 1);
      text = label_col == 0 ? line.substr(tab + 1) : line.substr(0, tab);
    } else {
      std::vector<std::string_view> cols;
      for (std::string_view rest = line;;) {
        std::size_t tab = rest.find('\t');
        cols.push_back(rest.substr(0, tab));
        if (tab == std::string_view::npos) break;
        rest.remove_prefix(tab + 1);
      }
      if (cols.size() != header.size())
        throw LabelsError(where(path, n + 1) + "expected " + std::to_string(header.size()) +
                          " tab-separated columns, found " + std::to_string(cols.size()));
      label = cols[label_col];
      text = cols[text_col];
    }
    Polarity gold;
    if (!parse_label(label, binary, gold))
      throw LabelsError(where(path, n + 1) + "label '" + std::string(label) + "' is not " +
                        (binary ? "0, 1" : "0, 1, 2") + " or negative/neutral/positive");
    add_example(d, opts, text, gold);
  }
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool hex4(std::string_view s, std::size_t at, uint32_t& out) {
  if (at + 4 > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    const char c = s[i];
    const int d = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
    if (d < 0) return false;
    out = out * 16 + static_cast<uint32_t>(d);
  }
  return true;
}

// The TweetEval text files keep some characters as literal JSON escapes ("don\u2019t",
// "\u002c"): decode \uXXXX (and surrogate pairs) so the scorer sees the characters.
// Anything else, including a lone surrogate, stays as written.
std::string decode_u_escapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    uint32_t cp;
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'u' && hex4(s, i + 2, cp)) {
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t lo;
        if (i + 12 <= s.size() && s[i + 6] == '\\' && s[i + 7] == 'u' && hex4(s, i + 8, lo) &&
            lo >= 0xDC00 && lo <= 0xDFFF) {
          append_utf8(0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00), out);
          i += 11;
          continue;
        }
      } else if (cp < 0xDC00 || cp > 0xDFFF) {
        if (cp != 0) {
          append_utf8(cp, out);
          i += 5;
          continue;
        }
      }
    }
    out += s[i];
  }
  return out;
}

// Decodes the five XML entities and numeric character references.
std::string xml_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const std::size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += '&';
      continue;
    }
    const std::string_view ent = s.substr(i + 1, semi - i - 1);
    uint32_t cp = 0;
    if (ent == "amp") {
      cp = '&';
    } else if (ent == "lt") {
      cp = '<';
    } else if (ent == "gt") {
      cp = '>';
    } else if (ent == "quot") {
      cp = '"';
    } else if (ent == "apos") {
      cp = '\'';
    } else if (ent.size() > 1 && ent[0] == '#') {
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      cp = static_cast<uint32_t>(
          std::strtoul(std::string(ent.substr(hex ? 2 : 1)).c_str(), nullptr, hex ? 16 : 10));
    }
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out += '&';  // not an entity we know: keep the text as written
      continue;
    }
    append_utf8(cp, out);
    i = semi;
  }
  return out;
}

void read_tweeteval(const std::string& path, const ReadOptions& opts, Dataset& d) {
  if (opts.texts_path.empty())
    throw LabelsError(path + ": the tweeteval format needs the texts file too (--texts)");
  const std::string labels = read_file(path), texts = read_file(opts.texts_path);
  auto label_lines = split_lines(labels), text_lines = split_lines(texts);
  while (!label_lines.empty() && label_lines.back().empty()) label_lines.pop_back();
  // A trailing empty line in the texts file is the file's final newline, not a tweet.
  while (text_lines.size() > label_lines.size() && text_lines.back().empty()) text_lines.pop_back();
  if (label_lines.size() != text_lines.size())
    throw LabelsError(path + ": " + std::to_string(label_lines.size()) + " labels but " +
                      opts.texts_path + " has " + std::to_string(text_lines.size()) + " texts");
  for (std::size_t n = 0; n < label_lines.size(); ++n) {
    Polarity gold;
    if (!parse_label(label_lines[n], false, gold))
      throw LabelsError(where(path, n + 1) + "label '" + std::string(label_lines[n]) +
                        "' is not 0, 1 or 2");
    add_example(d, opts, decode_u_escapes(text_lines[n]), gold);
  }
}

// The value of attribute `name` inside a start tag, or npos-empty when absent.
bool xml_attribute(std::string_view tag, std::string_view name, std::string_view& value) {
  for (std::size_t p = tag.find(name); p != std::string_view::npos; p = tag.find(name, p + 1)) {
    const bool starts = p > 0 && (tag[p - 1] == ' ' || tag[p - 1] == '\t' || tag[p - 1] == '\n');
    std::size_t q = p + name.size();
    if (!starts || q + 1 >= tag.size() || tag[q] != '=' ||
        (tag[q + 1] != '"' && tag[q + 1] != '\''))
      continue;
    const char quote = tag[q + 1];
    const std::size_t end = tag.find(quote, q + 2);
    if (end == std::string_view::npos) return false;
    value = tag.substr(q + 2, end - q - 2);
    return true;
  }
  return false;
}

std::size_t line_of(std::string_view data, std::size_t pos) {
  std::size_t n = 1;
  for (std::size_t i = 0; i < pos && i < data.size(); ++i) n += data[i] == '\n';
  return n;
}

// NLPCC 2013: <weibo id=".." emotion-type="..."> <sentence ...>text</sentence>... </weibo>.
// A post's text is its sentences joined (Chinese needs no separator).
void read_nlpcc(const std::string& path, const ReadOptions& opts, Dataset& d) {
  const std::string data = read_file(path);
  const std::string_view s = data;
  uint64_t surprise = 0;
  bool any = false;
  for (std::size_t p = s.find("<weibo"); p != std::string_view::npos; p = s.find("<weibo", p)) {
    const std::size_t tag_end = s.find('>', p);
    const std::size_t close = s.find("</weibo>", p);
    if (tag_end == std::string_view::npos || close == std::string_view::npos)
      throw LabelsError(where(path, line_of(s, p)) + "<weibo> element is not closed");
    any = true;
    const std::string_view tag = s.substr(p, tag_end - p);
    std::string_view type;
    if (!xml_attribute(tag, "emotion-type", type))
      throw LabelsError(where(path, line_of(s, p)) + "<weibo> has no emotion-type attribute");
    Polarity gold;
    if (type == "like" || type == "happiness") {
      gold = Polarity::positive;
    } else if (type == "sadness" || type == "disgust" || type == "anger" || type == "fear") {
      gold = Polarity::negative;
    } else if (type == "none") {
      gold = Polarity::neutral;
    } else if (type == "surprise") {
      ++surprise;  // surprise has no polarity (pleasant or not): left out
      p = close + 8;
      continue;
    } else {
      throw LabelsError(where(path, line_of(s, p)) + "unknown emotion-type '" + std::string(type) +
                        "'");
    }
    std::string text;
    const std::string_view body = s.substr(tag_end + 1, close - tag_end - 1);
    for (std::size_t q = body.find("<sentence"); q != std::string_view::npos;
         q = body.find("<sentence", q)) {
      const std::size_t b = body.find('>', q);
      const std::size_t e = body.find("</sentence>", q);
      if (b == std::string_view::npos || e == std::string_view::npos || e < b)
        throw LabelsError(where(path, line_of(s, tag_end + 1 + q)) +
                          "<sentence> element is not closed");
      text += xml_unescape(body.substr(b + 1, e - b - 1));
      q = e + 11;
    }
    add_example(d, opts, text, gold);
    p = close + 8;
  }
  if (!any) throw LabelsError(path + ": no <weibo> elements (is this the NLPCC 2013 XML?)");
  if (surprise > 0) {
    const std::string note = std::to_string(surprise) + " 'surprise' posts (no polarity)";
    d.skipped_note =
        d.skipped > 0 ? note + " and " + std::to_string(d.skipped) + " " + d.skipped_note : note;
    d.skipped += surprise;
  }
}

void append_metric(double v, std::string& out) {
  append_fixed(v, 4, out);
}

}  // namespace

bool parse_format(std::string_view name, Format& out) {
  if (name == "tsv") return out = Format::tsv, true;
  if (name == "weibo_senti") return out = Format::weibo_senti, true;
  if (name == "tweeteval") return out = Format::tweeteval, true;
  if (name == "nlpcc") return out = Format::nlpcc, true;
  return false;
}

Dataset read_dataset(const std::string& path, const ReadOptions& opts) {
  Dataset d;
  switch (opts.format) {
    case Format::tsv:
      read_tsv(path, opts, opts.task == Task::two_class, d);
      break;
    case Format::weibo_senti:
      read_tsv(path, opts, true, d);
      break;
    case Format::tweeteval:
      read_tweeteval(path, opts, d);
      break;
    case Format::nlpcc:
      read_nlpcc(path, opts, d);
      break;
  }
  if (d.examples.empty()) throw LabelsError(path + ": no labelled rows to evaluate");
  return d;
}

std::string strip_bracket_emoticons(std::string_view text) {
  constexpr int kMaxCodePoints = 8;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '[') {
      int cps = 0;
      std::size_t j = i + 1;
      for (; j < text.size() && cps <= kMaxCodePoints; ++j) {
        const char c = text[j];
        if (c == ']' || c == '[' || c == ' ' || c == '\t' || c == '\n' || c == '\r') break;
        cps += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      }
      if (j < text.size() && text[j] == ']' && cps >= 1 && cps <= kMaxCodePoints) {
        i = j + 1;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

Polarity predict(Task task, double compound, Polarity engine_label) {
  if (task == Task::three_class) return engine_label;
  return compound >= 0 ? Polarity::positive : Polarity::negative;
}

Metrics compute_metrics(Task task, const std::vector<Polarity>& gold,
                        const std::vector<Polarity>& pred) {
  if (gold.size() != pred.size())
    throw std::invalid_argument("compute_metrics: gold and predictions differ in length");
  Metrics m;
  m.classes = task == Task::three_class
                  ? std::vector<Polarity>{Polarity::negative, Polarity::neutral, Polarity::positive}
                  : std::vector<Polarity>{Polarity::negative, Polarity::positive};
  const std::size_t k = m.classes.size();
  auto index = [&](Polarity p) -> std::size_t {
    for (std::size_t i = 0; i < k; ++i)
      if (m.classes[i] == p) return i;
    throw std::invalid_argument("compute_metrics: class '" +
                                std::string(kPolarityNames[static_cast<int>(p)]) +
                                "' is not part of the task");
  };
  m.confusion.assign(k, std::vector<uint64_t>(k, 0));
  uint64_t correct = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) {
    const std::size_t g = index(gold[i]), p = index(pred[i]);
    ++m.confusion[g][p];
    correct += g == p;
  }
  m.rows = gold.size();
  m.accuracy = m.rows ? double(correct) / double(m.rows) : 0;
  m.per_class.resize(k);
  double f1_sum = 0;
  std::size_t f1_classes = 0;
  for (std::size_t c = 0; c < k; ++c) {
    ClassMetrics& cm = m.per_class[c];
    const uint64_t tp = m.confusion[c][c];
    for (std::size_t j = 0; j < k; ++j) {
      cm.support += m.confusion[c][j];
      cm.predicted += m.confusion[j][c];
    }
    cm.precision = cm.predicted ? double(tp) / double(cm.predicted) : 0;
    cm.recall = cm.support ? double(tp) / double(cm.support) : 0;
    cm.f1 = cm.precision + cm.recall > 0 ? 2 * cm.precision * cm.recall / (cm.precision + cm.recall)
                                         : 0;
    // Macro average over the classes present in gold or predictions (as scikit-learn's
    // default): a class absent from both says nothing about the scorer.
    if (cm.support + cm.predicted > 0) {
      f1_sum += cm.f1;
      ++f1_classes;
    }
  }
  m.macro_f1 = f1_classes ? f1_sum / double(f1_classes) : 0;
  return m;
}

std::string format_text_report(const Metrics& m, const ReportInfo& info) {
  std::string out;
  char buf[256];
  out.append("labels:     ").append(info.labels_path);
  out.append(" (format ").append(info.format).append(")\n");
  out.append("task:       ").append(info.task).append("   engine: ").append(info.engine);
  out.append("   lang: ").append(info.lang.empty() ? std::string("auto") : info.lang);
  if (info.strip_emoticons) out.append("   [emoticons] stripped");
  out.append("\nprediction: ").append(info.prediction_rule).append("\n");
  std::snprintf(buf, sizeof buf, "rows:       %llu scored, %llu skipped%s%s%s  (%.2f s)\n",
                static_cast<unsigned long long>(m.rows),
                static_cast<unsigned long long>(info.skipped), info.skipped ? " (" : "",
                info.skipped ? info.skipped_note.c_str() : "", info.skipped ? ")" : "",
                info.seconds);
  out += buf;
  std::snprintf(buf, sizeof buf, "accuracy:   %.4f\nmacro-F1:   %.4f\n\n", m.accuracy, m.macro_f1);
  out += buf;
  std::snprintf(buf, sizeof buf, "%-10s %9s %9s %9s %9s %9s\n", "class", "precision", "recall",
                "f1", "support", "predicted");
  out += buf;
  for (std::size_t c = 0; c < m.classes.size(); ++c) {
    const ClassMetrics& cm = m.per_class[c];
    std::snprintf(buf, sizeof buf, "%-10s %9.4f %9.4f %9.4f %9llu %9llu\n",
                  std::string(kPolarityNames[static_cast<int>(m.classes[c])]).c_str(), cm.precision,
                  cm.recall, cm.f1, static_cast<unsigned long long>(cm.support),
                  static_cast<unsigned long long>(cm.predicted));
    out += buf;
  }
  out += "\nconfusion matrix (rows: gold, columns: predicted)\n";
  std::snprintf(buf, sizeof buf, "%-10s", "");
  out += buf;
  for (Polarity p : m.classes) {
    std::snprintf(buf, sizeof buf, " %9s",
                  std::string(kPolarityNames[static_cast<int>(p)]).c_str());
    out += buf;
  }
  out += '\n';
  for (std::size_t g = 0; g < m.classes.size(); ++g) {
    std::snprintf(buf, sizeof buf, "%-10s",
                  std::string(kPolarityNames[static_cast<int>(m.classes[g])]).c_str());
    out += buf;
    for (uint64_t v : m.confusion[g]) {
      std::snprintf(buf, sizeof buf, " %9llu", static_cast<unsigned long long>(v));
      out += buf;
    }
    out += '\n';
  }
  return out;
}

std::string format_json_report(const Metrics& m, const ReportInfo& info) {
  std::string out = "{\"labels\":";
  append_json_string(info.labels_path, out);
  out += ",\"format\":";
  append_json_string(info.format, out);
  out += ",\"task\":";
  append_json_string(info.task, out);
  out += ",\"engine\":";
  append_json_string(info.engine, out);
  out += ",\"lang\":";
  append_json_string(info.lang.empty() ? "auto" : info.lang, out);
  out += ",\"strip_emoticons\":";
  out += info.strip_emoticons ? "true" : "false";
  out += ",\"prediction_rule\":";
  append_json_string(info.prediction_rule, out);
  out += ",\"rows\":" + std::to_string(m.rows);
  out += ",\"skipped\":" + std::to_string(info.skipped);
  out += ",\"accuracy\":";
  append_metric(m.accuracy, out);
  out += ",\"macro_f1\":";
  append_metric(m.macro_f1, out);
  out += ",\"classes\":{";
  for (std::size_t c = 0; c < m.classes.size(); ++c) {
    const ClassMetrics& cm = m.per_class[c];
    if (c) out += ',';
    append_json_string(kPolarityNames[static_cast<int>(m.classes[c])], out);
    out += ":{\"precision\":";
    append_metric(cm.precision, out);
    out += ",\"recall\":";
    append_metric(cm.recall, out);
    out += ",\"f1\":";
    append_metric(cm.f1, out);
    out += ",\"support\":" + std::to_string(cm.support);
    out += ",\"predicted\":" + std::to_string(cm.predicted) + "}";
  }
  out += "},\"confusion\":{\"order\":[";
  for (std::size_t c = 0; c < m.classes.size(); ++c) {
    if (c) out += ',';
    append_json_string(kPolarityNames[static_cast<int>(m.classes[c])], out);
  }
  out += "],\"matrix\":[";
  for (std::size_t g = 0; g < m.classes.size(); ++g) {
    if (g) out += ',';
    out += '[';
    for (std::size_t p = 0; p < m.classes.size(); ++p) {
      if (p) out += ',';
      out += std::to_string(m.confusion[g][p]);
    }
    out += ']';
  }
  out += "]}}\n";
  return out;
}

}  // namespace sentistream::eval

namespace sentistream {

int run_eval_scored(const Config& config, std::shared_ptr<const Lexicon> lexicon,
                    const EvalArgs& args) {
  using namespace eval;
  ReadOptions ro;
  if (!parse_format(args.format, ro.format)) {
    std::cerr << "sentistream eval: unknown --format '" << args.format
              << "' (tsv, weibo_senti, tweeteval, nlpcc)\n";
    return 2;
  }
  // Default task from the format: weibo_senti is binary, the others 3-class.
  std::string task_name = args.task;
  if (task_name.empty()) task_name = ro.format == Format::weibo_senti ? "2class" : "3class";
  if (task_name != "3class" && task_name != "2class") {
    std::cerr << "sentistream eval: unknown --task '" << task_name << "' (3class, 2class)\n";
    return 2;
  }
  ro.task = task_name == "2class" ? Task::two_class : Task::three_class;
  ro.strip_emoticons = args.strip_emoticons;
  ro.texts_path = args.texts;
  if (ro.format == Format::tweeteval && ro.texts_path.empty()) {
    // TweetEval ships val_labels.txt next to val_text.txt.
    const std::size_t p = args.labels.rfind("labels");
    if (p != std::string::npos)
      ro.texts_path = args.labels.substr(0, p) + "text" + args.labels.substr(p + 6);
  }
  // VADER mode scores with VADER's own lexicon files (score.vader_lexicon); load_setup has
  // already checked they load, so a failure here is unexpected.
  std::shared_ptr<const vader::VaderLexicon> vader_lexicon;
  if (config.engine == "vader") {
    try {
      vader_lexicon = vader::VaderLexicon::load(config.vader_lexicon, config.vader_emoji_lexicon);
    } catch (const vader::VaderLexiconError& e) {
      std::cerr << "sentistream eval: invalid VADER lexicon: " << e.what() << "\n";
      return 2;
    }
  }

  Dataset data;
  try {
    data = read_dataset(args.labels, ro);
  } catch (const LabelsError& e) {
    std::cerr << "sentistream eval: " << e.what() << "\n";
    return 2;
  }

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Polarity> gold(data.examples.size()), pred(data.examples.size());
  ScoreOptions so;
  so.score_repost_chain = config.score_repost_chain;
  // One Scorer / VaderAnalyzer per worker thread (they hold scratch buffers; the lexicons
  // are shared and immutable).
  tbb::enumerable_thread_specific<std::unique_ptr<Scorer>> scorers(
      [&] { return std::make_unique<Scorer>(lexicon, so); });
  tbb::enumerable_thread_specific<std::unique_ptr<vader::VaderAnalyzer>> analyzers(
      [&] { return std::make_unique<vader::VaderAnalyzer>(vader_lexicon); });
  std::unique_ptr<tbb::global_control> limit;
  if (config.threads > 0)
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                  static_cast<std::size_t>(config.threads));
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, data.examples.size(), 64),
      [&](const tbb::blocked_range<std::size_t>& r) {
        for (std::size_t i = r.begin(); i < r.end(); ++i) {
          gold[i] = data.examples[i].gold;
          if (vader_lexicon) {
            const double c = analyzers.local()->polarity_scores(data.examples[i].text).compound;
            pred[i] = predict(ro.task, c, static_cast<Polarity>(vader::label_of(c) + 1));
          } else {
            const Score s = scorers.local()->score(data.examples[i].text, args.lang);
            pred[i] =
                predict(ro.task, s.compound, static_cast<Polarity>(static_cast<int>(s.label)));
          }
        }
      });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const Metrics m = compute_metrics(ro.task, gold, pred);
  ReportInfo info;
  info.labels_path = args.labels;
  info.format = args.format;
  info.task = task_name;
  info.lang = args.lang;
  info.engine = config.engine;
  info.strip_emoticons = args.strip_emoticons;
  info.skipped = data.skipped;
  info.skipped_note = data.skipped_note;
  info.seconds = secs;
  info.prediction_rule = ro.task == Task::three_class
                             ? "the engine's label (compound >= 0.05 positive, <= -0.05 "
                               "negative, else neutral)"
                             : "compound >= 0 -> positive, < 0 -> negative (fixed a priori)";
  std::cout << format_text_report(m, info) << std::flush;
  if (!args.output.empty()) {
    std::ofstream f(args.output, std::ios::binary | std::ios::trunc);
    f << format_json_report(m, info);
    f.close();
    if (!f) {
      std::cerr << "sentistream eval: " << args.output << ": cannot write\n";
      return 1;
    }
  }
  if (!std::cout) {
    std::cerr << "sentistream eval: cannot write to stdout\n";
    return 1;
  }
  return 0;
}

}  // namespace sentistream

// The pipeline over in-memory and file sources: framing, encoding, and the whole
// parse -> score -> window -> sink chain at several thread counts and batch sizes.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/builtin_lexicons.h"
#include "operators/parse/parser.h"
#include "pipeline/checkpoint.h"
#include "pipeline/encode.h"
#include "pipeline/replay.h"
#include "pipeline/source.h"

using namespace sentistream;

namespace {

std::string canonical(int i, const std::string& text, const std::string& platform = "twitter",
                      const std::string& lang = "en") {
  char ts[64];
  // Posts every 7 seconds with a little disorder, so several windows and panes fill up.
  int secs = 100 + i * 7 - (i % 5 == 0 ? 20 : 0);
  std::snprintf(ts, sizeof ts, "2025-01-27T%02d:%02d:%02dZ", 8 + secs / 3600, secs / 60 % 60,
                secs % 60);
  return "{\"id\":\"" + std::to_string(i) + "\",\"platform\":\"" + platform +
         "\",\"created_at\":\"" + ts + "\",\"lang\":\"" + lang + "\",\"text\":\"" + text +
         "\",\"author_id\":\"a" + std::to_string(i % 37) + "\",\"hashtags\":[\"DeepSeek\"" +
         (i % 3 ? ",\"AI\"" : "") + "],\"likes\":" + std::to_string(i % 11) + "}";
}

std::vector<std::string> corpus(int n) {
  const char* en[] = {"the glory of made-in-China", "not good at all", "what a great day!!",
                      "chip war again, terrible", "nothing to see"};
  const char* zh[] = {"厉害了我的国", "这个产品很差劲", "不错", "卡脖子太难受了", "国产替代加油"};
  std::vector<std::string> docs;
  for (int i = 0; i < n; ++i) {
    if (i % 4 == 3) {
      docs.push_back(canonical(i, zh[i % 5], "weibo", "zh"));
    } else {
      docs.push_back(canonical(i, en[i % 5]));
    }
    if (i % 97 == 13) docs.push_back("{\"broken\": ");  // interleaved bad documents
  }
  return docs;
}

struct CollectingDlq final : RejectSink {
  std::vector<std::string> lines;
  void write(const DeadLetter& d) override {
    lines.push_back(std::string(to_string(d.reason)) + " " + std::string(d.origin));
  }
  void close() override {}
};

std::string serialise(const std::vector<WindowAggregate>& aggs) {
  std::string out;
  for (const auto& a : aggs) append_aggregate_json(a, 6, out);
  return out;
}

Config test_config() {
  return load_config({"",
                      {"windows.specs=[\"1m\",\"1h/15m\"]", "windows.allowed_lateness=\"20s\"",
                       "windows.max_out_of_orderness=\"10s\""},
                      false});
}

}  // namespace

TEST_CASE("same input, any thread count and batch size: identical aggregates and DLQ") {
  const auto docs = corpus(3000);
  const Config config = test_config();
  std::string reference, reference_dlq;
  for (int threads : {1, 2, 4}) {
    for (size_t batch : {1u, 5u, 64u, 4096u}) {
      CAPTURE(threads);
      CAPTURE(batch);
      MemorySource source(docs, batch, parse_padding());
      MemoryAggregateSink sink;
      CollectingDlq dlq;
      RunOptions options;
      options.threads = threads;
      RunStats stats = run_pipeline(source, config, builtin_lexicon(), sink, &dlq, options);
      CHECK(stats.posts_parsed() == 3000);
      CHECK(stats.totals.rejected[static_cast<int>(RejectReason::invalid_json)] == 31);
      std::string out = serialise(sink.aggregates);
      std::string dlq_text;
      for (const auto& l : dlq.lines) dlq_text += l + "\n";
      if (reference.empty()) {
        reference = out;
        reference_dlq = dlq_text;
        REQUIRE(!out.empty());
      } else {
        CHECK(out == reference);
        CHECK(dlq_text == reference_dlq);
      }
    }
  }
}

TEST_CASE("every post that is not late is in exactly one window per tumbling spec") {
  const auto docs = corpus(2000);
  Config config = test_config();
  MemorySource source(docs, 100, parse_padding());
  MemoryAggregateSink sink;
  RunOptions options;
  options.threads = 2;
  RunStats stats = run_pipeline(source, config, builtin_lexicon(), sink, nullptr, options);
  int64_t in_1m = 0, in_1h = 0;
  for (const auto& a : sink.aggregates) {
    if (!a.final) continue;
    if (a.spec == "1m") in_1m += a.count;
    if (a.spec == "1h/15m") in_1h += a.count;
  }
  const int64_t counted = static_cast<int64_t>(stats.posts_parsed() - stats.late_posts);
  CHECK(in_1m == counted);
  CHECK(in_1h == 4 * counted);  // each post is in size/slide = 4 hopping windows
  CHECK(stats.windows_emitted[0] > 0);
}

TEST_CASE("marker and label counters match the scorer") {
  std::vector<std::string> docs = {canonical(0, "the glory of made-in-China"),
                                   canonical(1, "not good at all"),
                                   canonical(2, "厉害了我的国", "weibo", "zh")};
  Config config = test_config();
  MemorySource source(docs, 10, parse_padding());
  MemoryAggregateSink sink;
  RunStats stats = run_pipeline(source, config, builtin_lexicon(), sink, nullptr, {});
  const auto& cats = builtin_lexicon()->marker_categories();
  auto pride = std::find(cats.begin(), cats.end(), "pride") - cats.begin();
  CHECK(stats.totals.marker_posts[static_cast<size_t>(pride)] == 2);
  CHECK(stats.totals.labels[static_cast<int>(Label::positive)] == 2);
  CHECK(stats.totals.labels[static_cast<int>(Label::negative)] == 1);
}

TEST_CASE("file source: NDJSON framing, blank lines, CRLF, oversized and unterminated lines") {
  auto path = std::filesystem::temp_directory_path() /
              ("sentistream_fs_" + std::to_string(::getpid()) + ".ndjson");
  {
    std::ofstream f(path, std::ios::binary);
    f << "{\"a\":1}\r\n\n   \n{\"b\":2}\n"
      << "{\"c\":\"" << std::string(5000, 'x') << "\"}\n"
      << "{\"d\":4}";  // no final newline
  }
  FileSourceOptions opts;
  opts.batch_docs = 2;
  opts.max_document_bytes = 1024;
  FileSource source({path.string()}, opts);
  std::vector<std::pair<std::string, bool>> seen;
  std::vector<std::string> origins;
  Batch b;
  while (source.next(b)) {
    for (const auto& d : b.docs) {
      seen.emplace_back(b.bytes.substr(d.offset, std::min<uint64_t>(d.length, 12)), d.too_large);
      origins.push_back(source.origin(d));
    }
    b.clear();
  }
  std::filesystem::remove(path);
  REQUIRE(seen.size() == 4);
  CHECK(seen[0].first == "{\"a\":1}");
  CHECK(seen[1].first == "{\"b\":2}");
  CHECK(seen[2].second);  // too large: kept as a prefix, flagged
  CHECK(seen[3].first == "{\"d\":4}");
  CHECK(origins[0] == path.string() + ":1");
  CHECK(origins[1] == path.string() + ":4");
  CHECK(origins[2] == path.string() + ":5");
  CHECK(origins[3] == path.string() + ":6");
}

TEST_CASE("file source: a pretty-printed file is split into top-level documents") {
  auto path = std::filesystem::temp_directory_path() /
              ("sentistream_fs_" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream f(path, std::ios::binary);
    f << "{\n  \"statuses\": [\n    {\"text\": \"a } b\"}\n  ]\n}\n\n[\n  1,\n  2\n]\n";
  }
  FileSource source({path.string()}, {});
  Batch b;
  REQUIRE(source.next(b));
  std::filesystem::remove(path);
  REQUIRE(b.docs.size() == 2);
  CHECK(b.bytes.substr(b.docs[0].offset, b.docs[0].length).back() == '}');
  CHECK(b.docs[0].line == 1);
  CHECK(b.docs[1].line == 7);
  CHECK(b.bytes.substr(b.docs[1].offset, b.docs[1].length) == "[\n  1,\n  2\n]");
}

TEST_CASE("a missing input is a clear runtime error") {
  FileSource source({"/nonexistent/sentistream.ndjson"}, {});
  Batch b;
  CHECK_THROWS_WITH_AS(source.next(b), doctest::Contains("/nonexistent/sentistream.ndjson"),
                       InputError);
}

TEST_CASE("encoding: RFC 3339, JSON strings, fixed decimals") {
  std::string s;
  append_rfc3339(0, s);
  CHECK(s == "1970-01-01T00:00:00Z");
  s.clear();
  append_rfc3339(1738144800250, s);
  CHECK(s == "2025-01-29T10:00:00.250Z");
  s.clear();
  append_rfc3339(-1, s);
  CHECK(s == "1969-12-31T23:59:59.999Z");
  s.clear();
  append_json_string("a\"b\\c\n\x01 厉害", s);
  CHECK(s == "\"a\\\"b\\\\c\\n\\u0001 厉害\"");
  s.clear();
  append_fixed(-0.00001, 4, s);
  CHECK(s == "0.0000");
  s.clear();
  append_fixed(0.23456, 4, s);
  CHECK(s == "0.2346");
}

namespace {

// Frames `content` with a FileSource and returns (first bytes, too_large, line) per doc.
struct Framed {
  std::string text;
  bool too_large;
  uint64_t line;
};

std::vector<Framed> frame(const std::string& content, size_t max_document_bytes = 1 << 20) {
  auto path = std::filesystem::temp_directory_path() /
              ("sentistream_frame_" + std::to_string(::getpid()) + ".json");
  { std::ofstream(path, std::ios::binary) << content; }
  FileSourceOptions opts;
  opts.max_document_bytes = max_document_bytes;
  FileSource source({path.string()}, opts);
  std::vector<Framed> out;
  Batch b;
  while (source.next(b)) {
    for (const auto& d : b.docs) {
      out.push_back({b.bytes.substr(d.offset, d.length), d.too_large, d.line});
    }
    b.clear();
  }
  std::filesystem::remove(path);
  return out;
}

}  // namespace

TEST_CASE("file source: a broken first line costs only itself") {
  std::string good = "{\"id\":\"1\",\"text\":\"ok\"}\n";
  // A fragment (e.g. the start of a `split -b` chunk), then good lines.
  auto docs = frame("xt\":\"cut\"}\n" + good + good);
  REQUIRE(docs.size() == 3);
  CHECK(docs[1].text == "{\"id\":\"1\",\"text\":\"ok\"}");
  // A first line that never closes, a lone '}' at the end: still line by line.
  docs = frame("{\"id\":\"0\",\"text\":\"open\n" + good + good + "}\n");
  REQUIRE(docs.size() == 4);
  CHECK(docs[1].line == 2);
  // A truncated line in the middle of NDJSON.
  docs = frame(good + "{\"id\":\"99\",\"text\":\"trunc\n" + good);
  REQUIRE(docs.size() == 3);
  CHECK(docs[2].text == "{\"id\":\"1\",\"text\":\"ok\"}");
}

TEST_CASE("file source: byte order mark, truncated pretty-printed document") {
  auto docs = frame("\xEF\xBB\xBF{\"a\":1}\n{\"b\":2}\n");
  REQUIRE(docs.size() == 2);
  CHECK(docs[0].text == "{\"a\":1}");
  // A complete pretty-printed response, then a truncated one: the first is one
  // document, the truncated one costs its first line, the rest is read line by line.
  docs = frame(
      "{\n \"statuses\": [\n  {\"text\": \"x\"}\n ]\n}\n{ \"statuses\": [\n{\"text\": \"TAIL\"}\n");
  REQUIRE(docs.size() == 3);
  CHECK(docs[0].line == 1);
  CHECK(docs[1].text == "{ \"statuses\": [");
  CHECK(docs[1].line == 6);
  CHECK(docs[2].text == "{\"text\": \"TAIL\"}");
}

TEST_CASE("file source: oversized pretty-printed document is skipped, the next one kept") {
  std::string big = "{\n \"text\": \"" + std::string(3000, 'x') + "\"\n}\n";
  auto docs = frame(big + "{\n \"b\": 2\n}\n", 1024);
  REQUIRE(docs.size() == 2);
  CHECK(docs[0].too_large);
  CHECK(docs[1].text == "{\n \"b\": 2\n}");
  CHECK(docs[1].line == 4);
}

TEST_CASE("file source: a CRLF line of exactly the limit is not too large") {
  std::string text = "{\"t\":\"" + std::string(1024 - 8, 'y') + "\"}";
  REQUIRE(text.size() == 1024);
  auto docs = frame(text + "\r\n" + text + "\r\n", 1024);
  REQUIRE(docs.size() == 2);
  CHECK_FALSE(docs[0].too_large);
  CHECK_FALSE(docs[1].too_large);
}

TEST_CASE("posts of one API response enter the windows in time order (newest-first is fine)") {
  // A search response lists statuses newest first, 10 minutes apart: with the default
  // 1-minute out-of-orderness none of them may be late.
  std::string doc = "{\"statuses\":[";
  for (int i = 9; i >= 0; --i) {
    doc += std::string(i == 9 ? "" : ",") +
           "{\"created_at\":\"Mon Jan 27 08:" + std::to_string(10 + i * 5) +
           ":00 +0000 2025\",\"id_str\":\"" + std::to_string(i) +
           "\",\"text\":\"great\",\"user\":{\"id_str\":\"9\",\"screen_name\":\"x\"}}";
  }
  doc += "]}";
  Config config = load_config({"", {}, false});
  MemorySource source({doc}, 1, parse_padding());
  MemoryAggregateSink sink;
  RunStats stats = run_pipeline(source, config, builtin_lexicon(), sink, nullptr, {});
  CHECK(stats.posts_parsed() == 10);
  CHECK(stats.late_posts == 0);
}

namespace {
Checkpoint sample_checkpoint() {
  Checkpoint c;
  c.written_ms = 1795898274658;
  c.partitions.push_back({0, "posts", 3, 12345});
  c.partitions.push_back({7, "posts.weibo", 0, 1});
  c.window_state = std::string("\x00\x01state bytes\xff", 15);
  return c;
}
std::string temp_dir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() /
             (std::string(name) + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}
}  // namespace

TEST_CASE("checkpoint: encode and decode round-trip every field") {
  std::string bytes;
  encode_checkpoint(sample_checkpoint(), bytes);
  Checkpoint back = decode_checkpoint(bytes, "mem");
  CHECK(back.written_ms == 1795898274658);
  REQUIRE(back.partitions.size() == 2);
  CHECK(back.partitions[0].topic == "posts");
  CHECK(back.partitions[0].partition == 3);
  CHECK(back.partitions[0].next_offset == 12345);
  CHECK(back.partitions[1].id == 7);
  CHECK(back.partitions[1].topic == "posts.weibo");
  CHECK(back.window_state == sample_checkpoint().window_state);
}

TEST_CASE("checkpoint: truncated, bit-flipped or foreign files are clear errors") {
  std::string bytes;
  encode_checkpoint(sample_checkpoint(), bytes);
  for (size_t cut : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    CHECK_THROWS_AS(decode_checkpoint(bytes.substr(0, cut), "f"), CheckpointError);
  }
  for (size_t i = 8; i < bytes.size(); i += 7) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x20);
    CHECK_THROWS_AS(decode_checkpoint(flipped, "f"), CheckpointError);
  }
  try {
    decode_checkpoint("hello, world, not a checkpoint", "state/checkpoint");
    FAIL("no exception");
  } catch (const CheckpointError& e) {
    CHECK(std::string(e.what()).find("state/checkpoint: not a sentistream checkpoint") == 0);
  }
}

TEST_CASE("checkpoint store: save replaces atomically, load reads back, the dir is locked") {
  const std::string dir = temp_dir("sentistream-ckpt");
  {
    CheckpointStore store(dir);
    CHECK_FALSE(store.load().has_value());
    Checkpoint c = sample_checkpoint();
    store.save(c);
    c.partitions[0].next_offset = 99999;
    store.save(c);
    auto back = store.load();
    REQUIRE(back.has_value());
    CHECK(back->partitions[0].next_offset == 99999);
    CHECK_FALSE(std::filesystem::exists(store.path() + ".tmp"));
    // A second process (here: a second store) cannot use the same directory. flock
    // locks belong to the open file description, so this is exclusive within a process.
    CHECK_THROWS_AS(CheckpointStore{dir}, CheckpointError);
  }
  CheckpointStore again(dir);  // released with the first store
  CHECK(again.load().has_value());
  std::filesystem::remove_all(dir);
}

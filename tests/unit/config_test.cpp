// Config loading: defaults, file, environment and --set precedence; every problem
// reported at once with file, line and key.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "config/config.h"

using namespace sentistream;

namespace {

struct TempToml {
  std::filesystem::path path;
  explicit TempToml(const std::string& text) {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("sentistream_config_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++) + ".toml");
    std::ofstream(path) << text;
  }
  ~TempToml() { std::filesystem::remove(path); }
};

std::vector<std::string> problems_of(const ConfigSources& sources) {
  try {
    load_config(sources);
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

bool any_contains(const std::vector<std::string>& problems, const std::string& needle) {
  for (const auto& p : problems) {
    if (p.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("defaults: 1m and 1h tumbling windows grouped by platform and lang") {
  Config c = load_config({"", {}, false});
  REQUIRE(c.windows.size() == 2);
  CHECK(c.windows[0].name == "1m");
  CHECK(c.windows[0].size_ms == 60000);
  CHECK(c.windows[0].slide_ms == 60000);
  CHECK(c.windows[1].size_ms == 3600000);
  REQUIRE(c.group_by.size() == 2);
  CHECK(c.group_by[0] == Dimension::platform);
  CHECK(c.group_by[1] == Dimension::lang);
  CHECK(c.format == OutputFormat::jsonl);
  CHECK(c.max_document_bytes == 16 << 20);
  CHECK(c.origin.at("windows.specs") == "default");
}

TEST_CASE("a file sets values and records their origin line") {
  TempToml f(
      "[windows]\n"
      "specs = [\"5m\", \"1h/15m\"]\n"
      "group_by = [\"platform\", \"topic\"]\n"
      "allowed_lateness = \"30s\"\n"
      "\n"
      "[topics]\n"
      "deepseek = [\"DeepSeek\", \"深度求索\", \"#DeepSeek\"]\n"
      "default = \"misc\"\n"
      "\n"
      "[input]\n"
      "max_document_bytes = \"2MiB\"\n"
      "\n"
      "[kafka.consumer]\n"
      "\"bootstrap.servers\" = \"localhost:9092\"\n"
      "\"sasl.password\" = \"hunter2\"\n");
  Config c = load_config({f.path.string(), {}, false});
  REQUIRE(c.windows.size() == 2);
  CHECK(c.windows[1].size_ms == 3600000);
  CHECK(c.windows[1].slide_ms == 900000);
  CHECK(c.allowed_lateness_ms == 30000);
  CHECK(c.max_document_bytes == 2 << 20);
  REQUIRE(c.topics.size() == 1);
  CHECK(c.topics[0].name == "deepseek");
  CHECK(c.topics[0].terms == std::vector<std::string>{"deepseek", "深度求索"});
  CHECK(c.topics[0].hashtags == std::vector<std::string>{"deepseek"});
  CHECK(c.default_topic == "misc");
  CHECK(c.kafka_consumer.at("bootstrap.servers") == "localhost:9092");
  CHECK(c.origin.at("windows.specs") == f.path.string() + ":2");

  std::string dump = dump_config(c);
  CHECK(dump.find("hunter2") == std::string::npos);  // secrets never printed
  CHECK(dump.find("'sasl.password' = '***'") != std::string::npos);
  CHECK(dump.find("specs = [\"5m\", \"1h/15m\"]") != std::string::npos);
  // The dump is itself a valid config that loads to the same values.
  TempToml again(dump);
  Config c2 = load_config({again.path.string(), {}, false});
  CHECK(c2.windows.size() == 2);
  CHECK(c2.allowed_lateness_ms == 30000);
  CHECK(c2.topics.size() == 1);
}

TEST_CASE("every problem is reported at once, each naming file, line and key") {
  TempToml f(
      "[windows]\n"
      "specs = [\"1h/7m\"]\n"
      "grup_by = [\"platform\"]\n"
      "top_hashtags = \"ten\"\n"
      "\n"
      "[pipeline]\n"
      "threads = -3\n"
      "\n"
      "[nonsense]\n"
      "x = 1\n");
  auto problems = problems_of({f.path.string(), {}, false});
  const std::string file = f.path.string();
  CHECK(problems.size() == 5);
  CHECK(any_contains(problems, file + ":2: windows.specs:"));
  CHECK(any_contains(problems, "7m"));
  CHECK(
      any_contains(problems, file + ":3: windows.grup_by: unknown key (did you mean 'group_by'?)"));
  CHECK(any_contains(problems, file + ":4: windows.top_hashtags: expected an integer"));
  CHECK(any_contains(problems, file + ":7: pipeline.threads: value -3 is out of range"));
  CHECK(any_contains(problems, file + ":9: [nonsense]: unknown section"));
}

TEST_CASE("TOML syntax errors name file, line and column") {
  TempToml f("[windows]\nspecs = [\"1m\"\n");
  auto problems = problems_of({f.path.string(), {}, false});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].rfind(f.path.string() + ":", 0) == 0);
}

TEST_CASE("cross-field checks name both values") {
  auto problems =
      problems_of({"", {"windows.specs=[\"1m\"]", "windows.allowed_lateness=\"2m\""}, false});
  REQUIRE(problems.size() == 1);
  CHECK(
      problems[0].find("allowed_lateness (2m) must be shorter than the window size of '1m' (1m)") !=
      std::string::npos);

  problems = problems_of({"", {"windows.top_hashtags=50", "windows.hashtag_capacity=20"}, false});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("top_hashtags (50) must not exceed hashtag_capacity (20)") !=
        std::string::npos);
}

TEST_CASE("precedence: defaults < file < environment < --set") {
  TempToml f("[pipeline]\nthreads = 3\nbatch_docs = 100\n[output]\ndecimals = 2\n");
  ::setenv("SENTISTREAM_PIPELINE_THREADS", "5", 1);
  ::setenv("SENTISTREAM_WINDOWS_GROUP_BY", "lang,region", 1);
  Config c = load_config({f.path.string(), {"pipeline.threads=7"}, true});
  ::unsetenv("SENTISTREAM_PIPELINE_THREADS");
  ::unsetenv("SENTISTREAM_WINDOWS_GROUP_BY");
  CHECK(c.threads == 7);
  CHECK(c.origin.at("pipeline.threads") == "--set");
  CHECK(c.batch_docs == 100);
  CHECK(c.decimals == 2);
  REQUIRE(c.group_by.size() == 2);
  CHECK(c.group_by[0] == Dimension::lang);
  CHECK(c.group_by[1] == Dimension::region);
  CHECK(c.origin.at("windows.group_by") == "env SENTISTREAM_WINDOWS_GROUP_BY");
}

TEST_CASE("--set rejects unknown keys and malformed assignments") {
  auto problems = problems_of({"", {"output.formt=csv", "nokey"}, false});
  REQUIRE(problems.size() == 2);
  CHECK(any_contains(problems, "unknown key output.formt (did you mean 'format'?)"));
  CHECK(any_contains(problems, "--set nokey: expected section.key=value"));
}

TEST_CASE("topic rules require grouping by topic") {
  TempToml f("[topics]\nai = [\"#AI\"]\n");
  auto problems = problems_of({f.path.string(), {}, false});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("group_by does not include \"topic\"") != std::string::npos);
}

TEST_CASE("secret keys are recognised") {
  CHECK(is_secret_key("sasl.password"));
  CHECK(is_secret_key("sasl.username"));
  CHECK(is_secret_key("ssl.key.password"));
  CHECK_FALSE(is_secret_key("bootstrap.servers"));
  CHECK_FALSE(is_secret_key("group.id"));
}

TEST_CASE("describe_options lists every option once") {
  std::string table = describe_options();
  CHECK(table.find("`windows.specs`") != std::string::npos);
  CHECK(table.find("`pipeline.threads`") != std::string::npos);
  CHECK(table.find("`output.dlq`") != std::string::npos);
}

TEST_CASE("config/README.md documents exactly the options of the table") {
  std::ifstream in(std::string(SENTISTREAM_SOURCE_DIR) + "/config/README.md");
  REQUIRE(in.good());
  std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Regenerate with: sentistream validate --describe
  CHECK(readme.find(describe_options()) != std::string::npos);
}

TEST_CASE("--set passes dotted librdkafka properties through") {
  Config c = load_config(
      {"",
       {"kafka.consumer.bootstrap.servers=broker:9092", "kafka.producer.enable.idempotence=true"},
       false});
  CHECK(c.kafka_consumer.at("bootstrap.servers") == "broker:9092");
  CHECK(c.kafka_producer.at("enable.idempotence") == "true");
}

TEST_CASE("sizes that overflow are rejected, not wrapped") {
  auto problems = problems_of({"", {"input.max_document_bytes=\"17179869185GiB\""}, false});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("input.max_document_bytes") != std::string::npos);
}

TEST_CASE("cross-field problems are reported together with single-key problems") {
  auto problems = problems_of(
      {"",
       {"output.format=\"xml\"", "windows.specs=[\"1m\"]", "windows.allowed_lateness=\"5m\""},
       false});
  CHECK(problems.size() == 2);
  CHECK(any_contains(problems, "output.format"));
  CHECK(any_contains(problems, "allowed_lateness (5m) must be shorter"));
  // ...but a check whose key failed is skipped: its value is not what the user wrote.
  problems =
      problems_of({"", {"windows.specs=[\"1h/7m\"]", "windows.allowed_lateness=\"5m\""}, false});
  CHECK(problems.size() == 1);
}

#include "pipeline/batch_processor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace sentistream {

uint64_t hash64(std::string_view bytes, uint64_t seed) {
  // FNV-1a over the bytes, then the murmur3 finaliser to spread the bits: cheap, and
  // good enough for HyperLogLog, which needs uniform high bits rather than a crypto hash.
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

std::string_view normalize_lang(std::string_view tag, std::string& scratch) {
  size_t end = tag.find_first_of("-_");
  if (end != std::string_view::npos) tag = tag.substr(0, end);
  scratch.assign(tag);
  for (char& c : scratch) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scratch == "und") scratch.clear();
  return scratch;
}

ProcessorConfig ProcessorConfig::from(const Config& config) {
  ProcessorConfig pc;
  pc.group_by = config.group_by;
  pc.topics = config.topics;
  pc.default_topic = config.default_topic;
  pc.parse.max_document_bytes = static_cast<size_t>(config.max_document_bytes);
  pc.score.score_repost_chain = config.score_repost_chain;
  if (config.engine == "vader")
    pc.vader = vader::VaderLexicon::load(config.vader_lexicon, config.vader_emoji_lexicon);
  return pc;
}

namespace {

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Substring match where ASCII word characters at the term's edges must sit on word
// boundaries in the text: "r1" matches "DeepSeek R1 is out" but not "t.co/aR1bcd";
// Chinese terms (no ASCII edges) match anywhere, as there are no spaces to find.
bool contains_term(std::string_view text, std::string_view term) {
  for (size_t at = text.find(term); at != std::string_view::npos; at = text.find(term, at + 1)) {
    bool left_ok = !is_ascii_alnum(term.front()) || at == 0 || !is_ascii_alnum(text[at - 1]);
    size_t end = at + term.size();
    bool right_ok =
        !is_ascii_alnum(term.back()) || end == text.size() || !is_ascii_alnum(text[end]);
    if (left_ok && right_ok) return true;
  }
  return false;
}

}  // namespace

struct BatchProcessor::Impl final : PostVisitor {
  const ProcessorConfig& config;
  DocumentParser parser;
  Scorer scorer;
  std::unique_ptr<vader::VaderAnalyzer> vader;  // engine "vader" only
  bool wants_topic = false;

  // Per-document state while the parser calls back.
  Batch* batch = nullptr;
  uint32_t doc = 0;

  // Scratch, reused across posts.
  std::string key;
  std::string lang_scratch;
  std::string lowered;
  std::vector<std::string> tags_lowered;

  // Batch-local group table: key -> index into rows.group_keys.
  std::unordered_map<std::string, uint32_t> group_index;

  Impl(const ProcessorConfig& c, std::shared_ptr<const Lexicon> lexicon)
      : config(c), parser(c.parse), scorer(std::move(lexicon), c.score) {
    wants_topic =
        std::find(c.group_by.begin(), c.group_by.end(), Dimension::topic) != c.group_by.end();
    if (c.vader) vader = std::make_unique<vader::VaderAnalyzer>(c.vader);
  }

  std::string_view topic_of(const Post& post) {
    if (config.topics.empty()) return config.default_topic;
    auto lower = [](std::string& str) {
      for (char& c : str) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    };
    lowered.assign(post.text);
    lower(lowered);
    // Hashtags lowered once per post (reused strings: no allocation once warm).
    if (tags_lowered.size() < post.hashtags.size()) tags_lowered.resize(post.hashtags.size());
    for (size_t i = 0; i < post.hashtags.size(); ++i) {
      tags_lowered[i].assign(post.hashtags[i]);
      lower(tags_lowered[i]);
    }
    for (const TopicRule& rule : config.topics) {
      for (size_t i = 0; i < post.hashtags.size(); ++i) {
        for (const auto& h : rule.hashtags) {
          if (h == tags_lowered[i]) return rule.name;
        }
      }
      for (const auto& term : rule.terms) {
        if (contains_term(lowered, term)) return rule.name;
      }
    }
    return config.default_topic;
  }

  // Appends one key value; control characters (the '\x1f' separator among them) become
  // spaces, and values are capped, so user input cannot forge or bloat group keys.
  void append_key_part(std::string_view value) {
    size_t start = key.size();
    key.append(value.substr(0, 64));
    for (size_t i = start; i < key.size(); ++i) {
      if (static_cast<unsigned char>(key[i]) < 0x20) key[i] = ' ';
    }
  }

  uint32_t group_of(const Post& post, const Score& score) {
    key.clear();
    for (size_t i = 0; i < config.group_by.size(); ++i) {
      if (i) key += '\x1f';
      switch (config.group_by[i]) {
        case Dimension::platform:
          key += to_string(post.platform);
          break;
        case Dimension::lang: {
          std::string_view lang = normalize_lang(post.lang, lang_scratch);
          append_key_part(lang.empty() ? kScoreLangs[score.lang] : lang);
          break;
        }
        case Dimension::topic:
          key += topic_of(post);
          break;
        case Dimension::region:
          append_key_part(post.region.empty() ? std::string_view("unknown") : post.region);
          break;
      }
    }
    auto& keys = batch->rows.group_keys;
    auto it = group_index.find(key);
    if (it != group_index.end()) return it->second;
    auto id = static_cast<uint32_t>(keys.size());
    keys.push_back(key);
    group_index.emplace(key, id);
    return id;
  }

  void on_post(const Post& post, std::size_t) override {
    Score s = scorer.score(post.text, post.lang);
    if (vader) {
      // VADER scores the parsed post text (not normalised); its printed (rounded) values
      // are used, so aggregates match what vaderSentiment reports for the same text.
      const vader::VaderScores v = vader->polarity_scores(post.text);
      s.compound = v.compound;
      s.pos = v.pos;
      s.neu = v.neu;
      s.neg = v.neg;
      const int l = vader::label_of(v.compound);
      s.label = l > 0 ? Label::positive : l < 0 ? Label::negative : Label::neutral;
    }
    RowBatch& rows = batch->rows;
    PostRow row;
    row.event_ms = post.created_at_ms;
    row.compound_micro = std::llround(s.compound * 1e6);
    const Engagement& e = post.engagement;
    // Counts are clamped (2^40 is far above any real post) so the sum cannot overflow.
    static constexpr int64_t kMaxCount = int64_t{1} << 40;
    auto count = [](int64_t v) { return std::clamp<int64_t>(v, 0, kMaxCount); };
    row.weight = 1 + count(e.likes) + count(e.reposts) + count(e.replies);
    std::string_view author = post.author_id.empty() ? post.author_name : post.author_id;
    row.author_hash =
        author.empty() ? 0 : (hash64(author, static_cast<uint64_t>(post.platform)) | 1);
    row.group = group_of(post, s);
    row.hashtag_begin = static_cast<uint32_t>(rows.hashtags.size());
    for (std::string_view tag : post.hashtags) {
      rows.hashtags.emplace_back(static_cast<uint32_t>(rows.hashtag_bytes.size()),
                                 static_cast<uint32_t>(tag.size()));
      rows.hashtag_bytes.append(tag);
    }
    row.hashtag_count = static_cast<uint32_t>(post.hashtags.size());
    row.doc = doc;
    row.partition = batch->docs[doc].partition;
    row.label = s.label;
    for (int i = 0; i < kMaxMarkerCategories; ++i) {
      if (s.marker_hits[i]) {
        row.marker_mask |= static_cast<uint16_t>(1u << i);
        ++batch->counters.marker_posts[i];
      }
    }
    rows.rows.push_back(row);
    ++batch->counters.parsed[static_cast<int>(post.platform)];
    ++batch->counters.labels[static_cast<int>(s.label)];
    ++batch->counters.scored[scored_slot(post.platform, s.lang, s.label)];
  }

  void on_reject(RejectReason reason, std::size_t index, std::string_view detail) override {
    Reject r;
    r.doc = doc;
    r.post_index = index == static_cast<std::size_t>(-1) ? -1 : static_cast<int64_t>(index);
    r.reason = reason;
    r.detail.assign(detail);
    batch->rejects.push_back(std::move(r));
    ++batch->counters.rejected[static_cast<int>(reason)];
  }
};

BatchProcessor::BatchProcessor(const ProcessorConfig& config,
                               std::shared_ptr<const Lexicon> lexicon)
    : impl_(std::make_unique<Impl>(config, std::move(lexicon))) {}

BatchProcessor::~BatchProcessor() = default;

void BatchProcessor::process(Batch& batch) {
  Impl& s = *impl_;
  s.batch = &batch;
  s.group_index.clear();
  const size_t capacity_end = batch.bytes.size();  // includes the padding after the last doc
  for (size_t i = 0; i < batch.docs.size(); ++i) {
    const RawDoc& d = batch.docs[i];
    s.doc = static_cast<uint32_t>(i);
    if (d.too_large) {
      s.on_reject(RejectReason::too_large, static_cast<std::size_t>(-1),
                  "document exceeds input.max_document_bytes");
      continue;
    }
    std::string_view json(batch.bytes.data() + d.offset, d.length);
    auto& rows = batch.rows.rows;
    const size_t first_row = rows.size();
    s.parser.parse(json, capacity_end - d.offset, s);
    // API responses list posts newest first; a document is one snapshot, so its posts
    // enter the window stage in event-time order. Stable, hence deterministic.
    if (rows.size() - first_row > 1) {
      std::stable_sort(rows.begin() + static_cast<std::ptrdiff_t>(first_row), rows.end(),
                       [](const PostRow& a, const PostRow& b) { return a.event_ms < b.event_ms; });
    }
  }
  s.batch = nullptr;
}

}  // namespace sentistream

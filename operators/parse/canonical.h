// sentistream's canonical flat post form: one JSON object per post, what
// `sentistream produce` emits and what the parser reads back as DocFormat::canonical.
// The format is specified in operators/parse/README.md.
#pragma once

#include <string>

#include "operators/post.h"

namespace sentistream {

// Appends `post` to `out` as one canonical JSON object on a single line (strings escaped,
// no raw control characters; no trailing newline: NDJSON writers add '\n', Kafka
// producers send it as is). Invalid UTF-8 in a field (impossible for posts from the
// parser) is replaced by U+FFFD so the output is always valid JSON. Allocates only when
// `out` must grow; reuse one string across posts.
//
// Round trip: DocumentParser parses the output back into a Post equal to `post` (every
// field; created_at is written as RFC 3339 with milliseconds when they are non-zero).
void write_canonical_json(const Post& post, std::string& out);

// Appends `text` as a JSON string literal (with quotes). Invalid UTF-8 becomes U+FFFD, so
// the output is always valid JSON. Shared by every JSON writer in sentistream.
void append_json_text(std::string_view text, std::string& out);

}  // namespace sentistream

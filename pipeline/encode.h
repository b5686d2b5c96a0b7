// Text encodings of pipeline output: RFC 3339 times, JSON strings, aggregates as JSON
// lines and CSV rows. Pure functions appending to a caller-owned buffer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "operators/window/window.h"

namespace sentistream {

// "2025-01-29T10:00:00Z"; milliseconds are added only when non-zero (".250Z").
void append_rfc3339(int64_t ms, std::string& out);
// A JSON string literal with quotes; invalid UTF-8 becomes U+FFFD (always valid JSON).
void append_json_string(std::string_view text, std::string& out);
// Fixed-point decimal with `decimals` digits, never "-0.0000".
void append_fixed(double value, int decimals, std::string& out);

// One aggregate as a JSON object followed by '\n' (DESIGN.md output schema).
void append_aggregate_json(const WindowAggregate& agg, int decimals, std::string& out);

// CSV: header for the given grouping and marker names, then one row per aggregate.
void append_csv_header(const std::vector<Dimension>& group_by,
                       const std::vector<std::string>& markers, std::string& out);
void append_aggregate_csv(const WindowAggregate& agg, int decimals, std::string& out);

// Kafka-style upsert key of an aggregate: spec + start + group key.
void append_aggregate_key(const WindowAggregate& agg, std::string& out);

}  // namespace sentistream

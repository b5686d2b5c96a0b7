// Window specs ("1m", "1h/5m") and grouping dimension names.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "operators/window/window.h"

namespace sentistream {

namespace {

constexpr std::array<std::string_view, 4> kDimensionNames = {"platform", "lang", "topic", "region"};

void set_error(std::string* error, std::string_view spec, std::string_view message) {
  if (error == nullptr) return;
  *error = "window spec '";
  error->append(spec);
  error->append("': ");
  error->append(message);
}

std::string not_a_duration(std::string_view part) {
  std::string message = "'";
  message.append(part);
  message.append("' is not a duration (use e.g. 250ms, 90s, 5m, 1h, 2d)");
  return message;
}

}  // namespace

std::optional<WindowSpec> parse_window_spec(std::string_view text, std::string* error) {
  if (text.empty()) {
    set_error(error, text, "empty (use e.g. 1m, or 1h/5m for a hopping window)");
    return std::nullopt;
  }
  const std::size_t slash = text.find('/');
  const std::string_view size_text = text.substr(0, slash);
  const std::string_view slide_text =
      slash == std::string_view::npos ? size_text : text.substr(slash + 1);
  if (slash != std::string_view::npos && slide_text.find('/') != std::string_view::npos) {
    set_error(error, text, "expected SIZE or SIZE/SLIDE");
    return std::nullopt;
  }
  const std::optional<int64_t> size = parse_duration_ms(size_text);
  if (!size) {
    set_error(error, text, not_a_duration(size_text));
    return std::nullopt;
  }
  const std::optional<int64_t> slide = parse_duration_ms(slide_text);
  if (!slide) {
    set_error(error, text, not_a_duration(slide_text));
    return std::nullopt;
  }
  if (*size <= 0) {
    set_error(error, text, "size must be greater than 0");
    return std::nullopt;
  }
  if (*slide <= 0) {
    set_error(error, text, "slide must be greater than 0");
    return std::nullopt;
  }
  if (*slide > *size) {
    set_error(
        error, text,
        "slide " + std::string(slide_text) + " is larger than size " + std::string(size_text));
    return std::nullopt;
  }
  if (*size % *slide != 0) {
    set_error(
        error, text,
        "slide " + std::string(slide_text) + " does not divide size " + std::string(size_text));
    return std::nullopt;
  }
  WindowSpec spec;
  spec.name = std::string(text);
  spec.size_ms = *size;
  spec.slide_ms = *slide;
  return spec;
}

std::string_view to_string(Dimension d) {
  const auto index = static_cast<std::size_t>(d);
  return index < kDimensionNames.size() ? kDimensionNames[index] : std::string_view("unknown");
}

std::optional<Dimension> parse_dimension(std::string_view name) {
  for (std::size_t i = 0; i < kDimensionNames.size(); ++i) {
    if (kDimensionNames[i] == name) return static_cast<Dimension>(i);
  }
  return std::nullopt;
}

}  // namespace sentistream

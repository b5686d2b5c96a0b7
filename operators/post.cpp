#include "operators/post.h"

namespace sentistream {

std::string_view to_string(Platform p) {
  switch (p) {
    case Platform::twitter:
      return "twitter";
    case Platform::weibo:
      return "weibo";
    case Platform::other:
      return "other";
  }
  return "other";
}

std::string_view to_string(RejectReason r) {
  switch (r) {
    case RejectReason::invalid_json:
      return "invalid_json";
    case RejectReason::invalid_utf8:
      return "invalid_utf8";
    case RejectReason::not_a_post:
      return "not_a_post";
    case RejectReason::missing_text:
      return "missing_text";
    case RejectReason::bad_timestamp:
      return "bad_timestamp";
    case RejectReason::too_large:
      return "too_large";
    case RejectReason::late:
      return "late";
  }
  return "invalid_json";
}

std::string_view to_string(Label l) {
  switch (l) {
    case Label::negative:
      return "negative";
    case Label::neutral:
      return "neutral";
    case Label::positive:
      return "positive";
  }
  return "neutral";
}

}  // namespace sentistream

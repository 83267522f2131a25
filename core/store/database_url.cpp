#include "core/store/database_url.hpp"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

namespace steward::store {

namespace {

using Span = std::pair<std::size_t, std::size_t>;  // [begin, end) in the URL

// Where the URL carries a password, in order: "scheme://user:PASSWORD@host…" and
// "…?password=PASSWORD&…" (a URL may have both; every one is masked).
std::vector<Span> password_spans(const std::string& url) {
  constexpr auto npos = std::string::npos;
  std::vector<Span> spans;
  if (auto scheme = url.find("://"); scheme != npos) {
    const std::size_t start = scheme + 3;
    const std::size_t at = url.rfind('@', url.find_first_of("/?", start));
    const std::size_t colon = url.find(':', start);
    if (at != npos && at >= start && colon != npos && colon < at) spans.emplace_back(colon + 1, at);
  }
  for (std::string_view key : {"?password=", "&password="}) {
    if (auto p = url.find(key); p != npos) {
      p += key.size();
      spans.emplace_back(p, std::min(url.find('&', p), url.size()));
    }
  }
  return spans;
}

}  // namespace

bool is_postgres_url(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

std::string password_of(const std::string& url) {
  auto spans = password_spans(url);
  return spans.empty() ? "" : url.substr(spans[0].first, spans[0].second - spans[0].first);
}

std::string masked(const std::string& url) {
  std::string out = url;
  auto spans = password_spans(url);
  // Back to front, so the earlier spans' offsets still hold.
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) out.replace(it->first, it->second - it->first, "***");
  return out;
}

}  // namespace steward::store

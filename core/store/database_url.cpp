#include "core/store/database_url.hpp"

namespace steward::store {

namespace {

// [begin, end) of the password in "scheme://user:PASSWORD@host…", or npos/npos.
std::pair<std::size_t, std::size_t> userinfo_password(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {std::string::npos, std::string::npos};
  const std::size_t start = scheme + 3;
  const std::size_t authority_end = url.find_first_of("/?", start);
  const std::size_t at = url.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end);
  if (at == std::string::npos || at < start) return {std::string::npos, std::string::npos};
  const std::size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return {std::string::npos, std::string::npos};
  return {colon + 1, at};
}

}  // namespace

bool is_postgres_url(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

std::string password_of(const std::string& url) {
  auto [begin, end] = userinfo_password(url);
  if (begin != std::string::npos) return url.substr(begin, end - begin);
  for (const std::string key : {"?password=", "&password="}) {
    auto p = url.find(key);
    if (p == std::string::npos) continue;
    p += key.size();
    return url.substr(p, url.find('&', p) - p);
  }
  return "";
}

std::string masked(const std::string& url) {
  std::string out = url;
  if (auto [begin, end] = userinfo_password(out); begin != std::string::npos) out.replace(begin, end - begin, "***");
  for (const std::string key : {"?password=", "&password="}) {
    auto p = out.find(key);
    if (p == std::string::npos) continue;
    p += key.size();
    auto e = out.find('&', p);
    out.replace(p, (e == std::string::npos ? out.size() : e) - p, "***");
  }
  return out;
}

}  // namespace steward::store

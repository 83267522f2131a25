#include "api/router.hpp"

#include <algorithm>

namespace steward::api {

namespace {
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : path) {
    if (c == '/') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

bool is_param(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

// Number of literal segments matched, or -1 when the pattern does not match.
int score(const Route& r, const std::vector<std::string>& parts, std::map<std::string, std::string>* params) {
  if (r.segments.size() != parts.size()) return -1;
  int literal = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (is_param(r.segments[i])) {
      if (params) (*params)[r.segments[i].substr(1, r.segments[i].size() - 2)] = parts[i];
    } else if (r.segments[i] == parts[i]) {
      ++literal;
    } else {
      return -1;
    }
  }
  return literal;
}
}  // namespace

void Router::add(std::string method, std::string pattern, Access access, Handler handler) {
  Route r{std::move(method), pattern, access, std::move(handler), split_path(pattern)};
  routes_.push_back(std::move(r));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  auto parts = split_path(path);
  Match best;
  int best_score = -1;
  for (const auto& r : routes_) {
    int s = score(r, parts, nullptr);
    if (s < 0) continue;
    if (r.method != method) {
      if (std::find(best.allowed_methods.begin(), best.allowed_methods.end(), r.method) == best.allowed_methods.end())
        best.allowed_methods.push_back(r.method);
      continue;
    }
    if (s > best_score) {
      best_score = s;
      best.route = &r;
    }
  }
  if (best.route) score(*best.route, parts, &best.params);
  return best;
}

}  // namespace steward::api

// The route table: method + path pattern + the permission it needs + handler. Every route's
// permission is declared here, in one place; a route is public only when it says so.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/http/request.hpp"
#include "core/keys/permissions.hpp"

namespace steward::api {

using Handler = std::function<Response(Request&)>;

// Who may call a route: public, any valid key, or a key holding any one of `any_of`.
struct Access {
  bool is_public = false;
  std::vector<Permission> any_of;
  static Access open() { return {true, {}}; }
  // Any valid key, whatever its role or binding: for routes about the key itself
  // (GET /api/keys/self), which a single-task key must reach too.
  bool any_key = false;
  static Access any_valid_key() {
    Access a;
    a.any_key = true;
    return a;
  }
  static Access needs(Permission p) { return {false, {p}}; }
  static Access any(std::initializer_list<Permission> ps) { return {false, ps}; }
  // The key may also come as ?token=KEY: browsers' EventSource cannot set headers. Only
  // for GET streams; the query string is redacted wherever a path is logged.
  bool query_token = false;
  Access with_query_token() const {
    Access a = *this;
    a.query_token = true;
    return a;
  }
};

struct Route {
  std::string method;
  std::string pattern;  // "/api/automations/{id}/run"
  Access access;
  Handler handler;
  std::vector<std::string> segments;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Access access, Handler handler);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed_methods;  // when the path exists under other methods
  };
  // The route whose pattern matches with the most literal segments wins, so
  // /api/automations/runs/{run_id} beats /api/automations/{id}/run for ".../runs/run".
  Match match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace steward::api

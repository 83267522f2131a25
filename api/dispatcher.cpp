#include "api/dispatcher.hpp"

#include "core/util/log.hpp"

namespace steward::api {

namespace {
std::optional<std::string> bearer_token(const Request& req) {
  auto auth = req.header("authorization");
  if (!auth) return std::nullopt;
  const std::string prefix = "Bearer ";
  if (auth->size() <= prefix.size() || auth->compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  return auth->substr(prefix.size());
}
}  // namespace

bool admits(const Access& access, const Principal& who, const std::map<std::string, std::string>& params) {
  if (access.any_key) return true;
  for (Permission p : access.any_of) {
    if (!role_grants(who.role, p)) continue;
    if (is_scoped(p) && who.automation_id) {
      auto id = params.find("id");
      if (id == params.end() || id->second != *who.automation_id) continue;
    }
    return true;
  }
  return false;
}

namespace {
std::string permission_list(const Access& access) {
  std::string out;
  for (Permission p : access.any_of) out += (out.empty() ? "'" : " or '") + std::string(permission_name(p)) + "'";
  return out;
}
}  // namespace

Response Dispatcher::dispatch(Request& req) const {
  auto started = std::chrono::steady_clock::now();
  std::string route = "unmatched";
  Response response = route_and_handle(req, route);
  observe(req.method, route, response.status, started);
  return response;
}

void Dispatcher::observe(const std::string& method, const std::string& route, int status,
                         std::chrono::steady_clock::time_point started) const {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (metrics_) metrics_->http_request(method, route, status, seconds);
  if (!log_enabled(LogLevel::Debug)) return;
  log(LogLevel::Debug, "http",
      method_label(method) + " " + route + " -> " + std::to_string(status) + " (" +
          std::to_string(static_cast<long long>(seconds * 1000)) + " ms)");
}

Response Dispatcher::route_and_handle(Request& req, std::string& route_label) const {
  auto match = router_.match(req.method, req.path);
  if (!match.route) {
    if (!match.allowed_methods.empty()) {
      std::string allow;
      for (const auto& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
      auto r = error_response(405, "method_not_allowed", req.method + " is not allowed on " + req.path + " (allowed: " + allow + ")");
      r.headers.emplace_back("Allow", allow);
      return r;
    }
    return error_response(404, "not_found", "no endpoint " + req.method + " " + req.path);
  }
  const Route& route = *match.route;
  route_label = route.pattern;
  req.params = std::move(match.params);

  if (!route.access.is_public) {
    auto token = bearer_token(req);
    if (!token && route.access.query_token)
      if (auto it = req.query.find("token"); it != req.query.end()) token = it->second;
    if (token) req.principal = keys_.verify(*token);
    if (!req.principal) {
      std::string why = token ? "the API key is unknown, revoked or expired" : "an API key is required: Authorization: Bearer <key>";
      if (audit_) audit_->append("anonymous", "auth.denied", req.method + " " + req.path, "401", why);
      auto r = error_response(401, "unauthorized", why);
      r.headers.emplace_back("WWW-Authenticate", token ? "Bearer error=\"invalid_token\"" : "Bearer");
      return r;
    }
    if (!admits(route.access, *req.principal, req.params)) {
      std::string why = "the key '" + req.principal->name + "' (" + std::string(role_name(req.principal->role)) +
                        (req.principal->automation_id ? ", bound to " + *req.principal->automation_id : "") +
                        ") lacks the permission " + permission_list(route.access) + " here";
      if (audit_) audit_->append(req.principal->name, "auth.forbidden", req.method + " " + req.path, "403", why);
      return error_response(403, "forbidden", why);
    }
  }

  Response response = handle(req, route);
  // Reads are not audited; every attempt to change something is, with its outcome.
  if (audit_ && req.method != "GET" && req.method != "HEAD" && !route.access.is_public) {
    std::string target;
    for (const auto& [k, v] : req.params) target += (target.empty() ? "" : " ") + v;
    std::string detail;
    if (target.empty() || response.status >= 400) {
      auto body = nlohmann::json::parse(response.body, nullptr, false);
      // A create names what it made (the new key, automation, window…), not the collection.
      if (target.empty() && response.status < 300 && body.is_object() && body.contains("id") && body["id"].is_string())
        target = body["id"].get<std::string>();
      if (response.status >= 400 && body.is_object() && body.contains("error")) detail = body["error"].value("code", "");
    }
    if (target.empty()) target = req.path;
    audit_->append(req.principal ? req.principal->name : "anonymous", req.method + " " + route.pattern, target,
                   std::to_string(response.status), detail);
  }
  return response;
}

Response Dispatcher::handle(Request& req, const Route& route) const {
  try {
    return route.handler(req);
  } catch (const ApiError& e) {
    return error_response(e.status, e.code, e.what(), e.field);
  } catch (const nlohmann::json::exception& e) {
    return error_response(400, "invalid_request", std::string("malformed request: ") + e.what());
  } catch (const std::exception& e) {
    log(LogLevel::Error, "api", req.method + " " + route.pattern + " [" + req.request_id + "] failed: " + e.what());
    return error_response(500, "internal_error", "internal error (request id " + req.request_id + ")");
  }
}

}  // namespace steward::api

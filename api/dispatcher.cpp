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

Response Dispatcher::dispatch(Request& req) const {
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
  req.params = std::move(match.params);

  if (!route.access.is_public) {
    auto token = bearer_token(req);
    if (!token) {
      auto r = error_response(401, "unauthorized", "an API key is required: Authorization: Bearer <key>");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
    req.principal = keys_.verify(*token);
    if (!req.principal) {
      auto r = error_response(401, "unauthorized", "the API key is unknown, revoked or expired");
      r.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return r;
    }
    if (!role_grants(req.principal->role, route.access.permission))
      return error_response(403, "forbidden",
                            "the key '" + req.principal->name + "' (" + std::string(role_name(req.principal->role)) +
                                ") lacks the permission '" + std::string(permission_name(route.access.permission)) + "'");
  }

  try {
    return route.handler(req);
  } catch (const ApiError& e) {
    return error_response(e.status, e.code, e.what(), e.field);
  } catch (const nlohmann::json::exception& e) {
    return error_response(400, "invalid_request", std::string("malformed request: ") + e.what());
  } catch (const std::exception& e) {
    log(LogLevel::Error, "api", req.method + " " + req.path + " [" + req.request_id + "] failed: " + e.what());
    return error_response(500, "internal_error", "internal error (request id " + req.request_id + ")");
  }
}

}  // namespace steward::api

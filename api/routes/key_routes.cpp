// /api/keys — admin only: list (never secrets), create (the secret shown once), revoke.
// /api/keys/self — any valid key: who it is and what it may do, so a client (the dashboard)
// shows only what the key allows instead of learning it from 403s.
#include "api/routes/api_context.hpp"
#include "core/util/clock.hpp"

namespace steward::api {

using nlohmann::json;

namespace {
json key_json(const KeyInfo& k) {
  auto secs = [](const std::optional<std::int64_t>& ms) { return ms ? json(*ms / 1000) : json(nullptr); };
  return {{"id", k.id},
          {"name", k.name},
          {"role", k.role},
          {"automation_id", k.automation_id ? json(*k.automation_id) : json(nullptr)},
          {"created", k.created_ms / 1000},
          {"expires", secs(k.expires_ms)},
          {"revoked", secs(k.revoked_ms)}};
}
}  // namespace

void add_key_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/keys", Access::needs(Permission::Admin), [&ctx](Request&) {
    json list = json::array();
    for (const auto& k : ctx.keys.list()) list.push_back(key_json(k));
    return Response::json(200, {{"keys", list}});
  });

  router.add("GET", "/api/keys/self", Access::any_valid_key(), [&ctx](Request& req) {
    const Principal& who = *req.principal;
    json permissions = json::array();
    for (Permission p : role_permissions(who.role)) permissions.push_back(std::string(permission_name(p)));
    json self = {{"id", who.key_id},
                 {"name", who.name},
                 {"role", std::string(role_name(who.role))},
                 {"permissions", permissions},
                 {"automation_id", who.automation_id ? json(*who.automation_id) : json(nullptr)},
                 {"expires", nullptr}};
    if (auto info = ctx.keys.get(who.key_id); info && info->expires_ms) self["expires"] = *info->expires_ms / 1000;
    return Response::json(200, self);
  });

  router.add("POST", "/api/keys", Access::needs(Permission::Admin), [&ctx](Request& req) {
    json body = req.json_object_body();
    std::string name = body.value("name", "");
    if (!body.contains("name") || !body["name"].is_string() || name.empty() || name.size() > 200)
      throw ApiError(400, "invalid_field", "name: a non-empty string (who holds the key) is required", "name");
    auto role = body.contains("role") && body["role"].is_string() ? parse_role(body["role"].get<std::string>()) : std::nullopt;
    if (!role)
      throw ApiError(400, "invalid_field", "role: must be admin, full-access, single-task or view-only", "role");
    std::optional<std::string> automation;
    if (body.contains("automation_id") && !body["automation_id"].is_null()) {
      if (!body["automation_id"].is_string()) throw ApiError(400, "invalid_field", "automation_id: must be a string", "automation_id");
      automation = body["automation_id"].get<std::string>();
    }
    if (*role == Role::SingleTask && !automation)
      throw ApiError(400, "invalid_field", "automation_id: a single-task key is bound to one automation", "automation_id");
    if (*role != Role::SingleTask && automation)
      throw ApiError(400, "invalid_field", "automation_id: only single-task keys are bound to an automation", "automation_id");
    if (automation && !ctx.automations.get(*automation))
      throw ApiError(400, "invalid_field", "automation_id: no automation '" + *automation + "'", "automation_id");
    std::optional<std::int64_t> expires;
    if (body.contains("expires_in")) {
      constexpr std::int64_t kTenYears = 10LL * 366 * 24 * 3600;  // bounds the ms arithmetic below
      if (!body["expires_in"].is_number_integer() || body["expires_in"].get<std::int64_t>() < 1 ||
          body["expires_in"].get<std::int64_t>() > kTenYears)
        throw ApiError(400, "invalid_field", "expires_in: seconds, from 1 to " + std::to_string(kTenYears), "expires_in");
      expires = now_ms() + body["expires_in"].get<std::int64_t>() * 1000;
    }
    auto key = ctx.keys.create(name, *role, automation, expires);
    json j = key_json(key.info);
    j["key"] = key.secret;
    return Response::json(201, j);
  });

  router.add("DELETE", "/api/keys/{key_id}", Access::needs(Permission::Admin), [&ctx](Request& req) {
    const std::string& id = req.params["key_id"];
    if (!ctx.keys.revoke(id)) {
      if (ctx.keys.get(id)) throw ApiError(409, "already_revoked", "key '" + id + "' is already revoked");
      throw ApiError(404, "not_found", "no key '" + id + "'");
    }
    return Response::json(200, {{"id", id}, {"status", "revoked"}});
  });
}

}  // namespace steward::api

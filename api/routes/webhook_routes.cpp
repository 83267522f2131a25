// POST /api/automations/webhook/{token} — runs the automation whose webhook token it is.
// No API key: the token is the secret. Checks in order: token (404), rate limit (429),
// signature (401), enabled (409); then the usual launch path, so maintenance windows and
// the approval gate apply. The token never reaches a log line: errors name the route
// pattern, and the audit log names the automation and the token's hint only.
// docs/webhooks-and-streams.md.
#include <Poco/URI.h>

#include "api/routes/api_context.hpp"
#include "api/routes/route_helpers.hpp"
#include "core/util/clock.hpp"

namespace steward::api {

using nlohmann::json;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// The body as the run sees it: JSON, form fields as an object of strings, or plain text.
json payload_of(const Request& req) {
  if (req.body.empty()) return json::object();
  std::string type = req.header("content-type").value_or("");
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  if (starts_with(type, "application/x-www-form-urlencoded")) {
    json fields = json::object();
    try {
      Poco::URI uri("/?" + req.body);
      for (const auto& [k, v] : uri.getQueryParameters()) fields[k] = v;
    } catch (const std::exception&) {
      throw ApiError(400, "invalid_body", "the form body is not valid application/x-www-form-urlencoded");
    }
    return fields;
  }
  if (starts_with(type, "application/json") || type.find("+json") != std::string::npos || type.empty()) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_discarded()) return body;
    if (!type.empty()) throw ApiError(400, "invalid_json", "the body is not valid JSON");
  }
  return req.body;  // text of another type: handed over as a string
}

std::map<std::string, std::string> chosen_headers(const Request& req, const WebhookSettings& s) {
  std::map<std::string, std::string> out;
  for (const auto& name : s.headers)
    if (auto v = req.header(name)) out[name] = *v;
  return out;
}

Response refuse(const WebhookRefusal& r) {
  Response resp = error_response(r.status, r.code, r.message);
  if (r.retry_after_s > 0) resp.headers.emplace_back("Retry-After", std::to_string(r.retry_after_s));
  return resp;
}

Response trigger(ApiContext& ctx, Request& req) {
  auto hook = ctx.webhooks.find_by_token(req.params["token"]);
  // One answer for every unknown token, whatever it looks like.
  if (!hook) throw ApiError(404, "not_found", "no webhook has this token");
  const std::int64_t now = now_ms();
  if (auto refused = ctx.webhook_guard.admit(*hook, now)) return refuse(*refused);
  if (auto refused = ctx.webhook_guard.verify(*hook, req.body, req.header("x-hub-signature-256"),
                                              req.header("x-steward-timestamp"), now)) {
    ctx.audit.append("webhook " + hook->token_hint, "webhook.refused", hook->automation_id,
                     std::to_string(refused->status), refused->code);
    return refuse(*refused);
  }
  LaunchOptions options;
  options.input = TriggerInput{"webhook", payload_of(req), chosen_headers(req, hook->settings)};
  Principal caller;
  caller.name = "webhook " + hook->token_hint;
  caller.role = Role::ViewOnly;  // not used for access: the token was the check
  Launch launch = launch_or_throw(ctx, hook->automation_id, "webhook", caller, options);
  ctx.audit.append(caller.name, "webhook.trigger", hook->automation_id, launch.run.status, launch.run.id);
  if (!wants_wait(req)) return Response::json(200, launch_json(launch));
  return Response::json(200, wait_for_run(ctx, launch.run));
}

}  // namespace

void add_webhook_routes(Router& router, ApiContext& ctx) {
  router.add("POST", "/api/automations/webhook/{token}", Access::open(),
             [&ctx](Request& req) { return trigger(ctx, req); });

  router.add("POST", "/api/automations/{id}/webhook/rotate", Access::needs(Permission::AutomationsWrite),
             [&ctx](Request& req) {
    const std::string& id = req.params["id"];
    if (!ctx.automations.get(id)) throw ApiError(404, "not_found", "no automation '" + id + "'");
    std::string token = ctx.webhooks.rotate(id);
    return Response::json(200, {{"automation_id", id},
                                {"webhook_token", token},
                                {"webhook_url", "/api/automations/webhook/" + token},
                                {"status", "rotated"}});
  });
}

}  // namespace steward::api

#include "core/webhooks/webhook_settings.hpp"

#include <algorithm>

namespace steward {

using nlohmann::json;

const json& webhook_input_schema() {
  static const json schema = json::parse(R"json({
    "type": ["object", "null"],
    "additionalProperties": false,
    "description": "POST /api/automations/webhook/{token} runs this automation; null removes the webhook",
    "properties": {
      "secret": {"type": ["string", "null"], "minLength": 16, "maxLength": 256,
                 "description": "HMAC-SHA256 key for signed calls; write-only; null removes it, absent keeps it"},
      "require_signature": {"type": "boolean", "default": false,
                            "description": "Refuse calls without a valid X-Hub-Signature-256"},
      "signature": {"type": "string", "enum": ["timestamped", "github"], "default": "timestamped",
                    "description": "timestamped: HMAC over '<X-Steward-Timestamp>.<body>' (replay window); github: over the body"},
      "tolerance_s": {"type": "integer", "minimum": 10, "maximum": 86400, "default": 300,
                      "description": "How far a signed timestamp may be from the daemon's clock"},
      "rate_limit": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 60,
                     "description": "Calls per minute for this token (429 beyond)"},
      "headers": {"type": "array", "maxItems": 20, "default": [],
                  "items": {"type": "string", "minLength": 1, "maxLength": 100},
                  "description": "Request headers handed to the run as {{headers.name}} and STEWARD_HEADER_*"}
    }
  })json");
  return schema;
}

json to_json(const WebhookSettings& s) {
  return {{"require_signature", s.require_signature}, {"signature", s.signature}, {"tolerance_s", s.tolerance_s},
          {"rate_limit", s.rate_limit}, {"headers", s.headers}};
}

WebhookSettings webhook_settings_from_json(const json& j) {
  WebhookSettings s;
  s.require_signature = j.value("require_signature", false);
  s.signature = j.value("signature", "timestamped");
  s.tolerance_s = j.value("tolerance_s", 300);
  s.rate_limit = j.value("rate_limit", 60);
  for (const auto& h : j.value("headers", json::array())) {
    std::string name = h.get<std::string>();
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    s.headers.push_back(name);
  }
  return s;
}

std::variant<WebhookChange, SchemaError> webhook_change_from_input(const json& body) {
  WebhookChange change;
  auto it = body.find("webhook");
  if (it == body.end()) return change;
  if (auto err = validate_json(webhook_input_schema(), *it, "webhook")) return *err;
  if (it->is_null()) {
    change.kind = WebhookChange::Kind::Remove;
    return change;
  }
  for (const auto& h : it->value("headers", json::array())) {
    const std::string name = h.get<std::string>();
    bool token_chars = std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
    if (!token_chars) return SchemaError{"webhook.headers", "'" + name + "' is not a header name"};
  }
  change.kind = WebhookChange::Kind::Set;
  change.settings = webhook_settings_from_json(*it);
  if (it->contains("secret")) {
    change.secret_given = true;
    if ((*it)["secret"].is_string()) change.secret = (*it)["secret"].get<std::string>();
  }
  if (change.settings.require_signature && change.secret_given && !change.secret)
    return SchemaError{"webhook.secret", "is needed while require_signature is true"};
  return change;
}

}  // namespace steward

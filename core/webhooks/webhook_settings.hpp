// An automation's webhook (DESIGN.md §4, docs/webhooks-and-streams.md): the token is the
// secret in the URL; optional HMAC signatures; a per-token rate limit; which request
// headers reach the run. The token is stored only as a hash, the HMAC secret is write-only.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/util/json_schema.hpp"

namespace steward {

struct WebhookSettings {
  bool require_signature = false;        // refuse calls without a valid signature
  std::string signature = "timestamped"; // timestamped: HMAC over "<ts>.<body>" | github: over the body
  int tolerance_s = 300;                 // how old (or new) a signed timestamp may be
  int rate_limit = 60;                   // calls per minute per token; burst of the same size
  std::vector<std::string> headers;      // request headers handed to the run (lower case)
};

nlohmann::json to_json(const WebhookSettings& s);
WebhookSettings webhook_settings_from_json(const nlohmann::json& j);  // from validated JSON

// What a create/update body says about the webhook: keep it as it is (absent), remove it
// (null) or set it (object). The secret is separate: absent keeps it, null removes it.
struct WebhookChange {
  enum class Kind { Keep, Remove, Set } kind = Kind::Keep;
  WebhookSettings settings;
  bool secret_given = false;
  std::optional<std::string> secret;
};

std::variant<WebhookChange, SchemaError> webhook_change_from_input(const nlohmann::json& body);
const nlohmann::json& webhook_input_schema();

}  // namespace steward

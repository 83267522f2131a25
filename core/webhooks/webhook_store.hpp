// Webhook rows: one per automation that has a webhook. The token itself is never stored:
// only its SHA-256 (looked up by hash, so lookup time says nothing about the token) and a
// short hint for people to tell tokens apart.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/store/database.hpp"
#include "core/webhooks/webhook_settings.hpp"

namespace steward {

struct Webhook {
  std::string automation_id;
  std::string token_hint;  // "whk_ab12…": the first characters only
  WebhookSettings settings;
  std::optional<std::string> secret;  // never shown through the API
  std::int64_t created_ms = 0;
  std::int64_t rotated_ms = 0;
};

// The public view: settings, hint, whether a secret is set; never the secret or token.
nlohmann::json to_json(const Webhook& w);

class WebhookStore {
 public:
  explicit WebhookStore(store::Database& db) : db_(db) {}

  // Applies a create/update body's change. Returns the new token when a webhook was
  // created (shown once), else "".
  std::string apply(const std::string& automation_id, const WebhookChange& change);
  // A new token for the automation (creating a webhook with default settings if it has
  // none); the old token stops working at once.
  std::string rotate(const std::string& automation_id);
  std::optional<Webhook> find_by_token(const std::string& token);
  std::optional<Webhook> get(const std::string& automation_id);
  std::map<std::string, Webhook> all();

  static std::string new_token();

 private:
  store::Database& db_;
};

}  // namespace steward

#include "core/webhooks/webhook_store.hpp"

#include "core/util/clock.hpp"
#include "core/util/digest.hpp"
#include "core/util/ids.hpp"

namespace steward {

using nlohmann::json;

namespace {
constexpr const char* kColumns = "automation_id, token_hint, settings_json, secret, created_ms, rotated_ms, token_hash";

Webhook from_row(const store::Row& r) {
  Webhook w;
  w.automation_id = r.text(0);
  w.token_hint = r.text(1);
  w.settings = webhook_settings_from_json(json::parse(r.text(2)));
  w.secret = r.optional_text(3);
  w.created_ms = r.integer(4);
  w.rotated_ms = r.integer(5);
  return w;
}

std::string hint(const std::string& token) { return token.substr(0, 8) + "…"; }
}  // namespace

json to_json(const Webhook& w) {
  json j = to_json(w.settings);
  j["token_hint"] = w.token_hint;
  j["has_secret"] = w.secret.has_value();
  j["url_path"] = "/api/automations/webhook/<token>";
  j["rotated"] = w.rotated_ms / 1000;
  return j;
}

// 32 base32 characters: 160 bits from getrandom(2).
std::string WebhookStore::new_token() { return "whk_" + random_base32(32); }

std::string WebhookStore::apply(const std::string& automation_id, const WebhookChange& change) {
  using Kind = WebhookChange::Kind;
  if (change.kind == Kind::Keep) return "";
  if (change.kind == Kind::Remove) {
    db_.execute("DELETE FROM webhooks WHERE automation_id = ?", {automation_id});
    return "";
  }
  return db_.transaction([&] {
    std::string token;
    if (!get(automation_id)) {
      token = new_token();
      std::int64_t now = now_ms();
      db_.execute("INSERT INTO webhooks(automation_id, token_hash, token_hint, settings_json, secret, created_ms, rotated_ms) "
                  "VALUES (?, ?, ?, ?, NULL, ?, ?)",
                  {automation_id, sha256_hex(token), hint(token), to_json(change.settings).dump(), now, now});
    } else {
      db_.execute("UPDATE webhooks SET settings_json = ? WHERE automation_id = ?",
                  {to_json(change.settings).dump(), automation_id});
    }
    if (change.secret_given)
      db_.execute("UPDATE webhooks SET secret = ? WHERE automation_id = ?",
                  {change.secret ? store::Value(*change.secret) : store::Value(nullptr), automation_id});
    return token;
  });
}

std::string WebhookStore::rotate(const std::string& automation_id) {
  return db_.transaction([&] {
    std::string token = new_token();
    std::int64_t now = now_ms();
    if (get(automation_id))
      db_.execute("UPDATE webhooks SET token_hash = ?, token_hint = ?, rotated_ms = ? WHERE automation_id = ?",
                  {sha256_hex(token), hint(token), now, automation_id});
    else
      db_.execute("INSERT INTO webhooks(automation_id, token_hash, token_hint, settings_json, secret, created_ms, rotated_ms) "
                  "VALUES (?, ?, ?, ?, NULL, ?, ?)",
                  {automation_id, sha256_hex(token), hint(token), to_json(WebhookSettings{}).dump(), now, now});
    return token;
  });
}

std::optional<Webhook> WebhookStore::find_by_token(const std::string& token) {
  const std::string hash = sha256_hex(token);
  auto row = db_.query_one(std::string("SELECT ") + kColumns + " FROM webhooks WHERE token_hash = ?", {hash});
  // The index found the row by hash; compare again in constant time all the same.
  if (!row || !constant_time_equal(row->text(6), hash)) return std::nullopt;
  return from_row(*row);
}

std::optional<Webhook> WebhookStore::get(const std::string& automation_id) {
  auto row = db_.query_one(std::string("SELECT ") + kColumns + " FROM webhooks WHERE automation_id = ?", {automation_id});
  if (!row) return std::nullopt;
  return from_row(*row);
}

std::map<std::string, Webhook> WebhookStore::all() {
  std::map<std::string, Webhook> out;
  for (const auto& r : db_.query(std::string("SELECT ") + kColumns + " FROM webhooks")) {
    Webhook w = from_row(r);
    out.emplace(w.automation_id, std::move(w));
  }
  return out;
}

}  // namespace steward

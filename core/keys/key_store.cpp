#include "core/keys/key_store.hpp"

#include <Poco/DigestEngine.h>

#include "core/util/clock.hpp"
#include "core/util/ids.hpp"

namespace steward {

namespace {
constexpr std::string_view kSecretPrefix = "stw_";
constexpr std::size_t kIdChars = 16;      // public part: 80 bits, the row's key
constexpr std::size_t kSecretChars = 32;  // private part: 160 bits
}  // namespace

std::string hash_secret(const std::string& secret) { return sha256_hex(secret); }

NewKey KeyStore::create(const std::string& name, Role role, std::optional<std::string> automation_id,
                        std::optional<std::int64_t> expires_ms) {
  std::string public_part = random_base32(kIdChars);
  NewKey key{"key_" + public_part, std::string(kSecretPrefix) + public_part + random_base32(kSecretChars), {}};
  key.info = {key.id, name, std::string(role_name(role)), automation_id, now_ms(), expires_ms, std::nullopt};
  db_.execute(
      "INSERT INTO api_keys(id, name, role, automation_id, secret_hash, created_ms, expires_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {key.id, name, std::string(role_name(role)),
       automation_id ? store::Value(*automation_id) : store::Value(nullptr), hash_secret(key.secret),
       key.info.created_ms, expires_ms ? store::Value(*expires_ms) : store::Value(nullptr)});
  return key;
}

std::optional<Principal> KeyStore::verify(const std::string& secret) {
  if (secret.size() != kSecretPrefix.size() + kIdChars + kSecretChars ||
      secret.compare(0, kSecretPrefix.size(), kSecretPrefix) != 0)
    return std::nullopt;
  std::string id = "key_" + secret.substr(kSecretPrefix.size(), kIdChars);
  auto row = db_.query_one(
      "SELECT name, role, automation_id, secret_hash, expires_ms, revoked_ms FROM api_keys WHERE id = ?",
      {id});
  if (!row) return std::nullopt;
  if (!constant_time_equal(hash_secret(secret), row->text(3))) return std::nullopt;
  if (!row->is_null(5)) return std::nullopt;
  if (auto exp = row->optional_integer(4); exp && *exp <= now_ms()) return std::nullopt;
  auto role = parse_role(row->text(1));
  if (!role) return std::nullopt;
  return Principal{id, row->text(0), *role, row->optional_text(2)};
}

namespace {
const char* kInfoColumns = "id, name, role, automation_id, created_ms, expires_ms, revoked_ms";
KeyInfo info_from_row(const store::Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.optional_text(3), r.integer(4), r.optional_integer(5), r.optional_integer(6)};
}
}  // namespace

std::vector<KeyInfo> KeyStore::list() {
  std::vector<KeyInfo> out;
  for (const auto& r : db_.query(std::string("SELECT ") + kInfoColumns + " FROM api_keys ORDER BY created_ms"))
    out.push_back(info_from_row(r));
  return out;
}

std::optional<KeyInfo> KeyStore::get(const std::string& id) {
  auto row = db_.query_one(std::string("SELECT ") + kInfoColumns + " FROM api_keys WHERE id = ?", {id});
  if (!row) return std::nullopt;
  return info_from_row(*row);
}

bool KeyStore::revoke(const std::string& id) {
  return db_.execute("UPDATE api_keys SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL",
                     {now_ms(), id}) > 0;
}

bool KeyStore::any() { return db_.query_one("SELECT 1 FROM api_keys LIMIT 1").has_value(); }

}  // namespace steward

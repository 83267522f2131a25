// API keys: created with a random secret shown once, stored only as a SHA-256 hash, looked
// up by their public id part and compared in constant time. Each verification reads the
// store, so a key created or revoked by another process (`steward keys create` beside a
// running daemon) takes effect on the next request.
#pragma once

#include "core/util/digest.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/keys/permissions.hpp"
#include "core/store/database.hpp"

namespace steward {

struct Principal {
  std::string key_id;
  std::string name;  // who holds the key: the identity for audit and approvals
  Role role;
  std::optional<std::string> automation_id;  // single-task binding
};

struct KeyInfo {
  std::string id, name, role;
  std::optional<std::string> automation_id;
  std::int64_t created_ms;
  std::optional<std::int64_t> expires_ms, revoked_ms;
};

struct NewKey {
  std::string id;
  std::string secret;  // "stw_..." — shown once, never stored
  KeyInfo info;        // what was stored
};

class KeyStore {
 public:
  explicit KeyStore(store::Database& db) : db_(db) {}

  NewKey create(const std::string& name, Role role, std::optional<std::string> automation_id = {},
                std::optional<std::int64_t> expires_ms = {});
  // The principal for a presented secret, or nullopt (unknown, wrong, expired or revoked).
  std::optional<Principal> verify(const std::string& secret);
  std::vector<KeyInfo> list();
  std::optional<KeyInfo> get(const std::string& id);
  bool revoke(const std::string& id);
  bool any();

 private:
  store::Database& db_;
};

// SHA-256 of the secret as lowercase hex.
std::string hash_secret(const std::string& secret);

}  // namespace steward

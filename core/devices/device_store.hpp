// Device records. The token is never stored: only its SHA-256, looked up by hash; NULL
// once revoked. Times in ms.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/devices/device.hpp"
#include "core/store/database.hpp"

namespace steward {

struct DeviceHello {  // what an agent announces on connect (docs/device-protocol.md)
  std::string platform, architecture, os_version, agent_version, hostname;
  nlohmann::json capabilities = nlohmann::json::array();
  nlohmann::json tools = nlohmann::json::array();
};

class DeviceStore {
 public:
  explicit DeviceStore(store::Database& db) : db_(db) {}

  // Inserts a new device with the token's hash.
  void insert(const Device& d, const std::string& token);
  std::optional<Device> get(const std::string& id);
  // status: empty for all. Ordered by name, then id.
  std::vector<Device> list(const std::string& status, int limit, int offset);
  std::int64_t count(const std::string& status);
  // The device holding this token (any status but revoked), or nullopt.
  std::optional<Device> find_by_token(const std::string& token);

  bool set_status(const std::string& id, const std::string& status);
  // Drops the token hash and sets status `revoked`; false when the device does not exist.
  bool revoke_token(const std::string& id);
  void record_hello(const std::string& id, const DeviceHello& hello, std::int64_t at_ms);
  // The latest health on the device's row, and a sample in its history (older than
  // kHealthHistoryMs are dropped on the way).
  void record_health(const std::string& id, const nlohmann::json& health, std::int64_t at_ms);
  // Health messages received at or after since_ms, oldest first, each with "timestamp"
  // as in health_json() (the agent's own, else the time it arrived). Several devices in one
  // query: every id asked for has an entry (empty for an unknown device).
  std::map<std::string, std::vector<nlohmann::json>> health_histories(const std::vector<std::string>& ids,
                                                                      std::int64_t since_ms);
  std::vector<nlohmann::json> health_history(const std::string& id, std::int64_t since_ms) {
    return health_histories({id}, since_ms)[id];
  }
  static constexpr std::int64_t kHealthHistoryMs = 24LL * 3600 * 1000;
  void touch(const std::string& id, std::int64_t at_ms);  // last_seen
  // PATCH: name and/or metadata (metadata replaces the stored object).
  bool update(const std::string& id, const std::optional<std::string>& name,
              const std::optional<nlohmann::json>& metadata);
  bool remove(const std::string& id);

  static std::string new_token();  // "dvt_" + 32 base32 chars (160 bits)

 private:
  store::Database& db_;
};

}  // namespace steward

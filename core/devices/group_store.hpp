// Device groups: a named set of devices; a tool can run on all online members at once.
#pragma once

#include <nlohmann/json.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/automations/target.hpp"
#include "core/store/database.hpp"

namespace steward {

struct DeviceGroup {
  std::string id;  // group_…
  std::string name;
  std::string description;
  std::vector<std::string> members;  // device ids, in the order added
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

nlohmann::json to_json(const DeviceGroup& g);

class GroupStore {
 public:
  explicit GroupStore(store::Database& db) : db_(db) {}

  // Throws std::invalid_argument when the name is taken.
  DeviceGroup create(const std::string& name, const std::string& description);
  std::optional<DeviceGroup> get(const std::string& id);
  std::vector<DeviceGroup> list();
  bool remove(const std::string& id);
  // false when already a member (the caller checks that both exist).
  bool add_member(const std::string& group_id, const std::string& device_id);
  bool remove_member(const std::string& group_id, const std::string& device_id);
  std::vector<std::string> groups_of(const std::string& device_id);
  // The device and group ids a device or group target touches, for maintenance windows:
  // a device and the groups it is in, or a group and its members.
  std::vector<std::string> places(const Target& target);

 private:
  store::Database& db_;
};

}  // namespace steward

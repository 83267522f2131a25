// Routing: which device runs a tool when a run does not name one (target "auto").
// Preference (tool -> device) first, when that device is approved, online and has the
// tool; else the daemon itself when it has the tool (fallback "local"), else any approved
// online device with the tool (fallback "any"), else nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/devices/device_presence.hpp"
#include "core/devices/device_store.hpp"
#include "core/plugins/plugin_registry.hpp"

namespace steward {

struct RoutingPreference {
  std::string tool;
  std::string device_id;
  std::string fallback = "local";  // local | any | none
  std::int64_t updated_ms = 0;
  std::string updated_by;
};

nlohmann::json to_json(const RoutingPreference& p);

struct RoutingDecision {
  std::string target;  // "local" | "device:<id>" | "" (nowhere)
  std::string reason;  // one sentence a person can read
  std::vector<std::string> considered;  // each candidate with why it was or was not taken
};

nlohmann::json to_json(const RoutingDecision& d);

class Routing {
 public:
  Routing(store::Database& db, DeviceStore& devices, const PluginRegistry& local_tools, const DevicePresence& presence)
      : db_(db), devices_(devices), local_(local_tools), presence_(presence) {}

  std::vector<RoutingPreference> preferences();
  std::optional<RoutingPreference> preference(const std::string& tool);
  void set_preference(const RoutingPreference& p);
  bool clear_preference(const std::string& tool);

  RoutingDecision decide(const std::string& tool);

 private:
  store::Database& db_;
  DeviceStore& devices_;
  const PluginRegistry& local_;
  const DevicePresence& presence_;
};

}  // namespace steward

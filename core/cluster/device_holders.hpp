// Which daemon holds each device agent's connection: `devices.daemon_id` (docs/operations.md,
// "Devices in a cluster"). The daemon an agent connects to writes itself there; it clears
// it when the agent leaves, unless another daemon took the device over meanwhile. A device
// is online for every daemon when it is held by a live one (lease not passed).
#pragma once

#include <string>
#include <vector>

#include "core/store/database.hpp"

namespace steward::cluster {

class DeviceHolders {
 public:
  DeviceHolders(store::Database& db, std::string self) : db_(db), self_(std::move(self)) {}

  // This daemon holds the device now; returns the daemon that held it before ("" if none).
  std::string take(const std::string& device_id);
  // Clears the holder if it is still this daemon.
  void release(const std::string& device_id);
  // The live daemon other than this one holding the device, or "".
  std::string holder_elsewhere(const std::string& device_id);
  // Whether the device is still recorded as held by this daemon.
  bool held_here(const std::string& device_id);
  // Devices held by live daemons other than this one.
  std::vector<std::string> held_elsewhere();

  // For the reap handler, inside the transaction that deletes `dead`'s row: the running
  // executions of the devices it held end failed, and it holds them no more. Returns the
  // ids of those executions.
  static std::vector<std::string> settle_loss(store::Database& db, const std::string& dead);
  static constexpr const char* kLossReason = "the daemon holding the device's connection stopped";

 private:
  store::Database& db_;
  std::string self_;
};

}  // namespace steward::cluster

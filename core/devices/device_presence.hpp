// What the REST routes need to know about live device connections, without depending on
// the WebSocket edge: the hub (core/devices/device_hub.hpp) implements it.
#pragma once

#include <string>
#include <vector>

namespace steward {

class DevicePresence {
 public:
  virtual ~DevicePresence() = default;
  virtual bool online(const std::string& device_id) const = 0;
  virtual std::vector<std::string> online_ids() const = 0;
  // Closes the device's live connection, if any (block: 4003, revoke/delete: 4001), and
  // fails the executions running on it with `reason`.
  virtual void disconnect(const std::string& device_id, int close_code, const std::string& reason) = 0;
  // The device was approved: a connected device starts receiving its queued commands.
  virtual void approved(const std::string& device_id) = 0;
};

}  // namespace steward

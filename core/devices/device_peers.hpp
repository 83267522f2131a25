// The other daemons sharing the database, as the hub sees them (docs/operations.md,
// "Devices in a cluster"). An agent is connected to one daemon; a command asked through
// another one is stored there, then run by the daemon holding the connection. The hub asks
// this interface where a device is held and hands it what must run elsewhere; it tells it
// when agents come and go here. core/cluster/device_link implements it; without one (tests
// of the hub alone) the hub sees only its own connections.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/devices/execution.hpp"

namespace steward {

class ExecutionHandle;

class DevicePeers {
 public:
  virtual ~DevicePeers() = default;

  // --- asked by the hub ---
  // The live daemon, other than this one, holding the device's connection; "" when none.
  virtual std::string holder(const std::string& device_id) = 0;
  // Devices whose connection another live daemon holds.
  virtual std::vector<std::string> online_elsewhere() = 0;
  // `handle`'s execution is stored `running` and not yet claimed (started_ms empty): asks
  // `daemon` to run it and ends `handle` with the stored record when it has ended.
  virtual void route(const std::string& daemon, std::shared_ptr<ExecutionHandle> handle) = 0;
  // Cancel of an execution that does not run on this daemon; false when it is not running.
  virtual bool cancel(const std::string& execution_id, const std::string& by) = 0;
  // Closes the device's connection wherever another daemon holds it.
  virtual void disconnect(const std::string& device_id, int close_code, const std::string& reason) = 0;
  // The device's queue may have work: the daemon holding it delivers.
  virtual void deliver_queue(const std::string& device_id) = 0;

  // --- told by the hub (never under its locks) ---
  // A connection of the device was attached here / the last one here went away.
  virtual void attached(const std::string& device_id) = 0;
  virtual void detached(const std::string& device_id) = 0;
  // The device said hello here: routed executions waiting for it can be sent.
  virtual void greeted(const std::string& device_id) = 0;
  // An execution another daemon routed here has ended and is stored.
  virtual void ended(const std::string& execution_id) = 0;
};

}  // namespace steward

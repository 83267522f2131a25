// Device commands across daemons (docs/operations.md, "Devices in a cluster"): the hub's
// DevicePeers over the database and the bus.
//
// Daemon B asked to run a command on a device whose agent is connected to daemon A stores
// the execution `running` but unclaimed (no started_ms) and publishes
// steward_device_exec {"daemon": A, "execution": id}. A claims it in the store (so a
// duplicate or a re-read sends it once) and sends it through its hub, which stores the
// output and the end as for its own commands and publishes steward_device_done
// {"execution": id}. B's waiting handle is ended from the stored record on that message,
// or by a poll every second (a NOTIFY can be lost), or when its deadline passes. Cancels
// (steward_device_cancel) and disconnects / queue deliveries (steward_device_control) go to
// the holder the same way. If A dies, the reap handler (settle_device_loss) fails what ran
// through it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/cluster/bus.hpp"
#include "core/cluster/device_holders.hpp"
#include "core/devices/device_hub.hpp"
#include "core/devices/execution_store.hpp"

namespace steward::cluster {

struct DeviceLinkOptions {
  std::chrono::milliseconds poll{1000};   // how often waiters re-read the store
  std::chrono::seconds end_margin{5};     // beyond the holder's own deadline, before giving up
};

class DeviceLink final : public DevicePeers {
 public:
  // Subscribes to the bus (construct it before bus.start()), becomes the hub's peers and
  // starts its worker thread.
  DeviceLink(store::Database& db, Bus& bus, const std::string& self, DeviceHub& hub, ExecutionStore& executions,
             DeviceLinkOptions options = {});
  ~DeviceLink() override;
  DeviceLink(const DeviceLink&) = delete;
  DeviceLink& operator=(const DeviceLink&) = delete;

  // Leaves the hub alone (it sees only its own connections after this) and stops the
  // worker. Handles still waiting for another daemon end `failed` here (not in the store:
  // the command goes on where it runs). Idempotent.
  void stop();

  // --- DevicePeers ---
  std::string holder(const std::string& device_id) override;
  std::vector<std::string> online_elsewhere() override;
  void route(const std::string& daemon, std::shared_ptr<ExecutionHandle> handle) override;
  bool cancel(const std::string& execution_id, const std::string& by) override;
  void disconnect(const std::string& device_id, int close_code, const std::string& reason) override;
  void deliver_queue(const std::string& device_id) override;
  void attached(const std::string& device_id) override;
  void detached(const std::string& device_id) override;
  void greeted(const std::string& device_id) override;
  void ended(const std::string& execution_id) override;

 private:
  struct Waiter {
    std::shared_ptr<ExecutionHandle> handle;
    std::string daemon;  // where it was routed
    std::chrono::steady_clock::time_point deadline;
  };
  // What the bus thread hands the worker. Shared so that a bus handler running while the
  // link is destroyed finds it stopped instead of freed.
  struct Inbox {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<std::function<void()>> tasks;
    bool stopping = false;
  };

  static void post(const std::shared_ptr<Inbox>& inbox, std::function<void()> task);
  void loop();
  void on_message(const std::string& channel, const std::string& payload);  // on the worker
  void adopt(const std::string& execution_id);
  void adopt_unclaimed(const std::string& device_id);
  void settle(const std::string& execution_id);  // a waiter, from the store, if it ended
  void poll();
  void publish(const char* channel, const nlohmann::json& message);  // logs a failure
  void publish_done(const std::string& execution_id);

  Bus& bus_;
  std::string self_;
  DeviceHub& hub_;
  ExecutionStore& executions_;
  DeviceHolders holders_;
  DeviceLinkOptions options_;

  std::mutex mutex_;
  std::map<std::string, Waiter> waiting_;  // by execution id
  std::shared_ptr<Inbox> inbox_;
  std::thread worker_;
};

// The reap handler (DaemonRegistry::on_reap), inside the reaping transaction: fails the
// running executions of the devices `dead` held, clears their holder, and announces each
// end (delivered when the transaction commits).
void settle_device_loss(store::Database& db, Bus& bus, const std::string& dead);

}  // namespace steward::cluster

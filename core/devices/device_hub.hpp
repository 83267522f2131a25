// The hub: every live agent connection, what is running on each, and the per-device
// command queue (docs/device-protocol.md). The WebSocket edge (api/device_ws_server) hands
// it connections and text frames; routes and the run engine ask it to execute tools.
// Nothing here knows about HTTP or sockets: a connection is the DeviceConnection interface.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/devices/device_peers.hpp"
#include "core/devices/device_presence.hpp"
#include "core/devices/device_store.hpp"
#include "core/devices/execution_store.hpp"

namespace steward {

// One agent's socket, as the edge implements it. Both calls are thread-safe.
class DeviceConnection {
 public:
  virtual ~DeviceConnection() = default;
  // False when the connection is gone.
  virtual bool send_text(const std::string& text) = 0;
  // Sends a close frame with the code and shuts the socket down.
  virtual void close(int code, const std::string& reason) = 0;
};

// Sees an execution's output as it arrives (on the edge's reader thread).
class ExecutionObserver {
 public:
  virtual ~ExecutionObserver() = default;
  virtual void on_output(const std::string& stream, std::string_view data) = 0;
};

struct HubOptions {
  int health_interval_s = 30;
  int ping_interval_s = 20;      // silence before a ping; 3x this and the device is offline
  std::size_t output_cap_bytes = 1 << 20;
  int max_malformed = 20;        // consecutive malformed messages before closing (1008)
  int answer_grace_s = 10;       // the hub gives up on an execution timeout_s + this after sending
  std::int64_t max_timeout_s = 86400;
};

struct ExecuteRequest {
  std::string device_id;
  std::string tool;
  nlohmann::json args = nlohmann::json::object();
  std::int64_t timeout_s = 60;
  std::string source = "api";
  std::string requested_by;
  bool queue_if_offline = true;
  std::int64_t queue_expiry_s = 3600;
};

// Why an execution cannot be asked for: the API answers with status and code.
struct ExecuteRefused : std::runtime_error {
  ExecuteRefused(int s, std::string c, const std::string& message)
      : std::runtime_error(message), status(s), code(std::move(c)) {}
  int status;
  std::string code;
};

// An execution in flight, shared by the hub and whoever waits for it.
class ExecutionHandle {
 public:
  explicit ExecutionHandle(DeviceExecution e, std::shared_ptr<ExecutionObserver> observer, std::size_t cap)
      : record_(std::move(e)), observer_(std::move(observer)), cap_(cap) {}
  // The execution as it ended, or nullopt while it is still going after `timeout`.
  std::optional<DeviceExecution> wait(std::chrono::milliseconds timeout);
  DeviceExecution snapshot() const;
  bool done() const;
  const std::string& id() const { return id_ref(); }
  // Ends an execution another daemon ran with the record it stored; the observer gets the
  // output in one piece. False when it had already ended.
  bool settle(const DeviceExecution& final_record);

 private:
  friend class DeviceHub;
  const std::string& id_ref() const { return record_.id; }
  void append(const std::string& stream, std::string_view data);
  // Sets the end once (later calls are ignored); returns the final record, or nullopt.
  std::optional<DeviceExecution> end(const std::string& status, std::optional<std::string> error,
                                     const nlohmann::json& result);

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  DeviceExecution record_;
  bool done_ = false;
  bool settling_ = false;  // settle() is passing the output on
  std::shared_ptr<ExecutionObserver> observer_;
  std::size_t cap_;
};

class DeviceHub : public DevicePresence {
 public:
  DeviceHub(DeviceStore& devices, ExecutionStore& executions, HubOptions options = {});
  ~DeviceHub() override;
  DeviceHub(const DeviceHub&) = delete;
  DeviceHub& operator=(const DeviceHub&) = delete;

  // The other daemons on the database: core/cluster/device_link sets itself here for its
  // lifetime. Without peers the hub knows only its own connections.
  void set_peers(DevicePeers* peers) { peers_.store(peers); }
  void start();  // the sweeper thread: pings, silent devices, hub-side timeouts, queue expiry
  // Closes every connection (1000 "daemon stopping") and fails what runs on them.
  void stop();

  // --- the WebSocket edge ---
  enum class Admission { Admitted, InvalidToken, Blocked };
  struct Admit {
    Admission result;
    std::string device_id;
  };
  Admit admit(const std::string& token);
  // A connection of an admitted device; a previous one of the same device is replaced
  // (closed with 4000). Returns the id the edge passes back with each frame.
  std::uint64_t attach(const std::string& device_id, std::shared_ptr<DeviceConnection> connection);
  void received(std::uint64_t connection_id, std::string_view text);
  // The edge's reader ended (peer closed, socket error). Idempotent.
  void closed(std::uint64_t connection_id, const std::string& why);

  // --- DevicePresence ---
  // Why a device cannot run `tool` right now: "deleted" (no such device), its status when not
  // approved, "offline", or "tool_not_on_device"; empty when it can. Group runs list these.
  std::string why_not_runnable(const std::optional<Device>& device, const std::string& tool) const;
  // Online: connected (and greeted) here, or held by another live daemon.
  bool online(const std::string& device_id) const override;
  std::vector<std::string> online_ids() const override;
  // Here and wherever another daemon holds the device.
  void disconnect(const std::string& device_id, int close_code, const std::string& reason) override;
  void approved(const std::string& device_id) override;

  // --- this daemon's own connections ---
  bool connected_here(const std::string& device_id) const;  // connected and greeted
  std::vector<std::string> connected_ids() const;
  void disconnect_here(const std::string& device_id, int close_code, const std::string& reason);
  void deliver_here(const std::string& device_id);  // sends the device's queue, if connected here

  // An execution another daemon stored for a device it believes connected here.
  enum class Adoption {
    Sent,     // claimed and sent to the agent (or ended failed if the send failed)
    Later,    // the agent is attached but has not said hello: its hello picks it up
    NotHere,  // the device is not connected here
    Gone,     // no longer waiting for a daemon: ended, or claimed by another one
  };
  Adoption adopt(const std::string& execution_id);

  // --- executions ---
  // Sends the call now (device online here), has the daemon holding the device send it
  // (online elsewhere), or queues it (offline, when allowed). Throws
  // ExecuteRefused: 404 unknown device, 409 not approved / offline, 400 tool not on device.
  std::shared_ptr<ExecutionHandle> execute(const ExecuteRequest& request,
                                           std::shared_ptr<ExecutionObserver> observer = nullptr);
  // Several at once (a group): every request is stored in one transaction, then sent.
  // Requests must be valid (the caller checked); offline devices are not queued.
  std::vector<std::shared_ptr<ExecutionHandle>> execute_all(const std::vector<ExecuteRequest>& requests);
  // Asks the agent to stop a running execution, through the daemon holding it when that is
  // not this one; false when none runs with this id.
  bool cancel(const std::string& execution_id, const std::string& by);
  // Only an execution running on this daemon's connections.
  bool cancel_here(const std::string& execution_id, const std::string& by);
  // The live handle of a running execution, or nullptr.
  std::shared_ptr<ExecutionHandle> running(const std::string& execution_id) const;

  const HubOptions& options() const { return options_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Live {
    std::uint64_t connection_id = 0;
    std::shared_ptr<DeviceConnection> connection;
    bool greeted = false;
    Clock::time_point last_received;
    bool ping_outstanding = false;
    int malformed = 0;
    std::string delivering;  // the queued command on its way (one at a time), or ""
  };
  struct Pending {
    std::shared_ptr<ExecutionHandle> handle;
    std::uint64_t connection_id = 0;
    Clock::time_point deadline;
    bool from_queue = false;
    bool cancel_asked = false;  // a deadline passing then ends it `cancelled`, not `timeout`
    bool routed = false;        // asked through another daemon: told when it ends
  };

  void on_hello(std::uint64_t connection_id, const std::string& device_id, const nlohmann::json& id,
                const nlohmann::json& params);
  void on_answer(const std::string& device_id, const nlohmann::json& id, const nlohmann::json* result,
                 const std::string& error);
  void on_output(std::uint64_t connection_id, const nlohmann::json& params);
  // Ends an execution: stored, waiters woken; a queued delivery moves on to the next.
  void finish(const std::string& execution_id, const std::string& status, std::optional<std::string> error,
              const nlohmann::json& result = nullptr);
  // Removes a connection (if still current) and fails what ran on it with `reason`.
  void drop(std::uint64_t connection_id, const std::string& reason);
  // Sends `execution` on the device's connection; false when it could not be sent.
  bool send_execute(const std::string& device_id, const std::shared_ptr<ExecutionHandle>& handle, bool from_queue,
                    bool routed = false);
  void deliver_next(const std::string& device_id);
  // Sends a just-recorded running execution; if it cannot be sent, it ends `failed`.
  void send_or_fail(const std::shared_ptr<ExecutionHandle>& handle, bool routed = false);
  // Tells the peers that a connection was attached / the device's last one here is gone.
  // Serialized, and checked against live_, so that the stored holder ends as the truth.
  void tell_attached(const std::string& device_id, std::uint64_t connection_id);
  void tell_detached(const std::string& device_id);
  void tell_ended(const std::string& execution_id);
  void send_cancel(const std::shared_ptr<DeviceConnection>& connection, const std::string& execution_id);
  std::shared_ptr<DeviceConnection> connection_of(const std::string& device_id) const;
  void sweep();

  DeviceStore& devices_;
  ExecutionStore& executions_;
  HubOptions options_;
  std::atomic<DevicePeers*> peers_{nullptr};  // reset by the peers when they go away
  std::mutex presence_mutex_;  // orders tell_attached / tell_detached

  mutable std::mutex mutex_;
  std::map<std::string, Live> live_;                       // by device id
  std::map<std::uint64_t, std::string> device_of_;         // connection id -> device id
  std::map<std::string, Pending> pending_;                 // running executions by id
  std::uint64_t next_connection_ = 1;
  std::atomic<std::uint64_t> next_request_{1};

  std::mutex sweeper_mutex_;
  std::condition_variable sweeper_cv_;
  bool stopping_ = false;
  std::thread sweeper_;
};

}  // namespace steward

// The agent's side of the device protocol (docs/device-protocol.md §3), without a socket:
// it builds `hello` and `health`, answers the hub's requests (`execute`, `cancel`, `ping`)
// and runs tools with the plugins the agent loaded. Everything it has to say goes through
// `send`, one JSON-RPC message per call, so tests drive it with a capturing function and
// `agent run` with a WebSocket.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "app/agent/host_facts.hpp"
#include "core/plugins/plugin_registry.hpp"

namespace steward::agent {

struct SessionOptions {
  int health_sample_ms = 200;                            // system_info's CPU sampling window
  std::chrono::milliseconds disconnect_wait{10000};      // on_disconnect()'s bound on joining tools
  std::int64_t default_timeout_s = 60;                   // an `execute` without timeout_s
};

class AgentSession {
 public:
  // Called from several threads (the caller's and one per execution), never concurrently:
  // the session serializes its calls. It may throw; the message is then dropped.
  using Send = std::function<void(const std::string& text)>;
  enum class HelloState { NotSent, Waiting, Accepted, Rejected };

  // `registry` must outlive the session.
  AgentSession(const PluginRegistry& registry, HostFacts facts, Send send, SessionOptions options = {});
  ~AgentSession();  // on_disconnect()
  AgentSession(const AgentSession&) = delete;
  AgentSession& operator=(const AgentSession&) = delete;

  // The `hello` request: host facts, capabilities (tool names) and each tool's version and
  // args schema. The caller sends it; its answer comes back through on_message().
  std::string hello_request();
  // One text frame from the hub.
  void on_message(const std::string& text);
  // A `health` notification from the real /proc (the system_info tool); takes about
  // health_sample_ms. Only the timestamp when system_info is not loaded.
  std::string health_notification() const;
  // Sends health_notification() (nothing once disconnected).
  void send_health();
  // The connection is gone: nothing more is sent, every running execution is cancelled and
  // its thread joined (at most disconnect_wait; a tool that ignores cancellation longer is
  // left to finish on its own). Idempotent.
  void on_disconnect();

  HelloState hello_state() const;
  std::string hello_error() const;  // the hub's message when hello was rejected
  std::string device_id() const;    // from hello's answer
  std::string device_status() const;
  int health_interval_s() const { return health_interval_s_.load(); }
  int ping_interval_s() const { return ping_interval_s_.load(); }
  std::size_t running_executions() const;

  struct Core;
  struct Execution;

 private:
  void handle_request(const nlohmann::json& id, const std::string& method, const nlohmann::json& params);
  void execute(const nlohmann::json& id, const nlohmann::json& params);
  void cancel(const nlohmann::json& id, const nlohmann::json& params);
  void reap_finished_threads();

  const PluginRegistry& registry_;
  HostFacts facts_;
  SessionOptions options_;
  std::shared_ptr<Core> core_;  // shared with execution threads

  mutable std::mutex state_mutex_;
  std::int64_t next_request_id_ = 1;
  nlohmann::json hello_id_;
  HelloState hello_state_ = HelloState::NotSent;
  std::string hello_error_, device_id_, device_status_;
  std::atomic<int> health_interval_s_{30};
  std::atomic<int> ping_interval_s_{20};

  std::mutex threads_mutex_;
  std::vector<std::pair<std::shared_ptr<Execution>, std::thread>> threads_;
};

// Maps system_info's `health` result object to the protocol's health params; fields that
// system_info could not read (null or missing) are left out. disk_percent is the fullest
// disk; network counts every interface but loopback.
nlohmann::json health_params(const nlohmann::json& system_info_health, std::int64_t now_ms);

// The length of the longest prefix of `bytes` that does not end inside a UTF-8 sequence,
// so output split across chunks is not turned into replacement characters.
std::size_t complete_utf8_prefix(std::string_view bytes);

}  // namespace steward::agent

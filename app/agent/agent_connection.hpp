// The loop of `steward agent run`: keeps one WebSocket to the hub (docs/device-protocol.md
// §2–§4), feeds its text frames to an AgentSession, sends health on the hub's interval and
// reconnects with jittered backoff. Prints one line per state change to stderr.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

#include "app/agent/agent_config.hpp"
#include "app/agent/host_facts.hpp"
#include "core/plugins/plugin_registry.hpp"

namespace Poco::Net {
class WebSocket;
}

namespace steward::agent {

class AgentSession;

// `steward agent` exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRepair = 3;  // the hub rejected the token: pair again

struct ConnectionOptions {
  std::chrono::seconds handshake_timeout{15};
  std::chrono::seconds send_timeout{30};  // a hub that stops reading is treated as gone
  int health_sample_ms = 200;
};

class AgentConnection {
 public:
  // `registry` must outlive the connection.
  AgentConnection(const PluginRegistry& registry, AgentConfig config, HostFacts facts, ConnectionOptions options = {});

  // Connects and serves until stop() (returns kExitOk), a revoked token (401 handshake or
  // close code 4001: kExitRepair) or an unusable ws_url (bad URL, wss, 404: kExitUsage).
  int run();
  // Thread-safe; run() returns within about a second (running tools are cancelled first).
  void stop();

 private:
  struct Outcome;
  Outcome serve_once();
  template <typename SendFrame>
  Outcome receive_loop(Poco::Net::WebSocket& ws, AgentSession& session, SendFrame& send_frame);
  // Sleeps `delay` unless stop() comes first; returns true when stopped.
  bool wait_or_stop(std::chrono::milliseconds delay);

  const PluginRegistry& registry_;
  AgentConfig config_;
  HostFacts facts_;
  ConnectionOptions options_;
  std::atomic<bool> stopping_{false};
  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;
};

}  // namespace steward::agent

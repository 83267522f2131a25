// The agent's own config file, written by `steward agent pair` and read by `steward agent
// run`: {"host","port","device_id","token","ws_url","name"} (docs/device-protocol.md §1).
// It holds the device token, so it is only ever created with mode 0600.
#pragma once

#include <stdexcept>
#include <string>

namespace steward::agent {

struct AgentConfig {
  std::string host;  // the daemon, as given to `agent pair --host`
  int port = 18780;  // its REST port
  std::string device_id;
  std::string token;   // dvt_…: never printed
  std::string ws_url;  // ws://DAEMON:18781/device/ws, from the pairing answer
  std::string name;
};

// A missing, unreadable or malformed file; the message names the path and the field.
struct AgentConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// $HOME/.config/steward/agent.json. Throws AgentConfigError when HOME is not set.
std::string default_agent_config_path();

AgentConfig load_agent_config(const std::string& path);

// Creates missing parent directories with mode 0700, writes a temp file created 0600 in the
// same directory, fsyncs it and renames it over `path`: readers see the old file or the new
// one, and the token is never world-readable, not even for a moment.
void save_agent_config(const AgentConfig& config, const std::string& path);

}  // namespace steward::agent

// Real `steward agent` processes for the device tests: pairing through the CLI against a
// real daemon, and an agent process that connects over a real WebSocket on 127.0.0.1.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/daemon.hpp"
#include "tests/support/temp_dir.hpp"

namespace steward::test {

struct PairedDevice {
  std::string id;
  std::string config;  // the agent's config file (mode 0600)
};

// Writes `file`, a --plugin-config that lets the filesystem tool use `root` only; returns
// its path (for a daemon's or an agent's --plugin-config).
std::string filesystem_roots_config(const std::filesystem::path& file, const std::filesystem::path& root);

// A pairing code from the daemon (admin key), claimed by `steward agent pair`; approved
// through the API unless `approve` is false. Throws with the CLI's stderr on failure.
PairedDevice pair_agent(const Daemon& d, const std::filesystem::path& dir, const std::string& name,
                        bool approve = true);

class AgentProcess {
 public:
  explicit AgentProcess(const std::string& config, const std::vector<std::string>& extra_args = {},
                        const std::map<std::string, std::string>& env = {});
  ~AgentProcess();  // SIGTERM, then SIGKILL after 10 s
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Sends `sig` and waits; returns the wait status.
  int stop(int sig, std::chrono::seconds timeout = std::chrono::seconds(15));
  // The exit code once the agent exited on its own within `timeout`, else nullopt.
  std::optional<int> wait_exit(std::chrono::seconds timeout);
  std::string stderr_text() const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
};

// Polls GET /api/devices/{id} until `online` is `want`; false on timeout.
bool wait_online(const Daemon& d, const std::string& device_id, bool want,
                 std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace steward::test

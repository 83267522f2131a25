// Runs one backend command (systemctl, service, supervisorctl) from an argument vector:
// posix_spawn of an absolute path, never a shell, so a service name is one argv entry and
// nothing in it is interpreted. The command gets its own process group so a timeout or a
// cancel stops whatever it started; output is streamed to the run and kept for parsing.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>
#include <steward/plugin.hpp>

namespace service_control {

struct CommandOutcome {
  int exit_code = -1;  // the exit status when the command exited by itself
  int signal = 0;      // the signal that ended it, 0 when it exited
  bool timed_out = false;
  bool cancelled = false;
  std::string output;  // stdout and stderr interleaved, the first kMaxCapture bytes
};

inline constexpr std::size_t kMaxCapture = 1 << 20;

// Throws std::runtime_error when the command cannot be started (e.g. no such program).
CommandOutcome run_command(steward::Run& run, const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env_overrides,
                           std::chrono::seconds timeout);

// The argv as one readable line for logs and output (arguments are already shell-safe
// names and paths, so no quoting is attempted).
std::string command_line(const std::vector<std::string>& argv);

}  // namespace service_control

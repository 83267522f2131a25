// What the agent says about its machine when it pairs and in `hello`
// (docs/device-protocol.md §1 and §3): platform, architecture, OS, hostname, agent version.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace steward::agent {

struct HostFacts {
  std::string platform;       // "Linux" (uname sysname)
  std::string architecture;   // uname machine: "x86_64", "aarch64"
  std::string os_version;     // PRETTY_NAME of os-release; "" when unknown
  std::string hostname;
  std::string agent_version;  // STEWARD_VERSION

  // {"platform","architecture","os_version","agent_version","hostname"}
  nlohmann::json to_json() const;
};

// Reads uname(), /etc/os-release (falling back to /usr/lib/os-release) and gethostname().
HostFacts read_host_facts();

// PRETTY_NAME from the text of an os-release file, unquoted; "" when absent.
std::string os_release_pretty_name(std::string_view os_release_text);

}  // namespace steward::agent

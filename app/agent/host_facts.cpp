#include "app/agent/host_facts.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace steward::agent {

nlohmann::json HostFacts::to_json() const {
  return {{"platform", platform},
          {"architecture", architecture},
          {"os_version", os_version},
          {"agent_version", agent_version},
          {"hostname", hostname}};
}

std::string os_release_pretty_name(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string value = line.substr(12);
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    // os-release values are shell-quoted: "..." or '...' (escapes are rare; \" is undone).
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      char quote = value.front();
      value = value.substr(1, value.size() - 2);
      if (quote == '"') {
        std::string unescaped;
        for (std::size_t i = 0; i < value.size(); ++i) {
          if (value[i] == '\\' && i + 1 < value.size()) ++i;
          unescaped += value[i];
        }
        value = unescaped;
      }
    }
    return value;
  }
  return "";
}

HostFacts read_host_facts() {
  HostFacts f;
  utsname u{};
  if (::uname(&u) == 0) {
    f.platform = u.sysname;
    f.architecture = u.machine;
  }
  for (const char* file : {"/etc/os-release", "/usr/lib/os-release"}) {
    std::ifstream in(file);
    if (!in) continue;
    std::stringstream text;
    text << in.rdbuf();
    f.os_version = os_release_pretty_name(text.str());
    break;
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) f.hostname = host;
  f.agent_version = STEWARD_VERSION;
  return f;
}

}  // namespace steward::agent

#include "app/agent/agent_config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace steward::agent {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string errno_text() { return std::strerror(errno); }

// mkdir -p with 0700 for each directory it creates (existing ones are left as they are).
void make_private_dirs(const fs::path& dir) {
  if (dir.empty() || fs::exists(dir)) return;
  make_private_dirs(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw AgentConfigError("cannot create directory " + dir.string() + ": " + errno_text());
}

std::string required_string(const json& j, const char* field, const std::string& path) {
  if (!j.contains(field) || !j[field].is_string() || j[field].get<std::string>().empty())
    throw AgentConfigError("agent config " + path + ": '" + field + "' must be a non-empty string");
  return j[field].get<std::string>();
}

}  // namespace

std::string default_agent_config_path() {
  const char* home = std::getenv("HOME");
  if (!home || !*home) throw AgentConfigError("HOME is not set: give the agent config file with --config FILE");
  return (fs::path(home) / ".config" / "steward" / "agent.json").string();
}

AgentConfig load_agent_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw AgentConfigError("agent config " + path + " cannot be read (" + errno_text() +
                           "); pair first with steward agent pair");
  }
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw AgentConfigError("agent config " + path + " is not a JSON object");
  AgentConfig c;
  c.host = required_string(j, "host", path);
  c.device_id = required_string(j, "device_id", path);
  c.token = required_string(j, "token", path);
  c.ws_url = required_string(j, "ws_url", path);
  if (j.contains("port")) {
    if (!j["port"].is_number_integer() || j["port"].get<long long>() < 1 || j["port"].get<long long>() > 65535)
      throw AgentConfigError("agent config " + path + ": 'port' must be an integer from 1 to 65535");
    c.port = j["port"].get<int>();
  }
  if (j.contains("name") && j["name"].is_string()) c.name = j["name"].get<std::string>();
  return c;
}

void save_agent_config(const AgentConfig& c, const std::string& path) {
  const fs::path target(path);
  make_private_dirs(target.parent_path());
  const std::string text = json{{"host", c.host},           {"port", c.port},     {"device_id", c.device_id},
                                {"token", c.token},         {"ws_url", c.ws_url}, {"name", c.name}}
                               .dump(2) +
                           "\n";

  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(tmp.data());  // created 0600 (and umask can only remove bits)
  if (fd < 0) throw AgentConfigError("cannot create a temp file in " + dir.string() + ": " + errno_text());
  auto fail = [&](const std::string& what) {
    std::string why = what + ": " + errno_text();
    ::close(fd);
    ::unlink(tmp.c_str());
    throw AgentConfigError("cannot write agent config " + path + " (" + why + ")");
  };
  if (::fchmod(fd, 0600) != 0) fail("fchmod");
  for (std::size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("fsync");
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw AgentConfigError("cannot write agent config " + path + " (close: " + errno_text() + ")");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw AgentConfigError("cannot write agent config " + path + " (rename: " + why + ")");
  }
}

}  // namespace steward::agent

#include "tests/support/agent_process.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace steward::test {

std::string filesystem_roots_config(const std::filesystem::path& file, const std::filesystem::path& root) {
  std::ofstream(file) << nlohmann::json{{"filesystem", {{"allowed_roots", {root.string()}}}}}.dump();
  return file.string();
}

PairedDevice pair_agent(const Daemon& d, const std::filesystem::path& dir, const std::string& name, bool approve) {
  auto code = d.api("POST", "/api/devices/pair");
  if (code.status != 201) throw std::runtime_error("POST /api/devices/pair: " + code.body);
  std::string config = (dir / (name + ".json")).string();
  auto r = run_steward({"agent", "pair", "--host", "127.0.0.1", "--port", std::to_string(d.port()), "--code",
                        code.json()["code"].get<std::string>(), "--config", config, "--name", name});
  if (r.exit_code != 0) throw std::runtime_error("steward agent pair: " + r.err);
  std::ifstream in(config);
  auto saved = nlohmann::json::parse(in);
  PairedDevice p{saved.at("device_id").get<std::string>(), config};
  if (approve) {
    auto a = d.api("POST", "/api/devices/" + p.id + "/approve");
    if (a.status != 200) throw std::runtime_error("approve: " + a.body);
  }
  return p;
}

AgentProcess::AgentProcess(const std::string& config, const std::vector<std::string>& extra_args,
                           const std::map<std::string, std::string>& env) {
  std::vector<std::string> args = {"agent", "run", "--config", config};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn_steward(args, env, (dir_.path() / "stdout.log").string(), (dir_.path() / "stderr.log").string());
}

AgentProcess::~AgentProcess() {
  if (pid_ > 0) stop(SIGTERM, std::chrono::seconds(10));
}

int AgentProcess::stop(int sig, std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  int status = stop_process(pid_, sig, timeout);
  pid_ = -1;
  return status;
}

std::optional<int> AgentProcess::wait_exit(std::chrono::seconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

std::string AgentProcess::stderr_text() const {
  std::ifstream in(dir_.path() / "stderr.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool wait_online(const Daemon& d, const std::string& device_id, bool want, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = d.api("GET", "/api/devices/" + device_id);
    if (r.status == 200 && r.json().value("online", !want) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace steward::test

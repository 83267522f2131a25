// The llm tool in the real daemon: prompts through POST /api/v1/run reach a real
// OpenAI-compatible HTTP server (tests/support/fake_openai.py, spawned here).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/daemon.hpp"

extern char** environ;

using namespace steward::test;
using nlohmann::json;

namespace {

const std::string kKey = "sk-runtime-SECRET-2024";

// The fake server as a child process, killed (by PID) when the object dies.
class FakeOpenAI {
 public:
  explicit FakeOpenAI(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {"python3", std::string(STEWARD_SOURCE_DIR) + "/tests/support/fake_openai.py",
                                     "--lifetime", "120"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    int rc = posix_spawnp(&pid_, "python3", &fa, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    REQUIRE(rc == 0);
    std::string line;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < until) {
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[64];
      ssize_t got = ::read(fds[0], buf, sizeof buf);
      if (got <= 0) break;
      line.append(buf, static_cast<size_t>(got));
    }
    ::close(fds[0]);
    REQUIRE(line.find('\n') != std::string::npos);
    port_ = std::stoi(line);
  }
  ~FakeOpenAI() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  FakeOpenAI(const FakeOpenAI&) = delete;
  FakeOpenAI& operator=(const FakeOpenAI&) = delete;
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("llm in the daemon: a prompt is answered through the configured endpoint", "[runtime][llm]") {
  FakeOpenAI server({"--key", kKey});
  TempDir dir;
  const std::string config = dir.str() + "/plugins.json";
  std::ofstream(config) << json{{"llm", {{"base_url", server.base_url()}, {"api_key", kKey}}}}.dump();
  Daemon d(DaemonOptions{.extra_args = {"--plugin-config", config}});

  auto ran = d.api("POST", "/api/v1/run", {{"prompt", "echo:hello"}});
  REQUIRE(ran.status == 200);
  json run = ran.json();
  INFO(run.dump(2));
  CHECK(run["status"] == "done");
  CHECK(run["output"] == "hello");

  // A server failure is a failed run whose error carries the server's message.
  auto failed = d.api("POST", "/api/v1/run", {{"prompt", "error500"}});
  REQUIRE(failed.status == 200);
  json frun = failed.json();
  INFO(frun.dump(2));
  CHECK(frun["status"] == "failed");
  CHECK(frun.dump().find("the fake model crashed") != std::string::npos);

  // The tool call form works as well, with the tool's own args.
  auto tool = d.api("POST", "/api/v1/run",
                    {{"tool", "llm"}, {"args", {{"prompt", "echo:not streamed"}, {"stream", false}}}});
  REQUIRE(tool.status == 200);
  CHECK(tool.json()["status"] == "done");
  CHECK(tool.json()["output"] == "not streamed");

  // The key is in none of the answers, the plugin listing or the daemon's logs.
  auto plugins = d.api("GET", "/api/plugins");
  for (const std::string& text : {ran.body, failed.body, tool.body, plugins.body, d.stdout_text(), d.stderr_text()})
    CHECK(text.find(kKey) == std::string::npos);
}

TEST_CASE("llm in the daemon: STEWARD_LLM_* environment variables configure it", "[runtime][llm]") {
  FakeOpenAI server({"--key", kKey});
  Daemon d(DaemonOptions{.env = {{"STEWARD_LLM_BASE_URL", server.base_url()}, {"STEWARD_LLM_API_KEY", kKey}}});
  auto ran = d.api("POST", "/api/v1/run", {{"prompt", "echo:from the environment"}});
  REQUIRE(ran.status == 200);
  INFO(ran.body);
  CHECK(ran.json()["status"] == "done");
  CHECK(ran.json()["output"] == "from the environment");
}

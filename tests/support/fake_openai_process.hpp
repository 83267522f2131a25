// tests/support/fake_openai.py as a child process for the llm tests: started with the given
// options, its port read from its first stdout line, killed by PID when the object dies.
#pragma once

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

extern char** environ;

namespace steward::test {

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
    // The first stdout line is the port.
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

}  // namespace steward::test

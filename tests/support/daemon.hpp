// A real `steward serve` process for runtime tests: its own temp data directory, a free
// port (--port 0, read back from its "listening on" line) and the first admin key.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace steward::test {

struct DaemonOptions {
  std::string data_dir{};                 // empty: a fresh temp dir owned by the Daemon
  std::vector<std::string> extra_args{};  // e.g. {"--plugin-dir", dir}
  std::map<std::string, std::string> env{};
  // The daemon's --database. Unset: SQLite in the data dir, or with STEWARD_TEST_DATABASE_URL
  // set a fresh PostgreSQL database for the data dir (tests/support/test_database.hpp).
  // Set: passed as given ("" forces SQLite, for tests that open steward.db themselves).
  std::optional<std::string> database{};
};

class Daemon {
 public:
  explicit Daemon(DaemonOptions options = {});
  ~Daemon();  // SIGTERM, then SIGKILL if it has not exited in 20 s
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  int port() const { return port_; }
  int device_port() const { return device_port_; }  // the device WebSocket port
  pid_t pid() const { return pid_; }
  const std::string& admin_key() const { return admin_key_; }  // empty after the first start
  const std::string& data_dir() const { return data_dir_; }

  // Sends `sig` and waits for the exit; returns the wait status.
  int stop(int sig, std::chrono::seconds timeout = std::chrono::seconds(30));
  bool running() const { return pid_ > 0; }
  std::string stdout_text() const;
  std::string stderr_text() const;

  HttpResult api(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) const;
  HttpResult api_as(const std::string& key, const std::string& method, const std::string& path,
                    const nlohmann::json& body = nullptr) const;
  // Polls GET /api/automations/runs/ID until the status is final; returns the run JSON.
  nlohmann::json wait_for_run(const std::string& run_id, std::chrono::seconds timeout = std::chrono::seconds(60)) const;

 private:
  TempDir dir_;  // logs, and the data dir unless one was given
  std::string data_dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int device_port_ = 0;
  std::string admin_key_;
};

// Starts `steward ARGS...` with stdout/stderr to files; the caller owns the pid. STEWARD_*
// variables of the test's own environment are not passed on.
pid_t spawn_steward(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                    const std::string& out_file, const std::string& err_file);

// The same for any program: argv[0] is its path.
pid_t spawn_program(std::vector<std::string> argv, const std::map<std::string, std::string>& env,
                    const std::string& out_file, const std::string& err_file);

// Runs a shell command line to completion: its exit code and stdout+stderr together.
std::pair<int, std::string> run_shell(const std::string& command);

// Sends `sig` to a child, waits up to `timeout` (then SIGKILL) and reaps it; the wait status.
int stop_process(pid_t pid, int sig, std::chrono::seconds timeout);

// Runs `steward ARGS...` to completion; returns exit code, stdout and stderr.
struct CommandResult {
  int exit_code;
  std::string out, err;
};
// A loopback TCP port that nothing listens on: bound once to get a free number, then closed
// (for "the server is down" cases). Throws if the kernel refuses.
int closed_loopback_port();

CommandResult run_steward(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});

// The last non-empty line of a text.
std::string last_line(const std::string& text);

}  // namespace steward::test

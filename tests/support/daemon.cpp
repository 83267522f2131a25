#include "tests/support/daemon.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/test_database.hpp"

extern char** environ;

namespace steward::test {

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

pid_t spawn_steward(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                    const std::string& out_file, const std::string& err_file) {
  std::vector<std::string> argv_s = {STEWARD_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  return spawn_program(argv_s, env, out_file, err_file);
}

pid_t spawn_program(std::vector<std::string> argv_s, const std::map<std::string, std::string>& env,
                    const std::string& out_file, const std::string& err_file) {
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    if (entry.rfind("STEWARD_", 0) == 0) continue;  // tests control the daemon's settings
    env_s.push_back(entry);
  }
  for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + argv_s.front());
  return pid;
}

Daemon::Daemon(DaemonOptions options) {
  data_dir_ = options.data_dir.empty() ? (dir_.path() / "data").string() : options.data_dir;
  std::vector<std::string> args = {"serve", "--port", "0", "--device-port", "0", "--bind", "127.0.0.1",
                                   "--data-dir", data_dir_};
  const std::string database = options.database ? *options.database : database_url_for(data_dir_);
  if (!database.empty()) {
    args.push_back("--database");
    args.push_back(database);
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  pid_ = spawn_steward(args, options.env, (dir_.path() / "stdout.log").string(), (dir_.path() / "stderr.log").string());

  static const std::regex kListening("listening on http://[0-9.]+:([0-9]+)");
  static const std::regex kDevices("devices on ws://[0-9.]+:([0-9]+)");
  static const std::regex kKey("\\b(stw_[a-z2-7]+)\\b");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string out = stdout_text();
    std::smatch m;
    if (std::regex_search(out, m, kListening)) {
      port_ = std::stoi(m[1]);
      if (std::regex_search(out, m, kDevices)) device_port_ = std::stoi(m[1]);
      // The key line follows the listening line on a first start.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      out = stdout_text();
      if (std::regex_search(out, m, kKey)) admin_key_ = m[1];
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("steward serve exited at start: " + stderr_text());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop(SIGKILL);
  throw std::runtime_error("steward serve did not start within 20 s: " + stderr_text());
}

Daemon::~Daemon() {
  if (pid_ > 0) stop(SIGTERM, std::chrono::seconds(20));
  // Under `make test-asan` the daemon is instrumented too: a report in its stderr (a leak
  // at exit, a UBSan finding) fails the test run, even though the test's own checks passed.
  std::string err = stderr_text();
  for (const char* marker : {"AddressSanitizer", "LeakSanitizer", "runtime error:"}) {
    if (err.find(marker) != std::string::npos) {
      std::fprintf(stderr, "sanitizer report from steward serve (pid %d):\n%s\n", static_cast<int>(pid_), err.c_str());
      std::_Exit(99);
    }
  }
}

int stop_process(pid_t pid, int sig, std::chrono::seconds timeout) {
  ::kill(pid, sig);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status;
}

int Daemon::stop(int sig, std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  int status = stop_process(pid_, sig, timeout);
  pid_ = -1;
  return status;
}

std::string Daemon::stdout_text() const { return read_file(dir_.path() / "stdout.log"); }
std::string Daemon::stderr_text() const { return read_file(dir_.path() / "stderr.log"); }

HttpResult Daemon::api(const std::string& method, const std::string& path, const nlohmann::json& body) const {
  return test::api(port_, admin_key_, method, path, body);
}

HttpResult Daemon::api_as(const std::string& key, const std::string& method, const std::string& path,
                          const nlohmann::json& body) const {
  return test::api(port_, key, method, path, body);
}

nlohmann::json Daemon::wait_for_run(const std::string& run_id, std::chrono::seconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto r = api("GET", "/api/automations/runs/" + run_id);
    if (r.status != 200) throw std::runtime_error("GET run " + run_id + " -> " + std::to_string(r.status) + " " + r.body);
    auto j = r.json();
    std::string s = j["status"];
    if (s != "running" && s != "queued" && s != "pending_approval") return j;
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("run " + run_id + " still " + s);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

namespace {

// With STEWARD_TEST_DATABASE_URL set, `steward keys … --data-dir D` reaches the PostgreSQL
// database of a Daemon on D, as it would reach D's SQLite file (the same test, either store).
std::vector<std::string> with_test_database(std::vector<std::string> args) {
  if (!testing_postgres() || args.empty() || args.front() != "keys") return args;
  if (std::find(args.begin(), args.end(), "--database") != args.end()) return args;
  auto dir = std::find(args.begin(), args.end(), "--data-dir");
  if (dir == args.end() || dir + 1 == args.end()) return args;
  const std::string url = database_url_for(*(dir + 1));
  args.push_back("--database");
  args.push_back(url);
  return args;
}

}  // namespace

int closed_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot bind a loopback port");
  return ntohs(addr.sin_port);
}

CommandResult run_steward(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  TempDir dir;
  auto out = (dir.path() / "out").string(), err = (dir.path() / "err").string();
  pid_t pid = spawn_steward(with_test_database(args), env, out, err);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), read_file(out), read_file(err)};
}

std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

std::pair<int, std::string> run_shell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed for: " + command);
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace steward::test

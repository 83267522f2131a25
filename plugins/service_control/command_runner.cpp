#include "command_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

extern char** environ;

namespace service_control {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTermGrace = std::chrono::seconds(2);             // SIGTERM -> SIGKILL
constexpr auto kDrainAfterExit = std::chrono::milliseconds(500);  // output of leftover children
constexpr int kPollMs = 100;                                      // cancellation latency bound

std::vector<std::string> build_env(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos && overrides.count(entry.substr(0, eq))) continue;
    env.push_back(std::move(entry));
  }
  for (const auto& [k, v] : overrides) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> c_array(std::vector<std::string>& items) {
  std::vector<char*> out;
  for (auto& s : items) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// RAII for the spawn attribute objects, so every early throw releases them.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

// The spawned command: its process group, the read end of its output pipe and a pidfd.
// The destructor kills and reaps the group if it still runs, so no exit path leaks it.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    SpawnSetup setup;
    posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&setup.actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&setup.actions, out[1], 2);
    // Nothing else of the host leaks into the command: not its sockets (an agent's WebSocket
    // held open by a leftover child would hide the agent's death), not its database file.
    posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
    // Own process group, empty signal mask, default dispositions (the daemon blocks some).
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&setup.attr, &empty);
    posix_spawnattr_setsigdefault(&setup.attr, &all);
    posix_spawnattr_setpgroup(&setup.attr, 0);
    posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> argv_storage = argv;
    std::vector<std::string> env_storage = build_env(env);
    auto c_argv = c_array(argv_storage);
    auto c_envp = c_array(env_storage);
    int rc = posix_spawn(&pid_, c_argv[0], &setup.actions, &setup.attr, c_argv.data(), c_envp.data());
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
    out_fd_ = out[0];
    pid_fd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));  // -1 on kernels < 5.3
  }
  ~Child() {
    close_out();
    if (pid_fd_ >= 0) ::close(pid_fd_);
    if (!reaped_ && pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  int out_fd() const { return out_fd_; }
  int exit_fd() const { return pid_fd_; }
  void close_out() {
    if (out_fd_ >= 0) ::close(out_fd_);
    out_fd_ = -1;
  }
  void signal_group(int sig) const { ::kill(-pid_, sig); }
  bool try_reap() {
    if (!reaped_ && ::waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
    return reaped_;
  }
  bool exited() const { return reaped_; }
  int status() const { return status_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int pid_fd_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  return line;
}

CommandOutcome run_command(steward::Run& run, const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env_overrides, std::chrono::seconds timeout) {
  Child child(argv, env_overrides);
  CommandOutcome outcome;
  const auto deadline = Clock::now() + timeout;
  std::optional<Clock::time_point> term_sent, exited_at;
  char buf[16384];

  while (child.out_fd() >= 0 || !child.exited()) {
    // Wakes for output, for the exit (pidfd) or every kPollMs to check timeout and cancel.
    pollfd fds[2];
    nfds_t n = 0;
    if (child.out_fd() >= 0) fds[n++] = {child.out_fd(), POLLIN, 0};
    const bool has_pipe = n == 1;
    if (!child.exited() && child.exit_fd() >= 0) fds[n++] = {child.exit_fd(), POLLIN, 0};
    if (n > 0) ::poll(fds, n, kPollMs);
    else ::usleep(1000);  // no pidfd and the pipe is closed: wait for the exit
    if (has_pipe && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t got = ::read(child.out_fd(), buf, sizeof buf);
      if (got > 0) {
        std::string_view chunk(buf, static_cast<std::size_t>(got));
        if (outcome.output.size() < kMaxCapture) outcome.output += chunk.substr(0, kMaxCapture - outcome.output.size());
        if (!run.output(chunk)) outcome.cancelled = true;
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        child.close_out();
      }
    }
    if (!child.exited() && child.try_reap()) exited_at = Clock::now();

    const auto now = Clock::now();
    if (!child.exited()) {
      if (!outcome.cancelled && run.cancelled()) outcome.cancelled = true;
      if (now >= deadline) outcome.timed_out = true;
      if ((outcome.cancelled || outcome.timed_out) && !term_sent) {
        child.signal_group(SIGTERM);
        term_sent = now;
      }
      if (term_sent && now - *term_sent >= kTermGrace) child.signal_group(SIGKILL);
    } else if (exited_at && now - *exited_at >= kDrainAfterExit) {
      child.close_out();  // something the command left in the background holds the pipe
    }
  }
  const int status = child.status();
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  return outcome;
}

}  // namespace service_control

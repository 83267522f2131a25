#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace bash_tool {

namespace {
void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

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
}  // namespace

ChildProcess::ChildProcess(const SpawnSpec& spec) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&setup.actions, err[1], 2);
  // Nothing else of the host leaks into the command: not its sockets (an agent's WebSocket
  // held open by a leftover child would hide the agent's death), not its database file.
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&setup.actions, spec.cwd.c_str());

  // Own process group (pgid = pid), an empty signal mask and default dispositions: the
  // daemon blocks and ignores signals that the command must see normally.
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&setup.attr, &empty);
  posix_spawnattr_setsigdefault(&setup.attr, &all);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> argv_storage = spec.argv;
  std::vector<std::string> env_storage = build_env(spec.env_overrides);
  auto argv = c_array(argv_storage);
  auto envp = c_array(env_storage);
  int rc = posix_spawn(&pid_, argv[0], &setup.actions, &setup.attr, argv.data(), envp.data());
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    std::string why = std::strerror(rc);
    if (rc == ENOENT && !spec.cwd.empty()) why = "no such working directory or program";
    throw std::runtime_error("cannot start " + spec.argv[0] + (spec.cwd.empty() ? "" : " in " + spec.cwd) + ": " + why);
  }
  out_fd_ = out[0];
  err_fd_ = err[0];
  // A pidfd lets the supervisor poll for the exit instead of sleeping (Linux >= 5.3).
  pid_fd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

ChildProcess::~ChildProcess() {
  close_fd(out_fd_);
  close_fd(err_fd_);
  close_fd(pid_fd_);
  if (!reaped_ && pid_ > 0) {
    signal_group(SIGKILL);
    ::waitpid(pid_, &status_, 0);
  }
}

void ChildProcess::close_stdout() { close_fd(out_fd_); }
void ChildProcess::close_stderr() { close_fd(err_fd_); }

void ChildProcess::signal_group(int sig) const {
  if (pid_ > 0) ::kill(-pid_, sig);
}

bool ChildProcess::try_reap() {
  if (reaped_) return true;
  pid_t r = ::waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) reaped_ = true;
  return reaped_;
}

}  // namespace bash_tool

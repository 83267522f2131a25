// A child process in its own process group, with stdout and stderr on pipes. The group
// lets a timeout or cancel stop everything the command started, not just the shell.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace bash_tool {

struct SpawnSpec {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env_overrides;  // added to (or replacing) the inherited env
  std::string cwd;                                   // empty: inherit
};

class ChildProcess {
 public:
  // Throws std::runtime_error with the reason when the process cannot be started.
  explicit ChildProcess(const SpawnSpec& spec);
  ~ChildProcess();  // closes pipes; kills and reaps the group if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int stdout_fd() const { return out_fd_; }
  // Readable once the child has exited (Linux pidfd); -1 where the kernel lacks pidfds.
  int exit_fd() const { return pid_fd_; }
  int stderr_fd() const { return err_fd_; }
  void close_stdout();
  void close_stderr();

  void signal_group(int sig) const;
  // Non-blocking: true once the direct child has exited (status in wait_status()).
  bool try_reap();
  bool exited() const { return reaped_; }
  int wait_status() const { return status_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int pid_fd_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace bash_tool

// A real supervisord for the service_control tests, in a directory the test owns: its
// unix socket, pidfile, logs and config live there, and it runs in the foreground (-n) as
// our child. The destructor always stops it (SIGTERM by pid, bounded wait, then SIGKILL),
// so a failing test cannot leave a supervisord or its programs behind.
// Header-only: tests/CMakeLists.txt is shared, so this adds no source to test_support.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

extern char** environ;

namespace steward::test {

// A [program:x] section: a real program supervisord manages, never started by itself.
// stopwaitsecs: how long supervisord waits after the stop signal before SIGKILL;
// startsecs: how long the program must stay up to count as started (exiting sooner, with
// startretries=0, makes it FATAL).
inline std::string supervisor_program(const std::string& name, const std::string& command,
                                      const std::string& extra = "", int stopwaitsecs = 3, int startsecs = 1) {
  return "[program:" + name + "]\ncommand=" + command + "\nautostart=false\nautorestart=false\nstartsecs=" +
         std::to_string(startsecs) + "\nstartretries=0\nstopwaitsecs=" + std::to_string(stopwaitsecs) + "\n" +
         extra + "\n";
}

// True when something accepts connections on the unix socket at `path`.
inline bool unix_socket_accepts(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Writes DIR/supervisord.conf (socket, pidfile, logs in DIR) with `programs` appended.
// Returns its path. Usable without starting supervisord, e.g. for "not reachable" tests.
inline std::filesystem::path write_supervisord_config(const std::filesystem::path& dir, const std::string& programs) {
  const std::string d = dir.string();
  std::ofstream conf(dir / "supervisord.conf");
  conf << "[unix_http_server]\nfile=" << d << "/supervisor.sock\nchmod=0700\n\n"
       << "[supervisord]\npidfile=" << d << "/supervisord.pid\nlogfile=" << d << "/supervisord.log\n"
       << "childlogdir=" << d << "\nnodaemon=true\nloglevel=info\n\n"
       << "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
       << "[supervisorctl]\nserverurl=unix://" << d << "/supervisor.sock\n\n"
       << programs;
  if (!conf) throw std::runtime_error("cannot write " + (dir / "supervisord.conf").string());
  return dir / "supervisord.conf";
}

class Supervisord {
 public:
  Supervisord(const std::filesystem::path& dir, const std::string& programs)
      : dir_(dir), config_(write_supervisord_config(dir, programs)), socket_((dir / "supervisor.sock").string()) {
    const std::string out = (dir / "supervisord.out").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::string prog = "/usr/bin/supervisord", n = "-n", c = "-c", conf = config_.string();
    char* argv[] = {prog.data(), n.data(), c.data(), conf.data(), nullptr};
    int rc = posix_spawn(&pid_, prog.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start supervisord: " + std::string(std::strerror(rc)));
    // Bounded wait for the socket: supervisord (Python) takes a few hundred ms to start.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!unix_socket_accepts(socket_)) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("supervisord exited at start: " + log());
      }
      if (std::chrono::steady_clock::now() > deadline) {
        stop();
        throw std::runtime_error("supervisord's socket did not appear within 20 s: " + log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~Supervisord() { stop(); }
  Supervisord(const Supervisord&) = delete;
  Supervisord& operator=(const Supervisord&) = delete;

  const std::filesystem::path& config() const { return config_; }
  const std::string& socket() const { return socket_; }
  pid_t pid() const { return pid_; }
  std::string log() const {
    std::ifstream in(dir_ / "supervisord.out");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // SIGTERM makes supervisord stop its programs (each within stopwaitsecs) and exit; a
  // supervisord that does not is killed after 30 s.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pid_ = -1;
  }

 private:
  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::string socket_;
  pid_t pid_ = -1;
};

}  // namespace steward::test

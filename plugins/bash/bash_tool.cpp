// The `bash` tool: runs a command with /bin/bash -c, streams stdout and stderr, stops the
// whole process group on cancel or timeout (SIGTERM, then SIGKILL after a grace).
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <steward/plugin.hpp>

#include "child_process.hpp"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr auto kTermGrace = std::chrono::seconds(2);       // SIGTERM -> SIGKILL
constexpr auto kDrainAfterExit = std::chrono::milliseconds(500);  // background children's output
constexpr int kPollMs = 100;                               // cancellation latency bound

const char* kSchema = R"json({
  "type": "object",
  "required": ["command"],
  "additionalProperties": false,
  "properties": {
    "command": {"type": "string", "minLength": 1, "maxLength": 1048576, "x-steward-shell": true,
                "description": "Run as SHELL -c COMMAND in its own process group; stdin is /dev/null"},
    "env": {"type": "object", "additionalProperties": {"type": "string"}, "default": {}, "x-steward-env": true,
            "description": "Environment variables added to the daemon's environment"},
    "shell": {"type": "string", "enum": ["bash", "sh"], "default": "bash",
              "description": "bash (/bin/bash) or sh (/bin/sh, a POSIX shell: starts faster)"},
    "cwd": {"type": "string", "minLength": 1, "description": "Working directory (default: the daemon's)"},
    "timeout": {"type": "integer", "minimum": 1, "maximum": 604800,
                "description": "Seconds before the command is stopped (the run's timeout applies as well)"}
  }
})json";

class BashTool {
 public:
  BashTool(const steward::Host&, std::string_view) {}

  steward_rc run(steward::Run& run, std::string_view args_text) {
    json args = json::parse(args_text);
    bash_tool::SpawnSpec spec;
    const std::string shell = args.value("shell", "bash") == "sh" ? "/bin/sh" : "/bin/bash";
    spec.argv = {shell, "-c", args.at("command").get<std::string>()};
    static const std::regex kEnvName("[A-Za-z_][A-Za-z0-9_]*");
    const json env = args.value("env", json::object());
    for (const auto& [k, v] : env.items()) {
      if (!std::regex_match(k, kEnvName)) return run.fail("env: '" + k + "' is not a valid variable name");
      spec.env_overrides[k] = v.get<std::string>();
    }
    spec.cwd = args.value("cwd", "");
    std::optional<Clock::time_point> own_deadline;
    if (args.contains("timeout")) own_deadline = Clock::now() + std::chrono::seconds(args["timeout"].get<int>());

    bash_tool::ChildProcess child(spec);
    return supervise(run, child, own_deadline, args.value("timeout", 0));
  }

 private:
  static steward_rc supervise(steward::Run& run, bash_tool::ChildProcess& child,
                              std::optional<Clock::time_point> own_deadline, int timeout_s) {
    bool host_cancelled = false, timed_out = false;
    std::optional<Clock::time_point> term_sent, exited_at;
    char buf[65536];

    while (child.stdout_fd() >= 0 || child.stderr_fd() >= 0 || !child.exited()) {
      // Output pipes and, while the child runs, its pidfd: the loop wakes for output, for
      // the exit, or after kPollMs to check cancellation, and never sleeps blindly.
      pollfd fds[3];
      nfds_t n = 0;
      for (int fd : {child.stdout_fd(), child.stderr_fd()})
        if (fd >= 0) fds[n++] = {fd, POLLIN, 0};
      const nfds_t pipes = n;
      if (!child.exited() && child.exit_fd() >= 0) fds[n++] = {child.exit_fd(), POLLIN, 0};
      if (n > 0) {
        ::poll(fds, n, kPollMs);
      } else {
        ::usleep(1000);  // no pidfd (old kernel) and the pipes are closed: wait for the exit
      }
      for (nfds_t i = 0; i < pipes; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
        bool is_out = fds[i].fd == child.stdout_fd();
        if (got > 0) {
          if (!run.output(std::string_view(buf, static_cast<size_t>(got)),
                          is_out ? STEWARD_STREAM_STDOUT : STEWARD_STREAM_STDERR))
            host_cancelled = true;
        } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
          is_out ? child.close_stdout() : child.close_stderr();
        }
      }
      if (!child.exited() && child.try_reap()) exited_at = Clock::now();

      auto now = Clock::now();
      if (!child.exited()) {
        if (!host_cancelled && run.cancelled()) host_cancelled = true;
        if (own_deadline && now >= *own_deadline) timed_out = true;
        if ((host_cancelled || timed_out) && !term_sent) {
          child.signal_group(SIGTERM);
          term_sent = now;
        }
        if (term_sent && now - *term_sent >= kTermGrace) child.signal_group(SIGKILL);
      } else if (exited_at && now - *exited_at >= kDrainAfterExit) {
        // The shell is gone; something it left in the background still holds the pipes.
        child.close_stdout();
        child.close_stderr();
      }
    }

    int status = child.wait_status();
    json result;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result["exit_code"] = code;
    if (WIFSIGNALED(status)) result["signal"] = WTERMSIG(status);
    run.result(result.dump());

    if (host_cancelled) return STEWARD_CANCELLED;
    if (timed_out) return run.fail("timed out after " + std::to_string(timeout_s) + " s (the tool's timeout)");
    if (WIFSIGNALED(status)) return run.fail("killed by signal " + std::to_string(WTERMSIG(status)));
    if (code != 0) return run.fail("exit code " + std::to_string(code));
    return STEWARD_OK;
  }
};

}  // namespace

STEWARD_TOOL_PLUGIN(BashTool, "bash", "1.0.0", "Runs a shell command (bash or sh) and streams its output", kSchema)

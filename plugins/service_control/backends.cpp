#include "backends.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <vector>

#include "command_runner.hpp"

namespace service_control {

namespace {

// Stable, parseable messages and UTC timestamps whatever the daemon's locale and zone.
const std::map<std::string, std::string> kEnv = {{"LC_ALL", "C"}, {"TZ", "UTC"}, {"SYSTEMD_COLORS", "0"}};

// Default supervisord sockets (Debian/Ubuntu package, then supervisord's sample config).
const char* const kSupervisorSockets[] = {"/var/run/supervisor.sock", "/run/supervisor.sock", "/tmp/supervisor.sock"};

bool socket_accepts(const char* path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string last_lines(const std::string& output) {
  std::string t = trim(output);
  if (t.size() > 2000) t = "..." + t.substr(t.size() - 2000);
  return t.empty() ? "(no output)" : t;
}

// Runs one command within the call's deadline; cancellation unwinds with Cancelled and a
// timeout becomes ActionFailed naming the command and timeout_s.
CommandOutcome run_backend(CallContext& ctx, const std::vector<std::string>& argv) {
  using namespace std::chrono;
  auto left = duration_cast<seconds>(ctx.deadline - steady_clock::now() + milliseconds(999));
  if (left < seconds(1)) throw ActionFailed(command_line(argv) + ": timed out after " + std::to_string(ctx.timeout_s) + " s (timeout_s)");
  ctx.run.output("[service_control] " + command_line(argv) + "\n");
  CommandOutcome out = run_command(ctx.run, argv, kEnv, left);
  if (out.cancelled) throw Cancelled{};
  if (out.timed_out)
    throw ActionFailed(command_line(argv) + ": timed out after " + std::to_string(ctx.timeout_s) +
                       " s (timeout_s); the command was killed");
  if (out.signal != 0)
    throw ActionFailed(command_line(argv) + ": killed by signal " + std::to_string(out.signal));
  return out;
}

std::vector<std::string> supervisorctl(const PluginConfig& c, std::vector<std::string> rest) {
  std::vector<std::string> argv = {c.supervisorctl};
  if (!c.supervisor_config.empty()) {
    argv.push_back("-c");
    argv.push_back(c.supervisor_config);
  }
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

ServiceStatus systemd_status(CallContext& ctx, const std::string& name) {
  auto out = run_backend(ctx, {ctx.config.systemctl, "show", "--no-pager", "-p",
                               "LoadState,ActiveState,SubState,MainPID,ActiveEnterTimestamp", name});
  if (out.exit_code != 0)
    throw ActionFailed("systemd: cannot read the state of '" + name + "' (exit " + std::to_string(out.exit_code) +
                       "): " + last_lines(out.output));
  return parse_systemctl_show(out.output);
}

ServiceStatus sysv_status(CallContext& ctx, const std::string& name) {
  // SysV scripts live in /etc/init.d; `service` itself cannot tell "no such script" from
  // "not running" by exit code, so the script's presence decides existence.
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path("/etc/init.d") / name, ec)) {
    ServiceStatus s;
    s.exists = false;
    s.raw = "no /etc/init.d/" + name;
    return s;
  }
  auto out = run_backend(ctx, {ctx.config.service, name, "status"});
  return sysv_status_from_exit(out.exit_code, out.output);
}

ServiceStatus supervisord_status(CallContext& ctx, const std::string& name) {
  auto out = run_backend(ctx, supervisorctl(ctx.config, {"status", name}));
  ServiceStatus s = parse_supervisorctl_status(out.output, name, static_cast<std::int64_t>(std::time(nullptr)));
  // Exit codes: 0 running, 3 not running, 4 no such process; anything else (e.g. 2, the
  // socket is unreachable) with nothing recognisable is supervisorctl failing.
  if (s.exists && s.state == "unknown" && out.exit_code != 0 && out.exit_code != 3)
    throw ActionFailed("supervisord: cannot read the state of '" + name + "' (supervisorctl exit " +
                       std::to_string(out.exit_code) + "): " + last_lines(out.output));
  return s;
}

// supervisorctl reports per-name errors as "NAME: ERROR (reason)", sometimes with exit 0.
// The ones that mean "already in the state asked for" are success.
void check_supervisor_output(const std::string& name, const std::string& action, const CommandOutcome& out) {
  std::string text = out.output;
  const std::string benign = action == "start" ? "ERROR (already started)"
                             : (action == "stop" || action == "restart") ? "ERROR (not running)"
                                                                         : "";
  if (!benign.empty())
    for (auto p = text.find(benign); p != std::string::npos; p = text.find(benign)) text.erase(p, benign.size());
  if (text.find("ERROR (") != std::string::npos || out.exit_code != 0)
    throw ActionFailed("supervisord: " + action + " '" + name + "' failed (supervisorctl exit " +
                       std::to_string(out.exit_code) + "): " + last_lines(out.output));
}

}  // namespace

std::string resolve_backend(const std::string& requested, const PluginConfig& config) {
  if (requested != "auto") return requested;
  if (!config.supervisor_config.empty()) return "supervisord";
  std::error_code ec;
  if (std::filesystem::is_directory("/run/systemd/system", ec)) return "systemd";
  for (const char* sock : kSupervisorSockets)
    if (socket_accepts(sock)) return "supervisord";
  return "sysv";
}

ServiceStatus query_status(CallContext& ctx, const std::string& backend, const std::string& name) {
  if (backend == "systemd") return systemd_status(ctx, name);
  if (backend == "sysv") return sysv_status(ctx, name);
  return supervisord_status(ctx, name);
}

void check_supported(const std::string& backend, const std::string& action) {
  if ((action == "enable" || action == "disable") && backend == "supervisord")
    throw ActionFailed(action + " is not supported by the supervisord backend: whether a program starts with "
                                "supervisord is its autostart setting in the supervisord config file");
  if ((action == "enable" || action == "disable") && backend == "sysv")
    throw ActionFailed(action + " is not supported by the sysv backend: boot links are managed by "
                                "update-rc.d/chkconfig, which differ between distributions");
}

void perform_action(CallContext& ctx, const std::string& backend, const std::string& name, const std::string& action) {
  check_supported(backend, action);
  if (backend == "systemd") {
    auto out = run_backend(ctx, {ctx.config.systemctl, "--no-ask-password", action, name});
    if (out.exit_code != 0)
      throw ActionFailed("systemd: " + action + " '" + name + "' failed (systemctl exit " +
                         std::to_string(out.exit_code) + "): " + last_lines(out.output));
  } else if (backend == "sysv") {
    auto out = run_backend(ctx, {ctx.config.service, name, action});
    if (out.exit_code != 0)
      throw ActionFailed("sysv: " + action + " '" + name + "' failed (service exit " +
                         std::to_string(out.exit_code) + "): " + last_lines(out.output));
  } else {
    // supervisord has no per-program reload; HUP is what `reload` means for most daemons.
    std::vector<std::string> rest = action == "reload" ? std::vector<std::string>{"signal", "HUP", name}
                                                       : std::vector<std::string>{action, name};
    check_supervisor_output(name, action, run_backend(ctx, supervisorctl(ctx.config, rest)));
  }
}

}  // namespace service_control

// The service_control tool and automation type. Parsers are tested on literal sample
// outputs (systemd is not on the build machine); the tool itself is driven against a real
// supervisord managing real programs, in a temp dir.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/supervisord/supervisord_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tool_call.hpp"

// The parsers are pure functions in their own file; compiling it here tests them without
// a library (tests/CMakeLists.txt is shared and globs only tests/unit).
#include "plugins/service_control/service_name.hpp"
#include "plugins/service_control/status_parsers.cpp"

using namespace steward::test;
using namespace service_control;
using nlohmann::json;

namespace {

bool alive(const json& pid) { return pid.is_number_integer() && ::kill(pid.get<pid_t>(), 0) == 0; }

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A wrapper around the real supervisorctl that first appends its argv (one entry per
// line, then "--") to RECORD: proves what ran, and that each argument arrived whole.
std::string recording_supervisorctl(const TempDir& dir) {
  auto path = dir.path() / "supervisorctl-recorder";
  std::ofstream(path) << "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> '" << (dir.path() / "record").string()
                      << "'\necho -- >> '" << (dir.path() / "record").string() << "'\nexec /usr/bin/supervisorctl \"$@\"\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path.string();
}

// Waits (bounded) until supervisord reports `state` for `name`.
json wait_state(const steward::PluginRegistry& reg, const std::string& name, const std::string& state) {
  json last;
  for (int i = 0; i < 100; ++i) {
    auto r = call_tool(reg, "service_control", {{"service", name}, {"action", "status"}});
    REQUIRE(r.ok());
    last = r.result_json();
    if (last["state"] == state) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("service " << name << " never reached " << state << ", last status " << last.dump());
  return last;
}

const std::string kSleeper = supervisor_program("sleeper", "/bin/sleep 1000");

}  // namespace

// ---- parsers on literal outputs --------------------------------------------------------

TEST_CASE("service_control: service names are checked against the strict pattern", "[unit][service_control]") {
  for (const char* ok : {"nginx", "getty@tty1.service", "grp:web", "php7.4-fpm", "A", "web_2"}) {
    INFO(ok);
    CHECK(is_valid_service_name(ok));
    CHECK(service_name_problem(ok).empty());
  }
  for (const std::string& bad : std::vector<std::string>{"nginx; rm -rf /", "$(id)", "a b", "../x", "", "-x", ".hidden", "a/b", "`id`", "a|b",
                          "a\nb", "a'b", "x>y", std::string(129, 'a')}) {
    INFO(bad);
    CHECK_FALSE(is_valid_service_name(bad));
    CHECK(service_name_problem(bad).rfind("service: ", 0) == 0);
  }
  CHECK(is_valid_service_name(std::string(128, 'a')));
  CHECK(service_name_problem("a\nb").find('\n') == std::string::npos);  // control chars never reach messages
}

TEST_CASE("service_control: systemctl show output becomes state, pid and since", "[unit][service_control]") {
  auto running = parse_systemctl_show(
      "LoadState=loaded\nActiveState=active\nSubState=running\nMainPID=812\n"
      "ActiveEnterTimestamp=Mon 2024-01-01 12:00:00 UTC\n");
  CHECK(running.exists);
  CHECK(running.state == "running");
  CHECK(running.pid == 812);
  CHECK(running.since == 1704110400);
  CHECK(running.raw.find("SubState=running") != std::string::npos);

  auto stopped = parse_systemctl_show("LoadState=loaded\nActiveState=inactive\nSubState=dead\nMainPID=0\nActiveEnterTimestamp=\n");
  CHECK(stopped.state == "stopped");
  CHECK_FALSE(stopped.pid);
  CHECK_FALSE(stopped.since);

  CHECK(parse_systemctl_show("ActiveState=failed\nSubState=failed\nMainPID=0\n").state == "failed");
  CHECK(parse_systemctl_show("ActiveState=activating\nSubState=start\nMainPID=99\n").state == "starting");
  CHECK(parse_systemctl_show("ActiveState=reloading\nMainPID=99\n").state == "running");
  CHECK(parse_systemctl_show("ActiveState=deactivating\nMainPID=99\n").state == "stopped");
  CHECK(parse_systemctl_show("ActiveState=maintenance\n").state == "unknown");
  CHECK(parse_systemctl_show("").state == "unknown");

  auto missing = parse_systemctl_show("LoadState=not-found\nActiveState=inactive\nSubState=dead\nMainPID=0\n");
  CHECK_FALSE(missing.exists);
}

TEST_CASE("service_control: systemd timestamps in UTC or unix form become Unix seconds", "[unit][service_control]") {
  CHECK(parse_systemd_timestamp("Mon 2024-01-01 12:00:00 UTC") == 1704110400);
  CHECK(parse_systemd_timestamp("2024-01-01 12:00:00 GMT") == 1704110400);
  CHECK(parse_systemd_timestamp("@1704110400") == 1704110400);
  CHECK_FALSE(parse_systemd_timestamp(""));
  CHECK_FALSE(parse_systemd_timestamp("n/a"));
  CHECK_FALSE(parse_systemd_timestamp("Mon 2024-01-01 13:00:00 CET"));  // zones other than UTC are not guessed
  CHECK_FALSE(parse_systemd_timestamp("yesterday"));
}

TEST_CASE("service_control: supervisorctl status lines become state, pid and since", "[unit][service_control]") {
  const std::int64_t now = 1'700'000'000;
  auto r = parse_supervisorctl_status("web                              RUNNING   pid 123, uptime 0:00:05\n", "web", now);
  CHECK(r.exists);
  CHECK(r.state == "running");
  CHECK(r.pid == 123);
  CHECK(r.since == now - 5);
  CHECK(r.raw == "web                              RUNNING   pid 123, uptime 0:00:05");

  auto days = parse_supervisorctl_status("web RUNNING   pid 9, uptime 2 days, 3:04:05\n", "web", now);
  CHECK(days.since == now - (2 * 86400 + 3 * 3600 + 4 * 60 + 5));
  CHECK(parse_supervisorctl_status("web RUNNING   pid 9, uptime 1 day, 0:00:01", "web", now).since == now - 86401);

  auto stopped = parse_supervisorctl_status("web                              STOPPED   Not started\n", "web", now);
  CHECK(stopped.state == "stopped");
  CHECK_FALSE(stopped.pid);
  CHECK_FALSE(stopped.since);
  CHECK(parse_supervisorctl_status("web   STOPPED   Nov 23 11:59 AM", "web", now).state == "stopped");
  CHECK(parse_supervisorctl_status("web   FATAL     Exited too quickly (process log may have details)", "web", now).state == "failed");
  CHECK(parse_supervisorctl_status("web   EXITED    Nov 23 11:59 AM", "web", now).state == "stopped");
  CHECK(parse_supervisorctl_status("web   BACKOFF   Exited too quickly", "web", now).state == "starting");
  CHECK(parse_supervisorctl_status("web   STARTING", "web", now).state == "starting");
  CHECK(parse_supervisorctl_status("web   STOPPING", "web", now).state == "stopped");
  CHECK(parse_supervisorctl_status("web   UNKNOWN", "web", now).state == "unknown");

  // The line for this name is picked among several; a grouped program shows as group:name.
  auto pick = parse_supervisorctl_status("api   STOPPED   Not started\nweb   RUNNING   pid 7, uptime 0:01:00\n", "web", now);
  CHECK(pick.pid == 7);
  CHECK(parse_supervisorctl_status("grp:web   RUNNING   pid 8, uptime 0:00:01\n", "web", now).pid == 8);

  auto missing = parse_supervisorctl_status("nosuch: ERROR (no such process)\n", "nosuch", now);
  CHECK_FALSE(missing.exists);
  CHECK(missing.raw == "nosuch: ERROR (no such process)");

  // supervisorctl's own failures are not status lines.
  auto down = parse_supervisorctl_status("unix:///tmp/x/supervisor.sock no such file\n", "web", now);
  CHECK(down.exists);
  CHECK(down.state == "unknown");
}

TEST_CASE("service_control: SysV status exit codes follow LSB", "[unit][service_control]") {
  CHECK(sysv_status_from_exit(0, " nginx is running.\n").state == "running");
  CHECK(sysv_status_from_exit(0, " nginx is running.\n").raw == "nginx is running.");
  CHECK(sysv_status_from_exit(1, "").state == "failed");
  CHECK(sysv_status_from_exit(2, "").state == "failed");
  CHECK(sysv_status_from_exit(3, "not running").state == "stopped");
  CHECK(sysv_status_from_exit(4, "").state == "unknown");
}

// ---- the tool against a real supervisord -------------------------------------------------

TEST_CASE("service_control: status, start, restart and stop a real supervisord program", "[unit][service_control]") {
  TempDir dir;
  Supervisord sv(dir.path(), kSleeper);
  // No backend anywhere: supervisor_config set makes auto choose supervisord.
  auto reg = in_tree_plugins({{"service_control", {{"supervisor_config", sv.config().string()}}}});

  auto st = call_tool(*reg, "service_control", {{"service", "sleeper"}, {"action", "status"}});
  REQUIRE(st.ok());
  json s = st.result_json();
  CHECK(s["service"] == "sleeper");
  CHECK(s["backend"] == "supervisord");
  CHECK(s["state"] == "stopped");
  CHECK(s["pid"].is_null());
  CHECK(s["since"].is_null());
  CHECK(s["raw"].get<std::string>().find("STOPPED") != std::string::npos);

  auto start = call_tool(*reg, "service_control", {{"service", "sleeper"}, {"action", "start"}});
  REQUIRE(start.ok());
  CHECK(start.result_json()["ok"] == true);
  CHECK(start.result_json()["action"] == "start");
  CHECK(start.result_json()["state"] == "running");
  CHECK(start.out.find("sleeper: started") != std::string::npos);

  st = call_tool(*reg, "service_control", {{"service", "sleeper"}, {"action", "status"}});
  REQUIRE(st.ok());
  s = st.result_json();
  CHECK(s["state"] == "running");
  REQUIRE(alive(s["pid"]));
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(s["since"].get<std::int64_t>() <= now);
  CHECK(s["since"].get<std::int64_t>() >= now - 60);
  const json first_pid = s["pid"];

  auto restart = call_tool(*reg, "service_control", {{"service", "sleeper"}, {"action", "restart"}});
  REQUIRE(restart.ok());
  json rs = restart.result_json();
  CHECK(rs["state"] == "running");
  REQUIRE(alive(rs["pid"]));
  CHECK(rs["pid"] != first_pid);

  // start on a running program and stop on a stopped one are no-ops, not failures.
  CHECK(call_tool(*reg, "service_control", {{"service", "sleeper"}, {"action", "start"}}).ok());

  auto stop = call_tool(*reg, "service_control", {{"service", "sleeper"}, {"action", "stop"}});
  REQUIRE(stop.ok());
  CHECK(stop.result_json()["state"] == "stopped");
  CHECK_FALSE(alive(rs["pid"]));
  s = call_tool(*reg, "service_control", {{"service", "sleeper"}, {"action", "status"}}).result_json();
  CHECK(s["state"] == "stopped");
  CHECK(s["pid"].is_null());
  CHECK(call_tool(*reg, "service_control", {{"service", "sleeper"}, {"action", "stop"}}).ok());
}

TEST_CASE("service_control: FATAL programs report failed and a failed start is an error", "[unit][service_control]") {
  TempDir dir;
  // Exits long before startsecs with no retries: FATAL whatever the machine's load.
  Supervisord sv(dir.path(), supervisor_program("broken", "/bin/sh -c 'exit 1'", "", 3, 10));
  auto reg = in_tree_plugins({{"service_control", {{"supervisor_config", sv.config().string()}}}});
  auto start = call_tool(*reg, "service_control", {{"service", "broken"}, {"action", "start"}});
  CHECK_FALSE(start.ok());
  CHECK(start.error.find("supervisord: start 'broken' failed") != std::string::npos);
  CHECK(start.error.find("ERROR (spawn error)") != std::string::npos);
  CHECK(start.result_json()["ok"] == false);
  json s = wait_state(*reg, "broken", "failed");
  CHECK(s["raw"].get<std::string>().find("FATAL") != std::string::npos);
}

TEST_CASE("service_control: an unknown service is a clear error", "[unit][service_control]") {
  TempDir dir;
  Supervisord sv(dir.path(), kSleeper);
  auto reg = in_tree_plugins({{"service_control", {{"supervisor_config", sv.config().string()}}}});
  for (const char* action : {"status", "start", "restart"}) {
    INFO(action);
    auto r = call_tool(*reg, "service_control", {{"service", "nosuch"}, {"action", action}});
    CHECK_FALSE(r.ok());
    CHECK(r.error == "unknown service 'nosuch' (backend supervisord): nosuch: ERROR (no such process)");
  }
}

TEST_CASE("service_control: bad names are refused before any command runs", "[unit][service_control]") {
  TempDir dir;
  Supervisord sv(dir.path(), kSleeper + supervisor_program("web", "/bin/sleep 1000") + "[group:grp]\nprograms=web\n");
  auto reg = in_tree_plugins({{"service_control",
                               {{"supervisor_config", sv.config().string()}, {"supervisorctl", recording_supervisorctl(dir)}}}});
  for (const std::string& bad : std::vector<std::string>{"nginx; rm -rf /", "$(id)", "a b", "../x", "", std::string(200, 'a'), "-c", "`id`", "x\ny"}) {
    INFO(bad);
    auto r = call_tool(*reg, "service_control", {{"service", bad}, {"action", "restart"}});
    CHECK_FALSE(r.ok());
    CHECK(r.error.find("service") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir.path() / "record"));  // the wrapper never ran

  // A name with ':' reaches supervisorctl as one argument, after -c CONFIG and the verb.
  auto r = call_tool(*reg, "service_control", {{"service", "grp:web"}, {"action", "status"}});
  REQUIRE(r.ok());
  CHECK(r.result_json()["state"] == "stopped");
  CHECK(read_file(dir.path() / "record") == "-c\n" + sv.config().string() + "\nstatus\ngrp:web\n--\n");
}

TEST_CASE("service_control: allowed_services limits which services may be touched", "[unit][service_control]") {
  TempDir dir;
  Supervisord sv(dir.path(), kSleeper + supervisor_program("other", "/bin/sleep 1000"));
  auto reg = in_tree_plugins({{"service_control",
                               {{"supervisor_config", sv.config().string()},
                                {"supervisorctl", recording_supervisorctl(dir)},
                                {"allowed_services", json::array({"sleeper"})}}}});
  auto refused = call_tool(*reg, "service_control", {{"service", "other"}, {"action", "start"}});
  CHECK_FALSE(refused.ok());
  CHECK(refused.error == "service 'other' is not in the service_control plugin's allowed_services");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "record"));
  auto s = call_tool(*reg, "service_control", {{"service", "other"}, {"action", "status"}});
  CHECK_FALSE(s.ok());  // reading the state counts too

  auto allowed = call_tool(*reg, "service_control", {{"service", "sleeper"}, {"action", "status"}});
  CHECK(allowed.ok());
  CHECK(std::filesystem::exists(dir.path() / "record"));
}

TEST_CASE("service_control: enable and disable are refused by the supervisord backend", "[unit][service_control]") {
  TempDir dir;
  Supervisord sv(dir.path(), kSleeper);
  auto reg = in_tree_plugins({{"service_control",
                               {{"supervisor_config", sv.config().string()}, {"supervisorctl", recording_supervisorctl(dir)}}}});
  for (const char* action : {"enable", "disable"}) {
    INFO(action);
    auto r = call_tool(*reg, "service_control", {{"service", "sleeper"}, {"action", action}});
    CHECK_FALSE(r.ok());
    CHECK(r.error.find(std::string(action) + " is not supported by the supervisord backend") == 0);
  }
  CHECK_FALSE(std::filesystem::exists(dir.path() / "record"));
}

TEST_CASE("service_control: reload sends SIGHUP to a supervisord program", "[unit][service_control]") {
  TempDir dir;
  const std::string log = (dir.path() / "hup.log").string();
  Supervisord sv(dir.path(), supervisor_program("hup", "/bin/bash -c \"trap 'echo reloaded' HUP; while :; do sleep 0.1; done\"",
                                                "stdout_logfile=" + log));
  auto reg = in_tree_plugins({{"service_control", {{"supervisor_config", sv.config().string()}}}});
  auto not_running = call_tool(*reg, "service_control", {{"service", "hup"}, {"action", "reload"}});
  CHECK_FALSE(not_running.ok());
  CHECK(not_running.error.find("ERROR (not running)") != std::string::npos);

  REQUIRE(call_tool(*reg, "service_control", {{"service", "hup"}, {"action", "start"}}).ok());
  auto r = call_tool(*reg, "service_control", {{"service", "hup"}, {"action", "reload"}});
  REQUIRE(r.ok());
  CHECK(r.result_json()["state"] == "running");
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    seen = read_file(log).find("reloaded") != std::string::npos;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(seen);
}

TEST_CASE("service_control: a backend command past timeout_s is killed and the call fails", "[unit][service_control]") {
  TempDir dir;
  // Ignores SIGTERM, so `supervisorctl stop` would wait stopwaitsecs (30 s) for it.
  Supervisord sv(dir.path(), supervisor_program("stubborn", "/bin/bash -c \"trap '' TERM; while :; do sleep 0.1; done\"", "", 30));
  auto reg = in_tree_plugins({{"service_control", {{"supervisor_config", sv.config().string()}}}});
  auto start = call_tool(*reg, "service_control", {{"service", "stubborn"}, {"action", "start"}});
  REQUIRE(start.ok());
  const pid_t pid = start.result_json()["pid"].get<pid_t>();
  const auto t0 = std::chrono::steady_clock::now();
  auto r = call_tool(*reg, "service_control", {{"service", "stubborn"}, {"action", "stop"}, {"timeout_s", 1}});
  const auto took = std::chrono::steady_clock::now() - t0;
  ::kill(pid, SIGKILL);  // lets supervisord finish the stop now rather than in 30 s
  CHECK_FALSE(r.ok());
  CHECK(r.error.find("timed out after 1 s (timeout_s)") != std::string::npos);
  CHECK(took < std::chrono::seconds(10));
}

TEST_CASE("service_control: an unreachable supervisord is a clear error", "[unit][service_control]") {
  TempDir dir;
  auto conf = write_supervisord_config(dir.path(), kSleeper);  // never started
  auto reg = in_tree_plugins({{"service_control", {{"supervisor_config", conf.string()}}}});
  auto r = call_tool(*reg, "service_control", {{"service", "sleeper"}, {"action", "status"}});
  CHECK_FALSE(r.ok());
  CHECK(r.error.find("supervisord: cannot read the state of 'sleeper'") == 0);
  CHECK(r.error.find("supervisor.sock") != std::string::npos);
}

TEST_CASE("service_control: the sysv backend reports a service without an init script as unknown", "[unit][service_control]") {
  auto reg = in_tree_plugins();
  auto r = call_tool(*reg, "service_control", {{"service", "steward-no-such-service"}, {"action", "status"}, {"backend", "sysv"}});
  CHECK_FALSE(r.ok());
  CHECK(r.error == "unknown service 'steward-no-such-service' (backend sysv): no /etc/init.d/steward-no-such-service");
  auto en = call_tool(*reg, "service_control", {{"service", "cron"}, {"action", "enable"}, {"backend", "sysv"}});
  CHECK(en.error.find("enable is not supported by the sysv backend") == 0);
}

TEST_CASE("service_control: bad plugin config refuses the plugin with the reason", "[unit][service_control]") {
  TempDir dir;
  struct Case {
    json config;
    std::string message;
  };
  for (const Case& c : {Case{{{"backend", "upstart"}}, "backend: must be one of auto, systemd, sysv, supervisord"},
                        Case{{{"supervisorctl", "supervisorctl"}}, "supervisorctl: must be an absolute path"},
                        Case{{{"supervisor_config", (dir.path() / "missing.conf").string()}}, "is not a readable file"},
                        Case{{{"allowed_services", json::array({"ok", "bad name"})}}, "allowed_services: service: 'bad name'"},
                        Case{{{"allowed_services", "nginx"}}, "allowed_services: must be an array"},
                        Case{{{"sudo", true}}, "sudo: is not a known field"}}) {
    INFO(c.config.dump());
    auto reg = in_tree_plugins({{"service_control", c.config}});
    CHECK(reg->tool("service_control") == nullptr);
    bool found = false;
    for (const auto& info : reg->plugins())
      if (info.name == "service_control" && info.kind == "tool") {
        found = true;
        CHECK(info.status == "refused");
        CHECK(info.error.find(c.message) != std::string::npos);
      }
    CHECK(found);
  }
}

// ---- the automation type ------------------------------------------------------------------

TEST_CASE("service_control type: plans one service_control step and refuses bad params", "[unit][service_control]") {
  auto reg = in_tree_plugins();
  const steward::Plugin* type = reg->automation_type("service_control");
  REQUIRE(type != nullptr);

  steward::PlanCall call;
  REQUIRE(type->plan(call, R"({"service":"nginx","action":"restart"})") == STEWARD_OK);
  CHECK(json::parse(call.result) ==
        json::parse(R"([{"tool":"service_control","args":{"service":"nginx","action":"restart"},"name":"restart nginx","continue_on_error":false}])"));

  steward::PlanCall with_backend;
  REQUIRE(type->plan(with_backend, R"({"service":"grp:web","action":"status","backend":"supervisord"})") == STEWARD_OK);
  CHECK(json::parse(with_backend.result)[0]["args"] == json({{"service", "grp:web"}, {"action", "status"}, {"backend", "supervisord"}}));

  // The schema refuses what it can (the daemon checks it before plan())...
  auto violation = steward::validate_json(type->schema(), json{{"service", "nginx"}, {"action", "explode"}}, "params");
  REQUIRE(violation);
  CHECK(violation->path == "params.action");
  // ...and plan() refuses the rest, and the same when called directly.
  struct Bad {
    const char* params;
    const char* message;
  };
  for (const Bad& b : {Bad{R"({"service":"nginx","action":"explode"})", "action: must be one of"},
                       Bad{R"({"service":"nginx; rm -rf /","action":"restart"})", "service: 'nginx; rm -rf /' is not a valid service name"},
                       Bad{R"x({"service":"$(id)","action":"stop"})x", "is not a valid service name"},
                       Bad{R"({"service":"nginx","action":"start","backend":"upstart"})", "backend: must be one of"},
                       Bad{R"({"action":"start"})", "service: is required"}}) {
    INFO(b.params);
    steward::PlanCall bad;
    CHECK(type->plan(bad, b.params) == STEWARD_ERROR);
    CHECK(bad.error.find(b.message) != std::string::npos);
  }
}

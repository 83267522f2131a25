// The daemon's life: crash and restart, graceful stop, one daemon per data directory,
// and the CLI's key management beside a running daemon.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {
std::string create_script(const Daemon& d, const std::string& command) {
  auto r = d.api("POST", "/api/automations", {{"name", "s"}, {"type", "script"}, {"params", {{"command", command}}}});
  REQUIRE(r.status == 201);
  return r.json()["id"];
}
}  // namespace

TEST_CASE("kill -9 mid-run, then restart: the run is interrupted, not lost", "[runtime][lifecycle]") {
  TempDir data;
  std::string key, auto_id, run_id;
  {
    Daemon d(DaemonOptions{data.str(), {}, {}});
    key = d.admin_key();
    // The command's own process group would outlive the daemon; keep it short-lived.
    auto_id = create_script(d, "echo begun; sleep 5");
    run_id = d.api("POST", "/api/automations/" + auto_id + "/run").json()["run_id"];
    std::this_thread::sleep_for(300ms);
    REQUIRE(d.api("GET", "/api/automations/runs/" + run_id).json()["status"] == "running");
    int status = d.stop(SIGKILL);
    REQUIRE(WIFSIGNALED(status));
  }
  Daemon again(DaemonOptions{data.str(), {}, {}});
  CHECK(again.admin_key().empty());  // not a first start: no new admin key
  auto run = again.api_as(key, "GET", "/api/automations/runs/" + run_id).json();
  CHECK(run["status"] == "interrupted");
  CHECK(run["reason"].get<std::string>().find("daemon stopped") != std::string::npos);
  CHECK(run["finished"].is_number_integer());
  auto automation = again.api_as(key, "GET", "/api/automations/" + auto_id).json();
  CHECK(automation["last_status"] == "interrupted");
  // And the restarted daemon runs things normally.
  auto next = again.api_as(key, "POST", "/api/automations/" + auto_id + "/run?wait=1").json();
  CHECK(next["status"] == "done");
}

TEST_CASE("SIGTERM: short runs finish, long ones are interrupted, nothing is left running", "[runtime][lifecycle]") {
  TempDir data;
  std::string key, quick_run, slow_run;
  {
    Daemon d(DaemonOptions{data.str(), {"--shutdown-grace-s", "2"}, {}});
    key = d.admin_key();
    std::string quick = create_script(d, "sleep 0.5; echo finished");
    std::string slow = create_script(d, "echo begun; sleep 300");
    quick_run = d.api("POST", "/api/automations/" + quick + "/run").json()["run_id"];
    slow_run = d.api("POST", "/api/automations/" + slow + "/run").json()["run_id"];
    std::this_thread::sleep_for(200ms);
    auto begun = std::chrono::steady_clock::now();
    int status = d.stop(SIGTERM);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(std::chrono::steady_clock::now() - begun < 15s);
  }
  Daemon again(DaemonOptions{data.str(), {}, {}});
  auto q = again.api_as(key, "GET", "/api/automations/runs/" + quick_run).json();
  CHECK(q["status"] == "done");
  CHECK(q["output"] == "finished\n");
  auto s = again.api_as(key, "GET", "/api/automations/runs/" + slow_run).json();
  CHECK(s["status"] == "interrupted");
  CHECK(s["reason"] == "the daemon stopped while the run was in progress");
  CHECK(s["output"] == "begun\n");
}

TEST_CASE("a second daemon on the same data directory is refused", "[runtime][lifecycle]") {
  Daemon d;
  auto second = run_steward({"serve", "--port", "0", "--data-dir", d.data_dir()});
  CHECK(second.exit_code == 1);
  CHECK(second.err.find("already serving") != std::string::npos);
  CHECK(http(d.port(), "GET", "/health").status == 200);
}

TEST_CASE("keys created by the CLI beside a running daemon work at once, revoked ones stop at once", "[runtime][keys]") {
  Daemon d;
  auto made = run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", "admin", "--name", "ops-bot"});
  REQUIRE(made.exit_code == 0);
  std::string key = last_line(made.out);
  REQUIRE(key.rfind("stw_", 0) == 0);
  auto r = d.api_as(key, "POST", "/api/automations", {{"name", "n"}, {"type", "script"}, {"params", {{"command", "true"}}}});
  CHECK(r.status == 201);
  std::string id = r.json()["id"];
  auto run = d.api_as(key, "POST", "/api/automations/" + id + "/run?wait=1").json();
  CHECK(run["requested_by"] == "ops-bot");

  auto listed = run_steward({"keys", "list", "--data-dir", d.data_dir()});
  CHECK(listed.exit_code == 0);
  CHECK(listed.out.find("ops-bot") != std::string::npos);
  CHECK(listed.out.find(key) == std::string::npos);  // never the secret
  std::string key_id = "key_" + key.substr(4, 16);
  CHECK(run_steward({"keys", "revoke", key_id, "--data-dir", d.data_dir()}).exit_code == 0);
  CHECK(d.api_as(key, "GET", "/api/automations").status == 401);
  CHECK(run_steward({"keys", "revoke", key_id, "--data-dir", d.data_dir()}).exit_code == 1);
}

TEST_CASE("the CLI: help, bad usage and bad settings exit 2 with a message", "[runtime][cli]") {
  auto help = run_steward({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("serve") != std::string::npos);
  CHECK(help.out.find("--data-dir") != std::string::npos);
  CHECK(run_steward({}).exit_code == 2);
  auto unknown = run_steward({"frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("unknown command") != std::string::npos);
  auto bad_opt = run_steward({"serve", "--no-such-option"});
  CHECK(bad_opt.exit_code == 2);
  auto bad_port = run_steward({"serve", "--port", "http"});
  CHECK(bad_port.exit_code == 2);
  CHECK(bad_port.err.find("port") != std::string::npos);
  auto bad_env = run_steward({"serve"}, {{"STEWARD_WORKERS", "-1"}});
  CHECK(bad_env.exit_code == 2);
  CHECK(bad_env.err.find("STEWARD_WORKERS") != std::string::npos);
  TempDir dir;
  auto no_role = run_steward({"keys", "create", "--data-dir", dir.str(), "--name", "x"});
  CHECK(no_role.exit_code == 2);
  auto no_name = run_steward({"keys", "create", "--data-dir", dir.str(), "--role", "admin"});
  CHECK(no_name.exit_code == 2);
  auto version = run_steward({"version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.find("plugin ABI 1.0") != std::string::npos);
}

TEST_CASE("settings from a config file and the environment reach the daemon", "[runtime][cli]") {
  TempDir dir;
  auto ini = (dir.path() / "steward.ini").string();
  { std::ofstream(ini) << "output_cap_bytes = 1024\nworkers = 2\n"; }
  Daemon d(DaemonOptions{"", {"--config", ini}, {{"STEWARD_MAX_BODY_BYTES", "1500"}}});
  auto big = d.api("POST", "/api/automations",
                   {{"name", "n"}, {"type", "script"}, {"params", {{"command", "echo " + std::string(2000, 'a')}}}});
  CHECK(big.status == 413);  // from the environment
  std::string id = d.api("POST", "/api/automations", {{"name", "n"}, {"type", "script"}, {"params", {{"command", "yes | head -c 5000"}}}})
                       .json()["id"];
  auto r = d.api("POST", "/api/automations/" + id + "/run?wait=1").json();
  CHECK(r["output_truncated"] == true);  // from the config file
}

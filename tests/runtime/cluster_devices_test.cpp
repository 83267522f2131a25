// Device commands across daemons (issue 10): two real `steward serve` processes on one
// PostgreSQL database, a real `steward agent` connected to daemon A over a WebSocket, and
// everything asked through daemon B: execute, presence, an automation run, a cancel, a
// block, and daemon A killed while its agent runs a command. PostgreSQL only ([cluster]).
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <future>
#include <thread>

#include "tests/support/agent_process.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/raw_device_socket.hpp"
#include "tests/support/test_database.hpp"

using namespace steward::test;
using nlohmann::json;

namespace {

// Two daemons on one database with short leases; a paired, approved agent connected to A.
struct Cluster {
  TempDir dir;
  std::string url = database_url_for(dir.path() / "shared");
  Daemon a{options()};
  Daemon b{options()};
  std::string key = a.admin_key();  // B, second on the database, prints none
  PairedDevice device = pair_agent(a, dir.path(), "far-node");
  AgentProcess agent{device.config};

  DaemonOptions options() const {
    return DaemonOptions{.extra_args = {"--cluster-lease-s", "3"}, .database = url};
  }
  HttpResult on_b(const std::string& method, const std::string& path, const json& body = nullptr) const {
    return b.api_as(key, method, path, body);
  }
  // The agent greeted A, and B sees the device online through the database.
  void wait_ready() const {
    REQUIRE(wait_online(a, device.id, true));
    REQUIRE(online_on_b(true));
  }
  bool online_on_b(bool want) const {
    return eventually([&] {
      auto r = on_b("GET", "/api/devices/" + device.id);
      return r.status == 200 && r.json()["online"] == want;
    });
  }
  HttpResult execute_on_b(const std::string& command, int timeout_s = 30) const {
    return on_b("POST", "/api/devices/" + device.id + "/execute",
                {{"tool", "bash"}, {"args", {{"command", command}}}, {"timeout", timeout_s}});
  }
  // Waits until an execution of the device was sent to the agent (claimed by A), then
  // gives the agent a moment to spawn the command; returns its id.
  std::string wait_sent() const {
    std::string id;
    bool sent = eventually([&] {
      json list = on_b("GET", "/api/devices/" + device.id + "/executions").json();
      for (const auto& e : list["executions"])
        if (e["status"] == "running" && !e["started_at"].is_null()) {
          id = e["execution_id"];
          return true;
        }
      return false;
    });
    REQUIRE(sent);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return id;
  }
  json run_on_b(const std::string& run_id, std::chrono::seconds timeout) const {
    json run;
    eventually(
        [&] {
          run = on_b("GET", "/api/automations/runs/" + run_id).json();
          std::string s = run.value("status", "");
          return s != "running" && s != "queued";
        },
        timeout);
    return run;
  }
  std::string token() const {
    std::ifstream in(device.config);
    return json::parse(in).at("token").get<std::string>();
  }
  std::string automation_on_b(const std::string& command) const {
    auto r = on_b("POST", "/api/automations",
                  {{"name", command}, {"type", "script"}, {"params", {{"command", command}}},
                   {"target", "device:" + device.id}});
    REQUIRE(r.status == 201);
    return r.json()["id"];
  }
};

}  // namespace

TEST_CASE("cluster devices: an agent connected to daemon A runs commands asked through daemon B",
          "[runtime][cluster]") {
  Cluster c;
  REQUIRE(wait_online(c.a, c.device.id, true));
  REQUIRE(c.key != "");
  REQUIRE(c.b.admin_key().empty());

  // B has no connection of its own, yet sees the device online (held by a live daemon).
  REQUIRE(c.online_on_b(true));
  json list = c.on_b("GET", "/api/devices").json();
  REQUIRE(list["devices"].size() == 1);
  CHECK(list["devices"][0]["online"] == true);

  auto r = c.execute_on_b("echo routed-$((6*7)) from $(hostname); echo warn >&2");
  REQUIRE(r.status == 200);
  json e = r.json();
  CHECK(e["status"] == "completed");
  CHECK(e["exit_code"] == 0);
  CHECK(e["output"].get<std::string>().find("routed-42 from") != std::string::npos);
  CHECK(e["output"].get<std::string>().find("warn") != std::string::npos);
  CHECK(e["started_at"].is_string());

  auto f = c.execute_on_b("exit 7");
  REQUIRE(f.status == 200);
  CHECK(f.json()["status"] == "failed");
  CHECK(f.json()["exit_code"] == 7);

  // A's hub stored them: both daemons read the same records.
  auto on_a = c.a.api("GET", "/api/devices/" + c.device.id + "/executions/" + e["execution_id"].get<std::string>());
  REQUIRE(on_a.status == 200);
  CHECK(on_a.json()["output"] == e["output"]);
  CHECK(c.a.api("GET", "/api/devices/" + c.device.id + "/executions").json()["total"] == 2);

  // Blocking through B closes the agent's connection on A.
  REQUIRE(c.on_b("POST", "/api/devices/" + c.device.id + "/block").status == 200);
  CHECK(wait_online(c.a, c.device.id, false, std::chrono::seconds(10)));
  CHECK(c.online_on_b(false));
}

TEST_CASE("cluster devices: an automation run through daemon B runs on the agent connected to daemon A",
          "[runtime][cluster]") {
  Cluster c;
  c.wait_ready();

  std::string ok = c.automation_on_b("echo from-run-$((40+2))");
  auto run = c.on_b("POST", "/api/automations/" + ok + "/run?wait=1");
  REQUIRE(run.status == 200);
  CHECK(run.json()["status"] == "done");
  CHECK(run.json()["exit_code"] == 0);
  CHECK(run.json()["output"].get<std::string>().find("from-run-42") != std::string::npos);
  auto execs = c.a.api("GET", "/api/devices/" + c.device.id + "/executions").json();
  REQUIRE(execs["total"] == 1);
  CHECK(execs["executions"][0]["source"] == "run:" + run.json()["run_id"].get<std::string>());

  std::string bad = c.automation_on_b("echo about-to-fail; exit 5");
  auto failed = c.on_b("POST", "/api/automations/" + bad + "/run?wait=1");
  REQUIRE(failed.status == 200);
  CHECK(failed.json()["status"] == "failed");
  CHECK(failed.json()["exit_code"] == 5);
  CHECK(failed.json()["output"].get<std::string>().find("about-to-fail") != std::string::npos);
}

TEST_CASE("cluster devices: a cancel asked through daemon B stops the command running on daemon A",
          "[runtime][cluster]") {
  Cluster c;
  c.wait_ready();

  std::string slow = c.automation_on_b("sleep 30; echo not-reached");
  auto started = c.on_b("POST", "/api/automations/" + slow + "/run");
  REQUIRE(started.status == 200);
  std::string run_id = started.json()["run_id"];
  std::string execution = c.wait_sent();

  auto asked = std::chrono::steady_clock::now();
  REQUIRE(c.on_b("POST", "/api/automations/runs/" + run_id + "/cancel").status == 202);
  json run = c.run_on_b(run_id, std::chrono::seconds(20));
  CHECK(run["status"] == "cancelled");
  CHECK(std::chrono::steady_clock::now() - asked < std::chrono::seconds(15));  // not the 30 s of the command
  json e = c.on_b("GET", "/api/devices/" + c.device.id + "/executions/" + execution).json();
  CHECK(e["status"] == "cancelled");
  CHECK(run["output"].get<std::string>().find("not-reached") == std::string::npos);

  // The agent is free again: the next command runs at once.
  auto r = c.execute_on_b("echo still-here");
  REQUIRE(r.status == 200);
  CHECK(r.json()["status"] == "completed");
}

TEST_CASE("cluster devices: daemon A killed mid-command ends daemon B's execution failed within the lease",
          "[runtime][cluster]") {
  Cluster c;
  c.wait_ready();

  auto waiting = std::async(std::launch::async, [&c] { return c.execute_on_b("sleep 30", 60); });
  c.wait_sent();
  auto killed = std::chrono::steady_clock::now();
  c.a.stop(SIGKILL);

  // Lease 3 s, renewed (and checked) every 0.6 s: the reaper settles it well before 15 s.
  REQUIRE(waiting.wait_for(std::chrono::seconds(15)) == std::future_status::ready);
  CHECK(std::chrono::steady_clock::now() - killed < std::chrono::seconds(15));
  auto r = waiting.get();
  REQUIRE(r.status == 200);
  json e = r.json();
  CHECK(e["status"] == "failed");
  CHECK(e["error"] == "the daemon holding the device's connection stopped");
  // Nobody holds the device now (its agent keeps trying the dead daemon's port).
  CHECK(c.online_on_b(false));
}

TEST_CASE("cluster devices: a daemon starting beside a running command leaves it running",
          "[runtime][cluster]") {
  Cluster c;
  c.wait_ready();

  auto waiting = std::async(std::launch::async, [&c] { return c.execute_on_b("sleep 4; echo survived", 30); });
  std::string execution = c.wait_sent();
  // A third daemon starts: only executions that no live daemon holds are over.
  Daemon third(c.options());
  auto seen = third.api_as(c.key, "GET", "/api/devices/" + c.device.id + "/executions/" + execution);
  REQUIRE(seen.status == 200);
  CHECK(seen.json()["status"] == "running");
  CHECK(seen.json()["error"].is_null());
  CHECK(third.api_as(c.key, "GET", "/api/devices/" + c.device.id).json()["online"] == true);

  REQUIRE(waiting.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  json e = waiting.get().json();
  CHECK(e["status"] == "completed");
  CHECK(e["output"].get<std::string>().find("survived") != std::string::npos);
}

TEST_CASE("cluster devices: a newer connection of the device on daemon B replaces the one on daemon A",
          "[runtime][cluster]") {
  Cluster c;
  c.wait_ready();

  auto waiting = std::async(std::launch::async, [&c] { return c.execute_on_b("sleep 30", 60); });
  c.wait_sent();
  // The same device connects to B: A is told to close its connection (4000), and what ran
  // on that connection is over.
  RawDeviceSocket newer(c.b.device_port(), c.token(), 20);
  REQUIRE(waiting.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  json e = waiting.get().json();
  CHECK(e["status"] == "failed");
  std::string why = e["error"];
  CHECK((why.find("reconnected") != std::string::npos || why.find("replaced") != std::string::npos));
  CHECK(eventually([&] { return c.agent.stderr_text().find("4000") != std::string::npos; }));

  // The agent comes back to A (its configured daemon), which takes the device over in turn:
  // B closes the connection it held.
  CHECK(newer.close_code() == 4000);
  CHECK(wait_online(c.a, c.device.id, true));
  auto r = c.execute_on_b("echo back-on-a");
  REQUIRE(r.status == 200);
  CHECK(r.json()["status"] == "completed");
}

TEST_CASE("cluster devices: a group execute and a file transfer asked through daemon B reach the agent on daemon A",
          "[runtime][cluster]") {
  TempDir dir;
  auto here = dir.path() / "here", there = dir.path() / "there";
  std::filesystem::create_directories(here);
  std::filesystem::create_directories(there);
  auto config = [&](const std::filesystem::path& root, const std::string& name) {
    return filesystem_roots_config(dir.path() / name, root);
  };
  const std::string url = database_url_for(dir.path() / "shared");
  DaemonOptions options{.extra_args = {"--cluster-lease-s", "3", "--plugin-config", config(here, "daemon.json")},
                        .database = url};
  Daemon a{options};
  Daemon b{options};
  const std::string key = a.admin_key();
  auto device = pair_agent(a, dir.path(), "far-files");
  AgentProcess agent(device.config, {"--plugin-config", config(there, "agent.json")});
  REQUIRE(eventually([&] { return b.api_as(key, "GET", "/api/devices/" + device.id).json()["online"] == true; }));

  auto group = b.api_as(key, "POST", "/api/device-groups", {{"name", "far"}});
  REQUIRE(group.status == 201);
  const std::string gid = group.json()["id"];
  REQUIRE(b.api_as(key, "POST", "/api/device-groups/" + gid + "/members/" + device.id).status == 200);
  auto ran = b.api_as(key, "POST", "/api/device-groups/" + gid + "/execute",
                      {{"tool", "bash"}, {"args", {{"command", "echo member"}}}, {"timeout", 30}});
  INFO(ran.body);
  REQUIRE(ran.status == 200);
  REQUIRE(ran.json()["results"].size() == 1);
  CHECK(ran.json()["results"][0]["status"] == "completed");
  CHECK(ran.json()["results"][0]["output"] == "member\n");

  // 300 KiB of every byte value, pushed through B to the agent held by A.
  std::string payload;
  for (int i = 0; i < 300 * 1024; ++i) payload.push_back(static_cast<char>((i * 13 + i / 257) & 0xff));
  std::ofstream((here / "data.bin").string(), std::ios::binary) << payload;
  auto push = b.api_as(key, "POST", "/api/devices/" + device.id + "/transfers",
                       {{"direction", "push"}, {"local_path", (here / "data.bin").string()},
                        {"remote_path", (there / "copy.bin").string()}});
  INFO(push.body);
  REQUIRE(push.status == 202);
  const std::string tid = push.json()["transfer_id"];
  json done;
  bool ended = eventually(
      [&] {
        json list = b.api_as(key, "GET", "/api/devices/" + device.id + "/transfers").json();  // kept: the loop reads into it
        for (const auto& t : list["transfers"])
          if (t["transfer_id"] == tid && t["status"] != "running") {
            done = t;
            return true;
          }
        return false;
      },
      std::chrono::seconds(60));
  REQUIRE(ended);
  INFO(done.dump());
  CHECK(done["status"] == "completed");
  std::ifstream copied((there / "copy.bin").string(), std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(copied), {}) == payload);
}

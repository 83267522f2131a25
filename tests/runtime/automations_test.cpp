// The Automations API's good paths beyond the walk-through: get, update, delete, run?wait=1,
// disabled, cancel, per-automation run history, sequences.
#include <catch2/catch.hpp>
#include <thread>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {
std::string create(const Daemon& d, const json& body) {
  auto r = d.api("POST", "/api/automations", body);
  REQUIRE(r.status == 201);
  return r.json()["id"];
}
json script(const std::string& command, json extra = json::object()) {
  json body = {{"name", "s"}, {"type", "script"}, {"params", {{"command", command}}}};
  body.update(extra);
  return body;
}
}  // namespace

TEST_CASE("get, update and delete an automation", "[runtime][automations]") {
  Daemon d;
  std::string id = create(d, script("echo one", {{"icon", "fa-database"}, {"tags", {"nas"}}, {"timeout", 30}}));
  auto got = d.api("GET", "/api/automations/" + id).json();
  CHECK(got["icon"] == "fa-database");
  CHECK(got["tags"] == json({"nas"}));
  CHECK(got["timeout"] == 30);
  CHECK(got["enabled"] == true);
  CHECK(got["schedule"].is_null());
  CHECK(got["last_run"].is_null());

  auto upd = d.api("PUT", "/api/automations/" + id, script("echo two", {{"name", "renamed"}}));
  CHECK(upd.status == 200);
  CHECK(upd.json() == json({{"status", "updated"}}));
  got = d.api("GET", "/api/automations/" + id).json();
  CHECK(got["name"] == "renamed");
  CHECK(got["params"]["command"] == "echo two");
  CHECK(got["timeout"] == 3600);  // PUT replaces: unspecified fields take their defaults

  auto del = d.api("DELETE", "/api/automations/" + id);
  CHECK(del.status == 200);
  CHECK(del.json() == json({{"status", "deleted"}}));
  CHECK(d.api("GET", "/api/automations/" + id).status == 404);
  CHECK(d.api("DELETE", "/api/automations/" + id).status == 404);
}

TEST_CASE("run?wait=1 answers when the run has ended, with status and output", "[runtime][automations]") {
  Daemon d;
  std::string ok = create(d, script("sleep 0.3; echo waited"));
  auto r = d.api("POST", "/api/automations/" + ok + "/run?wait=1");
  REQUIRE(r.status == 200);
  auto j = r.json();
  CHECK(j["status"] == "done");
  CHECK(j["output"] == "waited\n");
  CHECK(j["run_id"].get<std::string>().rfind("run_", 0) == 0);

  std::string bad = create(d, script("echo nope >&2; exit 7"));
  j = d.api("POST", "/api/automations/" + bad + "/run?wait=1").json();
  CHECK(j["status"] == "failed");
  CHECK(j["exit_code"] == 7);
  CHECK(j["reason"] == "exit code 7");
}

TEST_CASE("a disabled automation does not run", "[runtime][automations]") {
  Daemon d;
  std::string id = create(d, script("echo x", {{"enabled", false}}));
  auto r = d.api("POST", "/api/automations/" + id + "/run");
  CHECK(r.status == 409);
  CHECK(r.json()["error"]["code"] == "automation_disabled");
  CHECK(d.api("GET", "/api/automations/" + id + "/runs").json()["runs"].empty());
}

TEST_CASE("a running run can be cancelled, a finished one cannot", "[runtime][automations]") {
  Daemon d;
  std::string id = create(d, script("echo begun; sleep 300"));
  std::string run_id = d.api("POST", "/api/automations/" + id + "/run").json()["run_id"];
  std::this_thread::sleep_for(200ms);
  auto live = d.api("GET", "/api/automations/runs/" + run_id).json();
  CHECK(live["status"] == "running");
  CHECK(live["output"] == "begun\n");  // output so far, while it runs
  auto c = d.api("POST", "/api/automations/runs/" + run_id + "/cancel");
  CHECK(c.status == 202);
  auto j = d.wait_for_run(run_id, 30s);
  CHECK(j["status"] == "cancelled");
  CHECK(j["reason"] == "cancelled by admin");
  auto again = d.api("POST", "/api/automations/runs/" + run_id + "/cancel");
  CHECK(again.status == 409);
}

TEST_CASE("run history of an automation, newest first, with paging", "[runtime][automations]") {
  Daemon d;
  std::string id = create(d, script("echo $RANDOM"));
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(d.api("POST", "/api/automations/" + id + "/run?wait=1").json()["run_id"]);
    std::this_thread::sleep_for(5ms);
  }
  auto page = d.api("GET", "/api/automations/" + id + "/runs?limit=2").json();
  REQUIRE(page["runs"].size() == 2);
  CHECK(page["runs"][0]["run_id"] == ids[2]);
  CHECK(page["runs"][1]["run_id"] == ids[1]);
  auto rest = d.api("GET", "/api/automations/" + id + "/runs?limit=2&offset=2").json();
  REQUIRE(rest["runs"].size() == 1);
  CHECK(rest["runs"][0]["run_id"] == ids[0]);
  CHECK(d.api("GET", "/api/automations/" + id + "/runs?limit=abc").status == 400);
  CHECK(d.api("GET", "/api/automations/" + id + "/runs?limit=0").status == 400);
}

TEST_CASE("a timeout over HTTP: stored as timeout, and the daemon answers meanwhile", "[runtime][automations]") {
  Daemon d;
  std::string id = create(d, script("echo start; sleep 300", {{"timeout", 1}}));
  auto begun = std::chrono::steady_clock::now();
  auto r = d.api("POST", "/api/automations/" + id + "/run?wait=1").json();
  CHECK(std::chrono::steady_clock::now() - begun < 10s);
  CHECK(r["status"] == "timeout");
  CHECK(r["reason"] == "timed out after 1 s");
  CHECK(r["output"] == "start\n");
}

TEST_CASE("output over the cap is truncated with a marker, over HTTP", "[runtime][automations]") {
  Daemon d(DaemonOptions{"", {"--output-cap-bytes", "2048"}, {}});
  std::string id = create(d, script("yes line | head -n 5000"));
  auto r = d.api("POST", "/api/automations/" + id + "/run?wait=1").json();
  CHECK(r["status"] == "done");
  CHECK(r["output_truncated"] == true);
  std::string out = r["output"];
  CHECK(out.rfind("line\nline\n", 0) == 0);
  CHECK(out.find("[steward: output truncated: more than 2048 bytes") != std::string::npos);
  CHECK(out.size() < 2048 + 200);
}

TEST_CASE("many concurrent waiting requests do not starve other requests", "[runtime][automations]") {
  Daemon d;
  std::string slow = create(d, script("sleep 3"));
  std::vector<std::thread> waiters;
  std::atomic<int> done{0};
  for (int i = 0; i < 12; ++i)
    waiters.emplace_back([&] {
      if (d.api("POST", "/api/automations/" + slow + "/run?wait=1").json()["status"] == "done") ++done;
    });
  std::this_thread::sleep_for(200ms);
  auto begun = std::chrono::steady_clock::now();
  CHECK(http(d.port(), "GET", "/health").status == 200);
  CHECK(d.api("GET", "/api/automations").status == 200);
  // Starved, these would wait for the 3 s runs; the bound is far from both sides.
  CHECK(std::chrono::steady_clock::now() - begun < 2s);
  for (auto& t : waiters) t.join();
  CHECK(done == 12);
}

TEST_CASE("output that is not UTF-8 is answered with U+FFFD, and the run is stored", "[runtime][automations]") {
  Daemon d;
  auto created = d.api("POST", "/api/automations",
                       {{"name", "bytes"}, {"type", "script"}, {"params", {{"command", "printf 'ok \\377\\000 end'"}}}});
  REQUIRE(created.status == 201);
  const std::string id = created.json()["id"];
  auto run = d.api("POST", "/api/automations/" + id + "/run?wait=1");
  INFO(run.body);
  REQUIRE(run.status == 200);
  CHECK(run.json()["status"] == "done");
  const std::string output = run.json()["output"];
  CHECK(output.rfind("ok \xEF\xBF\xBD", 0) == 0);  // the byte 0xFF
  CHECK(output.find("end") != std::string::npos);
  auto stored = d.api("GET", "/api/automations/runs/" + run.json()["run_id"].get<std::string>());
  REQUIRE(stored.status == 200);
  CHECK(stored.json()["output"].get<std::string>().find("end") != std::string::npos);  // NUL did not cut it short
}

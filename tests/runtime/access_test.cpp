// Keys over the API and the CLI, single-task scoping, the v1 one-off run, and the audit log.
#include <catch2/catch.hpp>
#include <thread>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {
std::string create(const Daemon& d, const std::string& command) {
  return d.api("POST", "/api/automations", {{"name", "n"}, {"type", "script"}, {"params", {{"command", command}}}})
      .json()["id"];
}
}  // namespace

TEST_CASE("keys API: create shows the secret once, list never does, revoke stops it at once", "[runtime][keys]") {
  Daemon d;
  auto made = d.api("POST", "/api/keys", {{"name", "grafana"}, {"role", "view-only"}});
  REQUIRE(made.status == 201);
  std::string secret = made.json()["key"];
  std::string id = made.json()["id"];
  CHECK(made.json()["role"] == "view-only");
  CHECK(d.api_as(secret, "GET", "/api/automations").status == 200);

  auto list = d.api("GET", "/api/keys");
  CHECK(list.body.find(secret) == std::string::npos);
  CHECK(list.body.find(secret.substr(4 + 16)) == std::string::npos);
  bool found = false;
  const json keys = list.json()["keys"];
  for (const auto& k : keys) found = found || (k["id"] == id && k["name"] == "grafana");
  CHECK(found);

  CHECK(d.api("DELETE", "/api/keys/" + id).status == 200);
  CHECK(d.api_as(secret, "GET", "/api/automations").status == 401);
  CHECK(d.api("DELETE", "/api/keys/" + id).status == 409);
  CHECK(d.api("DELETE", "/api/keys/key_nosuch").status == 404);

  auto expiring = d.api("POST", "/api/keys", {{"name", "temp"}, {"role", "admin"}, {"expires_in", 1}}).json();
  CHECK(d.api_as(expiring["key"], "GET", "/api/keys").status == 200);
  std::this_thread::sleep_for(1200ms);
  CHECK(d.api_as(expiring["key"], "GET", "/api/keys").status == 401);

  for (auto [body, field] : std::vector<std::pair<json, std::string>>{
           {{{"role", "admin"}}, "name"},
           {{{"name", "x"}, {"role", "root"}}, "role"},
           {{{"name", "x"}, {"role", "single-task"}}, "automation_id"},
           {{{"name", "x"}, {"role", "single-task"}, {"automation_id", "auto_nosuch"}}, "automation_id"},
           {{{"name", "x"}, {"role", "admin"}, {"automation_id", "auto_x"}}, "automation_id"},
           {{{"name", "x"}, {"role", "admin"}, {"expires_in", 0}}, "expires_in"},
           {{{"name", "x"}, {"role", "admin"}, {"expires_in", 9223372036854775807LL}}, "expires_in"}}) {
    INFO(body.dump());
    auto r = d.api("POST", "/api/keys", body);
    CHECK(r.status == 400);
    CHECK(r.json()["error"]["field"] == field);
  }
}

TEST_CASE("a single-task key runs and reads its one automation only", "[runtime][keys]") {
  Daemon d;
  std::string mine = create(d, "echo mine");
  std::string other = create(d, "echo other");
  auto made = run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", "single-task", "--automation", mine,
                           "--name", "deploy-bot"});
  REQUIRE(made.exit_code == 0);
  std::string key = last_line(made.out);

  auto run = d.api_as(key, "POST", "/api/v1/scenarios/" + mine + "/run?wait=1");
  REQUIRE(run.status == 200);
  CHECK(run.json()["status"] == "done");
  CHECK(run.json()["output"] == "mine\n");
  CHECK(run.json()["trigger"] == "api");
  auto history = d.api_as(key, "GET", "/api/v1/scenarios/" + mine + "/history").json();
  CHECK(history["scenario_id"] == mine);
  CHECK(history["runs"].size() == 1);
  CHECK(d.api_as(key, "POST", "/api/automations/" + mine + "/run").status == 200);

  CHECK(d.api_as(key, "POST", "/api/v1/scenarios/" + other + "/run").status == 403);
  CHECK(d.api_as(key, "GET", "/api/v1/scenarios/" + other + "/history").status == 403);
  CHECK(d.api_as(key, "GET", "/api/automations").status == 403);
  CHECK(d.api_as(key, "POST", "/api/v1/run", {{"tool", "bash"}, {"args", {{"command", "id"}}}}).status == 403);

  CHECK(run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", "single-task", "--name", "x"}).exit_code == 2);
  CHECK(run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", "single-task", "--automation", "auto_nosuch",
                     "--name", "x"})
            .exit_code == 1);
}

TEST_CASE("v1 one-off run: a tool call runs and answers with its output, a prompt needs the llm tool", "[runtime][v1]") {
  Daemon d;
  auto r = d.api("POST", "/api/v1/run", {{"tool", "bash"}, {"args", {{"command", "echo one-off"}}}});
  REQUIRE(r.status == 200);
  CHECK(r.json()["status"] == "done");
  CHECK(r.json()["output"] == "one-off\n");
  CHECK(r.json()["trigger"] == "api");
  std::string run_id = r.json()["run_id"];
  CHECK(d.api("GET", "/api/automations/runs/" + run_id).json()["status"] == "done");  // stored like any run

  auto quick = d.api("POST", "/api/v1/run?wait=0", {{"tool", "bash"}, {"args", {{"command", "sleep 0.2"}}}});
  CHECK(quick.json()["status"] == "running");
  CHECK(d.api("POST", "/api/v1/run?wait=false", {{"tool", "bash"}, {"args", {{"command", "sleep 0.2"}}}})
            .json()["status"] == "running");
  // A target, as for automations: `auto` with no routing preference runs here.
  auto routed = d.api("POST", "/api/v1/run", {{"tool", "bash"}, {"args", {{"command", "echo routed"}}}, {"target", "auto"}});
  CHECK(routed.json()["status"] == "done");
  CHECK(routed.json()["output"].get<std::string>().find("[steward] routing: ") == 0);
  CHECK(routed.json()["output"].get<std::string>().find("\nrouted\n") != std::string::npos);
  for (const json& bad : {json("group:grp_nosuch"), json("device:"), json(5)}) {
    INFO(bad.dump());
    auto refused = d.api("POST", "/api/v1/run", {{"tool", "bash"}, {"args", {{"command", "true"}}}, {"target", bad}});
    CHECK(refused.status == 400);
    CHECK(refused.json()["error"]["field"] == "body.target");
  }

  // No endpoint configured: the llm tool is loaded, and a prompt fails saying how to configure it.
  auto prompt = d.api("POST", "/api/v1/run", {{"prompt", "Make a short weekly summary of tasks"}});
  CHECK(prompt.status == 200);
  CHECK(prompt.json()["status"] == "failed");
  CHECK(prompt.json()["reason"].get<std::string>().find("llm: no endpoint configured") == 0);
  CHECK(d.api("POST", "/api/v1/run", {{"tool", "nope"}}).status == 400);
  CHECK(d.api("POST", "/api/v1/run", {{"tool", "bash"}, {"args", {{"cmd", "x"}}}}).json()["error"]["field"] ==
        "body.args.command");
  CHECK(d.api("POST", "/api/v1/run", json::object()).status == 400);
  CHECK(d.api("GET", "/api/v1/scenarios/auto_nosuch/history").status == 404);
  CHECK(d.api("POST", "/api/v1/scenarios/auto_nosuch/run").status == 404);
}

TEST_CASE("the audit log records writes, refused keys and decisions, only admins read it", "[runtime][audit]") {
  Daemon d;
  std::string id = create(d, "true");
  d.api("POST", "/api/automations/" + id + "/run?wait=1");
  http(d.port(), "GET", "/api/automations", "", {{"Authorization", "Bearer stw_wrong"}});
  auto viewer = last_line(run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", "view-only", "--name", "vera"}).out);
  d.api_as(viewer, "DELETE", "/api/automations/" + id);

  auto entries = d.api("GET", "/api/audit").json()["entries"];
  auto has = [&](const std::string& actor, const std::string& action, const std::string& outcome) {
    for (const auto& e : entries)
      if (e["actor"] == actor && e["action"] == action && e["outcome"] == outcome) return true;
    return false;
  };
  CHECK(has("admin", "POST /api/automations", "201"));
  // A create names what it made; a refused one, the collection it was refused on.
  bool named = false;
  for (const auto& e : entries) named = named || (e["action"] == "POST /api/automations" && e["target"] == id);
  CHECK(named);
  CHECK(d.api("POST", "/api/keys", {{"name", "kim"}, {"role", "view-only"}}).status == 201);
  CHECK(d.api("POST", "/api/keys", {{"name", "kim"}}).status == 400);
  json keys_made = d.api("GET", "/api/audit?action=POST%20/api/keys").json()["entries"];
  REQUIRE(keys_made.size() == 2);
  CHECK(keys_made[0]["target"] == "/api/keys");  // newest first: the refused one
  CHECK(keys_made[0]["detail"] == "invalid_field");
  CHECK(keys_made[1]["target"].get<std::string>().rfind("key_", 0) == 0);
  CHECK(has("admin", "POST /api/automations/{id}/run", "200"));
  CHECK(has("anonymous", "auth.denied", "401"));
  CHECK(has("vera", "auth.forbidden", "403"));
  CHECK(d.api("GET", "/api/audit").body.find("stw_") == std::string::npos);  // no secrets

  auto only_denied = d.api("GET", "/api/audit?action=auth.").json()["entries"];
  CHECK(only_denied.size() == 2);
  CHECK(d.api("GET", "/api/audit?actor=vera").json()["entries"].size() == 1);
  CHECK(d.api("GET", "/api/audit?since=4102444800").json()["entries"].empty());
  CHECK(d.api("GET", "/api/audit?limit=1").json()["entries"].size() == 1);
  CHECK(d.api("GET", "/api/audit?since=soon").status == 400);
  CHECK(d.api_as(viewer, "GET", "/api/audit").status == 403);
}

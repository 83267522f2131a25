// The approval gate with a real daemon, through both views (/api/approvals and
// /api/v1/act/proposals): no self-approval, approver lists, N-of-M, rejection, expiry,
// exactly-once start under concurrent approvals, and every step in the audit log.
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct Team {
  explicit Team(const Daemon& d) : daemon(d) {
    carol = make("full-access", "carol");
    alice = make("full-access", "alice");
    bob = make("full-access", "bob");
    dave = make("full-access", "dave");
    viewer = make("view-only", "vera");
  }
  std::string make(const std::string& role, const std::string& name) {
    auto r = run_steward({"keys", "create", "--data-dir", daemon.data_dir(), "--role", role, "--name", name});
    REQUIRE(r.exit_code == 0);
    return last_line(r.out);
  }
  const Daemon& daemon;
  std::string carol, alice, bob, dave, viewer;
};

json gated(const json& approval, const std::string& command = "echo approved-run") {
  return {{"name", "risky"}, {"type", "script"}, {"params", {{"command", command}}}, {"approval", approval}};
}

json proposal(const std::string& command = "echo proposed", json extra = json::object()) {
  json body = {{"title", "Restart the thing"},
               {"description", "because it is stuck"},
               {"commands", {{{"tool", "bash"}, {"args", {{"command", command}}}}}}};
  body.update(extra);
  return body;
}

}  // namespace

TEST_CASE("approvals: N-of-M with an approver list, no self-approval, then the run goes", "[runtime][approvals]") {
  Daemon d;
  Team t(d);
  std::string id = d.api("POST", "/api/automations",
                         gated({{"required", true}, {"approvers", {"alice", "bob", "carol"}}, {"min_approvals", 2}}))
                       .json()["id"];

  auto started = d.api_as(t.carol, "POST", "/api/automations/" + id + "/run");
  REQUIRE(started.status == 200);
  CHECK(started.json()["status"] == "pending_approval");
  std::string run_id = started.json()["run_id"];
  std::string apr = started.json()["approval_id"];
  CHECK(apr.rfind("apr_", 0) == 0);

  auto queue = d.api_as(t.viewer, "GET", "/api/approvals").json();
  REQUIRE(queue.size() == 1);
  CHECK(queue[0]["id"] == apr);
  CHECK(queue[0]["kind"] == "run");
  CHECK(queue[0]["requested_by"] == "carol");
  CHECK(queue[0]["run_id"] == run_id);
  CHECK(queue[0]["steps"][0]["args"]["command"] == "echo approved-run");  // what runs is shown

  auto self = d.api_as(t.carol, "POST", "/api/approvals/" + apr + "/approve", {{"comment", "me"}});
  CHECK(self.status == 403);
  CHECK(self.json()["error"]["code"] == "not_allowed_to_decide");
  auto outsider = d.api_as(t.dave, "POST", "/api/approvals/" + apr + "/approve");
  CHECK(outsider.status == 403);
  CHECK(d.api_as(t.viewer, "POST", "/api/approvals/" + apr + "/approve").status == 403);

  auto first = d.api_as(t.alice, "POST", "/api/approvals/" + apr + "/approve", {{"comment", "looks fine"}});
  REQUIRE(first.status == 200);
  CHECK(first.json()["status"] == "pending");
  CHECK(first.json()["approvals"] == 1);
  CHECK(d.api("GET", "/api/automations/runs/" + run_id).json()["status"] == "pending_approval");
  CHECK(d.api_as(t.alice, "POST", "/api/approvals/" + apr + "/approve").status == 409);  // once per person

  auto second = d.api_as(t.bob, "POST", "/api/approvals/" + apr + "/approve");
  REQUIRE(second.status == 200);
  CHECK(second.json()["status"] == "approved");
  auto run = d.wait_for_run(run_id);
  CHECK(run["status"] == "done");
  CHECK(run["output"] == "approved-run\n");
  CHECK(run["requested_by"] == "carol");
  CHECK(d.api_as(t.dave, "POST", "/api/approvals/" + apr + "/approve").status == 409);  // decided already
  CHECK(d.api("GET", "/api/approvals").json().empty());
  auto done = d.api("GET", "/api/approvals?status=approved").json();
  REQUIRE(done.size() == 1);
  CHECK(done[0]["decisions"].size() == 2);
  CHECK(done[0]["decisions"][0]["comment"] == "looks fine");

  auto audit = d.api("GET", "/api/audit?action=approval.").json()["entries"];
  std::vector<std::string> steps;
  for (const auto& e : audit) steps.push_back(e["action"].get<std::string>() + ":" + e["actor"].get<std::string>());
  CHECK(steps == std::vector<std::string>{"approval.approve:bob", "approval.approve:alice", "approval.requested:carol"});
}

TEST_CASE("approvals: an admin may decide without being listed, one rejection rejects the run", "[runtime][approvals]") {
  Daemon d;
  Team t(d);
  std::string id = d.api("POST", "/api/automations", gated({{"required", true}, {"approvers", {"alice"}}})).json()["id"];
  auto started = d.api_as(t.carol, "POST", "/api/automations/" + id + "/run").json();
  auto rejected = d.api("POST", "/api/approvals/" + started["approval_id"].get<std::string>() + "/reject",
                        {{"comment", "not during business hours"}});
  REQUIRE(rejected.status == 200);
  CHECK(rejected.json()["status"] == "rejected");
  auto run = d.api("GET", "/api/automations/runs/" + started["run_id"].get<std::string>()).json();
  CHECK(run["status"] == "rejected");
  CHECK(run["reason"] == "rejected by admin: not during business hours");
  CHECK(run["output"] == "");
}

TEST_CASE("approvals: an expired request rejects its run", "[runtime][approvals]") {
  Daemon d;
  Team t(d);
  std::string id = d.api("POST", "/api/automations", gated({{"required", true}, {"expires_in", 1}})).json()["id"];
  auto started = d.api_as(t.carol, "POST", "/api/automations/" + id + "/run").json();
  std::string apr = started["approval_id"];
  std::this_thread::sleep_for(2500ms);  // the daemon sweeps expired requests every second
  auto request = d.api("GET", "/api/approvals/" + apr).json();
  CHECK(request["status"] == "expired");
  auto run = d.api("GET", "/api/automations/runs/" + started["run_id"].get<std::string>()).json();
  CHECK(run["status"] == "rejected");
  CHECK(run["reason"].get<std::string>().find("expired") != std::string::npos);
  CHECK(d.api_as(t.alice, "POST", "/api/approvals/" + apr + "/approve").status == 409);
}

TEST_CASE("approvals: no bypass — the v1 scenario run and ?wait=1 are held too", "[runtime][approvals]") {
  Daemon d;
  Team t(d);
  std::string id = d.api("POST", "/api/automations", gated({{"required", true}})).json()["id"];
  auto v1 = d.api_as(t.carol, "POST", "/api/v1/scenarios/" + id + "/run");
  REQUIRE(v1.status == 200);
  CHECK(v1.json()["status"] == "pending_approval");
  auto waited = d.api_as(t.carol, "POST", "/api/automations/" + id + "/run?wait=1");  // answers at once
  CHECK(waited.json()["status"] == "pending_approval");
  CHECK(d.api("GET", "/api/approvals").json().size() == 2);
  auto history = d.api("GET", "/api/v1/scenarios/" + id + "/history").json()["runs"];
  REQUIRE(history.size() == 2);
  for (const auto& r : history) CHECK(r["status"] == "pending_approval");
  CHECK(d.api("POST", "/api/automations/runs/" + v1.json()["run_id"].get<std::string>() + "/cancel").status == 409);
}

TEST_CASE("proposals: create, list with filters, approve by someone else, the commands run once", "[runtime][approvals]") {
  Daemon d;
  Team t(d);
  auto created = d.api_as(t.carol, "POST", "/api/v1/act/proposals", proposal());
  REQUIRE(created.status == 201);
  auto p = created.json();
  std::string id = p["id"];
  CHECK(p["status"] == "pending");
  CHECK(p["requested_by"] == "carol");
  CHECK(p["commands"][0]["tool"] == "bash");
  CHECK(p["run_id"].is_null());
  CHECK(p["created_at"].get<std::string>().back() == 'Z');

  auto listed = d.api("GET", "/api/v1/act/proposals?status=pending").json()["proposals"];
  REQUIRE(listed.size() == 1);
  CHECK_FALSE(listed[0].contains("commands"));
  auto with_cmds = d.api("GET", "/api/v1/act/proposals?status=pending&include=commands").json()["proposals"];
  CHECK(with_cmds[0]["commands"][0]["args"]["command"] == "echo proposed");
  CHECK(d.api("GET", "/api/v1/act/proposals?since=2000-01-01T00:00:00Z").json()["proposals"].size() == 1);
  CHECK(d.api("GET", "/api/v1/act/proposals?since=4102444800").json()["proposals"].empty());  // 2100
  // The same request in the other view.
  auto queue = d.api("GET", "/api/approvals").json();
  REQUIRE(queue.size() == 1);
  CHECK(queue[0]["kind"] == "proposal");

  // Self-approval is refused in both views.
  CHECK(d.api_as(t.carol, "POST", "/api/v1/act/proposals/" + id + "/approve").status == 403);
  CHECK(d.api_as(t.carol, "POST", "/api/approvals/" + id + "/approve").status == 403);

  auto approved = d.api_as(t.alice, "POST", "/api/v1/act/proposals/" + id + "/approve", {{"comment", "go"}});
  REQUIRE(approved.status == 200);
  CHECK(approved.json()["status"] == "approved");
  std::string run_id = approved.json()["run_id"];
  auto run = d.wait_for_run(run_id);
  CHECK(run["status"] == "done");
  CHECK(run["trigger"] == "proposal");
  CHECK(run["output"] == "proposed\n");

  // Approving twice (either view) runs nothing more.
  CHECK(d.api_as(t.bob, "POST", "/api/v1/act/proposals/" + id + "/approve").status == 409);
  CHECK(d.api_as(t.bob, "POST", "/api/approvals/" + id + "/approve").status == 409);
  CHECK(d.api("GET", "/api/v1/act/proposals/" + id).json()["run_id"] == run_id);
}

TEST_CASE("proposals: two concurrent approvals start the commands exactly once", "[runtime][approvals]") {
  Daemon d;
  Team t(d);
  for (int round = 0; round < 5; ++round) {
    std::string id = d.api_as(t.carol, "POST", "/api/v1/act/proposals", proposal("echo once >> " + d.data_dir() + "/count"))
                         .json()["id"];
    std::atomic<int> ok{0}, conflict{0};
    auto approve = [&](const std::string& key) {
      auto r = d.api_as(key, "POST", "/api/v1/act/proposals/" + id + "/approve");
      (r.status == 200 ? ok : conflict)++;
    };
    std::thread a(approve, t.alice), b(approve, t.bob);
    a.join();
    b.join();
    CHECK(ok == 1);
    CHECK(conflict == 1);
    d.wait_for_run(d.api("GET", "/api/v1/act/proposals/" + id).json()["run_id"]);
  }
  std::ifstream in(d.data_dir() + "/count");
  int lines = 0;
  for (std::string line; std::getline(in, line);) lines += line == "once";
  CHECK(lines == 5);
}

TEST_CASE("proposals: bad input gets a clear 400/404", "[runtime][approvals]") {
  Daemon d;
  auto bad = [&](const json& body, const std::string& field) {
    INFO(body.dump());
    auto r = d.api("POST", "/api/v1/act/proposals", body);
    CHECK(r.status == 400);
    CHECK(r.json()["error"]["field"] == field);
  };
  bad({{"commands", {{{"tool", "bash"}, {"args", {{"command", "x"}}}}}}}, "title");
  bad(proposal("x", {{"commands", json::array()}}), "commands");
  bad(proposal("x", {{"commands", {{{"tool", "nope"}}}}}), "commands[0].tool");
  bad(proposal("x", {{"commands", {{{"tool", "bash"}, {"args", json::object()}}}}}), "commands[0].args.command");
  bad(proposal("x", {{"commands", {{{"tool", "bash"}, {"args", {{"command", "x"}}}, {"target", "device:x"}}}}}),
      "commands[0].target");
  bad(proposal("x", {{"approvers", {"a"}}, {"min_approvals", 2}}), "min_approvals");
  bad(proposal("x", {{"surprise", 1}}), "surprise");
  CHECK(d.api("GET", "/api/v1/act/proposals?status=maybe").status == 400);
  CHECK(d.api("GET", "/api/v1/act/proposals?since=yesterday").status == 400);
  CHECK(d.api("GET", "/api/v1/act/proposals?include=everything").status == 400);
  CHECK(d.api("GET", "/api/approvals?status=maybe").status == 400);
  CHECK(d.api("GET", "/api/v1/act/proposals/apr_nope").status == 404);
  CHECK(d.api("POST", "/api/v1/act/proposals/apr_nope/approve").status == 404);
  CHECK(d.api("POST", "/api/approvals/apr_nope/reject").status == 404);
  CHECK(d.api("POST", "/api/approvals/apr_nope/approve", {{"comment", 5}}).status == 400);
  // A run-approval is not a proposal in the v1 view.
  std::string id = d.api("POST", "/api/automations", gated({{"required", true}})).json()["id"];
  std::string apr = d.api("POST", "/api/automations/" + id + "/run").json()["approval_id"];
  CHECK(d.api("GET", "/api/v1/act/proposals/" + apr).status == 404);
  // Bad approval settings on the automation itself.
  auto r = d.api("POST", "/api/automations", gated({{"required", true}, {"approvers", {"a"}}, {"min_approvals", 2}}));
  CHECK(r.status == 400);
  CHECK(r.json()["error"]["field"] == "approval.min_approvals");
  CHECK(d.api("POST", "/api/automations", gated({{"required", "yes"}})).json()["error"]["field"] == "approval.required");
}

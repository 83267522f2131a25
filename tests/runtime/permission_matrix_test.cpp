// Every endpoint with every key kind against the one expected matrix
// (tests/support/permission_matrix.hpp): 401 without a valid key, 403 "forbidden" when
// the role lacks the permission, and through the access check otherwise.
#include <catch2/catch.hpp>
#include <thread>

#include "tests/support/daemon.hpp"
#include "tests/support/permission_matrix.hpp"

using namespace steward::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string key_for(const Daemon& d, const std::vector<std::string>& args) {
  std::vector<std::string> full = {"keys", "create", "--data-dir", d.data_dir()};
  full.insert(full.end(), args.begin(), args.end());
  auto r = run_steward(full);
  REQUIRE(r.exit_code == 0);
  return last_line(r.out);
}

std::string fill(std::string pattern, const std::map<std::string, std::string>& values) {
  for (const auto& [k, v] : values) {
    auto pos = pattern.find("{" + k + "}");
    if (pos != std::string::npos) pattern.replace(pos, k.size() + 2, v);
  }
  return pattern;
}

json body_for(const MatrixRow& row) {
  if (row.method == "POST" && row.pattern == "/api/automations")
    return {{"name", "m"}, {"type", "script"}, {"params", {{"command", "true"}}}};
  if (row.method == "PUT") return {{"name", "a"}, {"type", "script"}, {"params", {{"command", "echo a"}}}};
  if (row.pattern == "/api/keys" && row.method == "POST") return {{"name", "made"}, {"role", "view-only"}};
  if (row.pattern == "/api/v1/run") return {{"tool", "bash"}, {"args", {{"command", "true"}}}};
  if (row.pattern == "/api/v1/act/proposals" && row.method == "POST")
    return {{"title", "t"}, {"commands", {{{"tool", "bash"}, {"args", {{"command", "true"}}}}}}};
  if (row.method == "POST") return json::object();
  return nullptr;
}

}  // namespace

TEST_CASE("permission matrix: every route, every key kind", "[runtime][matrix]") {
  Daemon d;
  auto created = d.api("POST", "/api/automations", {{"name", "a"}, {"type", "script"}, {"params", {{"command", "echo a"}}},
                                                    {"webhook", json::object()}});
  std::string a = created.json()["id"];
  std::string token = created.json()["webhook_token"];  // the public webhook route needs no key, only this
  std::string b = d.api("POST", "/api/automations", {{"name", "b"}, {"type", "script"}, {"params", {{"command", "echo b"}}}})
                      .json()["id"];
  std::string run = d.api("POST", "/api/automations/" + a + "/run?wait=1").json()["run_id"];
  auto proposal = d.api("POST", "/api/v1/act/proposals",
                        {{"title", "p"}, {"commands", {{{"tool", "bash"}, {"args", {{"command", "true"}}}}}}});
  REQUIRE(proposal.status == 201);
  std::string apr = proposal.json()["id"];

  std::map<std::string, std::string> keys = {
      {"A", d.admin_key()},
      {"F", key_for(d, {"--role", "full-access", "--name", "full"})},
      {"V", key_for(d, {"--role", "view-only", "--name", "viewer"})},
      {"S", key_for(d, {"--role", "single-task", "--automation", a, "--name", "task-a"})},
      {"S-other", key_for(d, {"--role", "single-task", "--automation", b, "--name", "task-b"})},
      {"expired", key_for(d, {"--role", "admin", "--name", "old", "--expires-in", "1"})},
      {"revoked", key_for(d, {"--role", "admin", "--name", "gone"})},
      {"wrong", "stw_" + std::string(48, 'a')},
      {"none", ""},
  };
  REQUIRE(run_steward({"keys", "revoke", "key_" + keys["revoked"].substr(4, 16), "--data-dir", d.data_dir()}).exit_code == 0);
  std::this_thread::sleep_for(1100ms);  // let the expiring key expire

  std::map<std::string, std::string> values = {{"id", a}, {"run_id", run}, {"request_id", apr}, {"key_id", "key_nosuchkey"}, {"token", token},
                                                {"template_id", "log-cleanup"}, {"device_id", "device_nosuch"},
                                                {"tool", "bash"}, {"execution_id", "exec_nosuch"},
                                                {"command_id", "exec_nosuch"}, {"file", "app.js"}};
  int checked = 0;
  for (const auto& row : permission_matrix()) {
    // Each row's own proposal id for the v1 routes' {id}.
    auto vals = values;
    if (row.pattern.find("/act/proposals/{id}") != std::string::npos) vals["id"] = apr;
    if (row.method == "DELETE" && row.pattern == "/api/automations/{id}") vals["id"] = "auto_nosuchthing";
    std::string path = fill(row.pattern, vals);
    if (row.pattern == "/api/cron/next") path += "?expr=0+3+*+*+*";
    for (const auto& [kind, key] : keys) {
      INFO(row.method << " " << path << " as " << kind);
      std::map<std::string, std::string> headers;
      if (!key.empty()) headers["Authorization"] = "Bearer " + key;
      json body = body_for(row);
      if (!body.is_null()) headers["Content-Type"] = "application/json";
      auto r = http(d.port(), row.method, path, body.is_null() ? "" : body.dump(), headers);
      ++checked;
      if (row.allowed == "*") {
        // The pairing claim is public; an empty body is no code (400), and repeated
        // claims from one address meet the rate limit (429). Neither is 401/403.
        if (row.pattern == "/api/devices/pair/claim") CHECK((r.status == 400 || r.status == 429));
        else CHECK(r.status == 200);
        continue;
      }
      bool no_valid_key = kind == "none" || kind == "wrong" || kind == "expired" || kind == "revoked";
      if (no_valid_key) {
        CHECK(r.status == 401);
        continue;
      }
      bool allowed = row.allowed == "K" || (kind.size() == 1 && row.allowed.find(kind) != std::string::npos);
      if (allowed) {
        CHECK(r.status != 401);
        CHECK(r.status < 500);
        if (r.status == 403) CHECK(r.json()["error"]["code"] != "forbidden");  // a rule of the handler, not access
      } else {
        CHECK(r.status == 403);
        if (r.status == 403) CHECK(r.json()["error"]["code"] == "forbidden");
      }
    }
  }
  CHECK(checked == static_cast<int>(permission_matrix().size() * keys.size()));
}

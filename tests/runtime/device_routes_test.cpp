// The device REST routes against a real daemon and its SQLite store (no agent needed):
// pairing over HTTP, the device record's life (list, get, patch, approve, block, revoke,
// delete), the claim's rate limit, groups, routing preferences and explanations, the v1
// list, and what a view-only key may do. Every bad body is a 400 JSON error that stores
// nothing. Each test case has its own daemon: the claim limit is 5 a minute per address.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

#include "tests/support/daemon.hpp"
#include "tests/support/test_database.hpp"

using namespace steward::test;
using nlohmann::json;

namespace {

HttpResult claim(const Daemon& d, const json& body) {
  return http(d.port(), "POST", "/api/devices/pair/claim", body.dump(), {{"Content-Type", "application/json"}});
}

// A raw body (invalid JSON, …) with the admin key.
HttpResult raw(const Daemon& d, const std::string& method, const std::string& path, const std::string& body) {
  return http(d.port(), method, path, body,
              {{"Authorization", "Bearer " + d.admin_key()}, {"Content-Type", "application/json"}});
}

std::string new_code(const Daemon& d) {
  auto r = d.api("POST", "/api/devices/pair");
  REQUIRE(r.status == 201);
  return r.json()["code"];
}

// Pairs a device (one claim); returns its id.
std::string pair(const Daemon& d, const std::string& name) {
  auto r = claim(d, {{"code", new_code(d)}, {"name", name}, {"platform", "Linux"}, {"hostname", name + ".lan"}});
  REQUIRE(r.status == 201);
  return r.json()["device_id"];
}

std::string error_code(const HttpResult& r) {
  auto j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

std::string key(const Daemon& d, const std::string& role, const std::string& name) {
  auto made = run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", role, "--name", name});
  REQUIRE(made.exit_code == 0);
  return last_line(made.out);
}

}  // namespace

TEST_CASE("devices: pair, claim, list, get, patch, status changes and delete over HTTP", "[runtime][devices]") {
  Daemon d;
  auto code = d.api("POST", "/api/devices/pair");
  REQUIRE(code.status == 201);
  std::string c = code.json()["code"];
  CHECK(c.size() == 6);
  CHECK(c.find_first_not_of("0123456789") == std::string::npos);
  CHECK(code.json()["qr_url"] == "/api/devices/pair/qr");
  CHECK(code.json()["expires_at"].get<std::string>().back() == 'Z');
  CHECK(raw(d, "POST", "/api/devices/pair", "{\"x\":1}").status == 400);

  // The claim needs no key: the code is the credential.
  auto claimed = claim(d, {{"code", c}, {"platform", "Linux"}, {"architecture", "x86_64"}, {"os_version", "Debian 12"},
                           {"agent_version", "0.6.0"}, {"hostname", "web1"}});
  REQUIRE(claimed.status == 201);
  json p = claimed.json();
  std::string id = p["device_id"];
  CHECK(id.rfind("device_", 0) == 0);
  CHECK(p["token"].get<std::string>().rfind("dvt_", 0) == 0);
  CHECK(p["status"] == "pending");
  // The daemon's device port (the tests' daemon picks a free one).
  CHECK(p["device_port"].get<int>() > 0);
  CHECK(p["ws_url"] == "ws://127.0.0.1:" + std::to_string(p["device_port"].get<int>()) + "/device/ws");

  // Used and wrong codes: one answer.
  auto reused = claim(d, {{"code", c}});
  CHECK(reused.status == 400);
  CHECK(error_code(reused) == "invalid_code");
  auto wrong = claim(d, {{"code", c == "123456" ? "654321" : "123456"}});
  CHECK(wrong.status == 400);
  CHECK(json::parse(wrong.body)["error"]["message"] == json::parse(reused.body)["error"]["message"]);

  auto list = d.api("GET", "/api/devices");
  REQUIRE(list.status == 200);
  CHECK(list.json()["total"] == 1);
  json item = list.json()["devices"][0];
  CHECK(item["id"] == id);
  CHECK(item["name"] == "web1");
  CHECK(item["online"] == false);
  CHECK(item["last_seen_at"].is_null());
  for (const char* k : {"platform", "architecture", "os_version", "agent_version", "status", "capabilities", "paired_at"})
    CHECK(item.contains(k));
  CHECK(d.api("GET", "/api/devices?status=approved").json()["total"] == 0);
  CHECK(d.api("GET", "/api/devices?status=pending&limit=1&offset=0").json()["total"] == 1);
  CHECK(d.api("GET", "/api/devices?status=bogus").status == 400);
  CHECK(d.api("GET", "/api/devices?limit=0").status == 400);
  auto v1 = d.api("GET", "/api/v1/devices/list");
  REQUIRE(v1.status == 200);
  CHECK(v1.json()["devices"][0]["id"] == id);

  auto got = d.api("GET", "/api/devices/" + id);
  REQUIRE(got.status == 200);
  CHECK(got.json()["hostname"] == "web1");
  CHECK(got.json()["health"].is_null());
  CHECK(got.json()["groups"] == json::array());
  CHECK(got.json()["recent_executions"] == json::array());
  CHECK(got.json()["tools"] == json::array());
  CHECK(d.api("GET", "/api/devices/device_nosuch").status == 404);

  auto caps = d.api("GET", "/api/devices/" + id + "/capabilities");
  REQUIRE(caps.status == 200);
  CHECK(caps.json()["device_id"] == id);
  CHECK(caps.json()["capabilities"] == json::array());
  auto health = d.api("GET", "/api/devices/" + id + "/health");
  REQUIRE(health.status == 200);
  CHECK(health.json()["device_id"] == id);
  CHECK(health.json()["timestamp"].is_null());
  CHECK(d.api("GET", "/api/devices/device_nosuch/health").status == 404);

  // PATCH: name and metadata; bad bodies change nothing.
  auto patched = d.api("PATCH", "/api/devices/" + id, {{"name", "web one"}, {"metadata", {{"rack", "b2"}}}});
  REQUIRE(patched.status == 200);
  CHECK(patched.json()["name"] == "web one");
  CHECK(patched.json()["metadata"] == json{{"rack", "b2"}});
  for (const std::string& bad : {std::string("{not json"), std::string("[]"), std::string("{}"), std::string(R"({"name":5})"),
                                 std::string(R"({"name":""})"), std::string(R"({"metadata":[1]})"),
                                 std::string(R"({"name":"x","colour":"red"})")}) {
    INFO(bad);
    auto r = raw(d, "PATCH", "/api/devices/" + id, bad);
    CHECK(r.status == 400);
    CHECK_FALSE(error_code(r).empty());
  }
  CHECK(d.api("GET", "/api/devices/" + id).json()["name"] == "web one");
  CHECK(d.api("PATCH", "/api/devices/device_nosuch", {{"name", "x"}}).status == 404);
  // An unknown field gets the same answer as on every other route: invalid_field, named.
  auto unknown = raw(d, "PATCH", "/api/devices/" + id, R"({"name":"x","colour":"red"})");
  CHECK(error_code(unknown) == "invalid_field");
  CHECK(unknown.json()["error"]["field"] == "colour");
  CHECK(unknown.json()["error"]["message"] == "colour: is not a known field");

  // approve / block / revoke-token.
  auto approved = d.api("POST", "/api/devices/" + id + "/approve");
  REQUIRE(approved.status == 200);
  CHECK(approved.json()["status"] == "approved");
  CHECK(d.api("POST", "/api/devices/" + id + "/block").json()["status"] == "blocked");
  CHECK(d.api("POST", "/api/devices/" + id + "/approve").json()["status"] == "approved");
  CHECK(raw(d, "POST", "/api/devices/" + id + "/block", "{\"why\":1}").status == 400);
  CHECK(d.api("GET", "/api/devices/" + id).json()["status"] == "approved");
  auto revoked = d.api("POST", "/api/devices/" + id + "/revoke-token");
  REQUIRE(revoked.status == 200);
  CHECK(revoked.json()["status"] == "revoked");
  auto again = d.api("POST", "/api/devices/" + id + "/approve");
  CHECK(again.status == 409);
  CHECK(error_code(again) == "device_revoked");
  CHECK(d.api("POST", "/api/devices/" + id + "/block").status == 409);
  for (const char* action : {"approve", "block", "revoke-token"})
    CHECK(d.api("POST", std::string("/api/devices/device_nosuch/") + action).status == 404);

  // The audit log names the pairing and each change.
  auto audit = d.api("GET", "/api/audit?limit=200").json();
  std::string actions;
  for (const auto& e : audit["entries"]) actions += e.value("action", "") + " ";
  for (const char* a : {"device.pair_code", "device.paired", "device.approve", "device.block", "device.revoke"}) {
    INFO(actions);
    CHECK(actions.find(a) != std::string::npos);
  }

  auto deleted = d.api("DELETE", "/api/devices/" + id);
  CHECK(deleted.status == 204);
  CHECK(d.api("GET", "/api/devices/" + id).status == 404);
  CHECK(d.api("DELETE", "/api/devices/" + id).status == 404);
  CHECK(d.api("GET", "/api/devices").json()["total"] == 0);
}

TEST_CASE("devices: with device_auto_approve a claimed device starts approved", "[runtime][devices]") {
  Daemon d(DaemonOptions{.extra_args = {"--device-auto-approve", "true"}});
  auto r = claim(d, {{"code", new_code(d)}, {"name", "auto"}});
  REQUIRE(r.status == 201);
  CHECK(r.json()["status"] == "approved");
  CHECK(d.api("GET", "/api/devices?status=approved").json()["total"] == 1);
}

TEST_CASE("devices: bad claim bodies are 400, and too many claims get 429 with Retry-After", "[runtime][devices]") {
  Daemon d;
  std::string good = new_code(d);
  for (const std::string& bad : {std::string("{not json"), std::string("[1]"), std::string("{}"), std::string(R"({"code":847291})"),
                                 std::string(R"({"code":"847291","colour":"red"})"), std::string(R"({"code":"847291","name":7})")}) {
    INFO(bad);
    auto r = http(d.port(), "POST", "/api/devices/pair/claim", bad, {{"Content-Type", "application/json"}});
    CHECK(r.status == 400);
    CHECK(error_code(r) != "invalid_code");  // rejected as malformed before any code is tried
  }
  CHECK(d.api("GET", "/api/devices").json()["total"] == 0);

  // Malformed bodies were not counted: five wrong guesses pass to the code check...
  for (int i = 0; i < 5; ++i) CHECK(claim(d, {{"code", good == "000000" ? "000001" : "000000"}}).status == 400);
  // ...and the sixth is refused, even with the right code.
  auto limited = claim(d, {{"code", good}});
  REQUIRE(limited.status == 429);
  CHECK(error_code(limited) == "too_many_attempts");
  REQUIRE(limited.headers.count("Retry-After"));
  int wait = std::stoi(limited.headers["Retry-After"]);
  CHECK(wait >= 1);
  CHECK(wait <= 60);
  CHECK(d.api("GET", "/api/devices").json()["total"] == 0);
}

TEST_CASE("devices: groups, members and their bad input", "[runtime][devices]") {
  Daemon d;
  std::string a = pair(d, "alpha");
  std::string b = pair(d, "beta");

  auto made = d.api("POST", "/api/device-groups", {{"name", "Office Machines"}, {"description", "desks"}});
  REQUIRE(made.status == 201);
  std::string g = made.json()["id"];
  CHECK(made.json()["members"] == json::array());
  CHECK(d.api("POST", "/api/device-groups", {{"name", "Office Machines"}}).status == 409);
  for (const std::string& bad : {std::string("{oops"), std::string("{}"), std::string(R"({"name":""})"),
                                 std::string(R"({"name":"   "})"), "{\"name\":\"" + std::string(101, 'x') + "\"}",
                                 std::string(R"({"name":3})"), std::string(R"({"name":"n","description":4})"),
                                 std::string(R"({"name":"n","colour":"red"})")}) {
    INFO(bad);
    auto r = raw(d, "POST", "/api/device-groups", bad);
    CHECK(r.status == 400);
    CHECK_FALSE(error_code(r).empty());
  }
  CHECK(raw(d, "POST", "/api/device-groups", R"({"name":"n","colour":"red"})").json()["error"]["field"] == "colour");
  auto list = d.api("GET", "/api/device-groups");
  REQUIRE(list.status == 200);
  CHECK(list.json()["total"] == 1);
  CHECK(list.json()["groups"][0]["name"] == "Office Machines");

  auto added = d.api("POST", "/api/device-groups/" + g + "/members/" + a);
  REQUIRE(added.status == 200);
  CHECK(added.json()["members"] == json::array({{{"device_id", a}, {"name", "alpha"}, {"status", "pending"}, {"online", false}}}));
  CHECK(d.api("POST", "/api/device-groups/" + g + "/members/" + a).status == 200);  // idempotent
  CHECK(d.api("POST", "/api/device-groups/" + g + "/members/" + b).json()["members"].size() == 2);
  CHECK(d.api("POST", "/api/device-groups/" + g + "/members/device_nosuch").status == 404);
  CHECK(d.api("POST", "/api/device-groups/group_nosuch/members/" + a).status == 404);
  CHECK(d.api("GET", "/api/devices/" + a).json()["groups"] == json::array({g}));
  auto got = d.api("GET", "/api/device-groups/" + g);
  REQUIRE(got.status == 200);
  CHECK(got.json()["member_count"] == 2);

  auto removed = d.api("DELETE", "/api/device-groups/" + g + "/members/" + a);
  REQUIRE(removed.status == 200);
  CHECK(removed.json()["members"].size() == 1);
  CHECK(d.api("DELETE", "/api/device-groups/" + g + "/members/" + a).status == 404);

  // Deleting a device takes it out of its groups.
  CHECK(d.api("DELETE", "/api/devices/" + b).status == 204);
  CHECK(d.api("GET", "/api/device-groups/" + g).json()["members"] == json::array());

  CHECK(d.api("DELETE", "/api/device-groups/" + g).status == 204);
  CHECK(d.api("GET", "/api/device-groups/" + g).status == 404);
  CHECK(d.api("DELETE", "/api/device-groups/" + g).status == 404);
}

TEST_CASE("devices: routing preferences, decisions and explain", "[runtime][devices]") {
  Daemon d;
  std::string dev = pair(d, "gpu1");

  // /api/devices/routing is the routing table, not a device called "routing".
  auto table = d.api("GET", "/api/devices/routing");
  REQUIRE(table.status == 200);
  CHECK(table.json()["preferences"] == json::array());
  CHECK(table.json()["tools"]["bash"]["target"] == "local");

  CHECK(d.api("GET", "/api/devices/routing/explain").status == 400);
  auto explain = d.api("GET", "/api/devices/routing/explain?tool=bash");
  REQUIRE(explain.status == 200);
  CHECK(explain.json()["tool"] == "bash");
  CHECK(explain.json()["target"] == "local");
  CHECK(explain.json()["considered"].size() >= 2);
  CHECK(d.api("GET", "/api/devices/routing/explain?tool=gpu_render").json()["target"].is_null());

  // The device has not said it has any tool yet (no hello): refused, with the reason.
  auto incapable = d.api("PUT", "/api/devices/routing/preferences/bash", {{"device_id", dev}});
  CHECK(incapable.status == 400);
  CHECK(error_code(incapable) == "tool_not_on_device");
  CHECK(json::parse(incapable.body)["error"]["message"].get<std::string>().find("capabilities") != std::string::npos);
  CHECK(d.api("PUT", "/api/devices/routing/preferences/bash", {{"device_id", "device_nosuch"}}).status == 404);
  for (const std::string& bad : {std::string("{x"), std::string("{}"), std::string(R"({"device_id":1})"),
                                 "{\"device_id\":\"" + dev + "\",\"fallback\":\"elsewhere\"}",
                                 "{\"device_id\":\"" + dev + "\",\"colour\":\"red\"}"}) {
    INFO(bad);
    CHECK(raw(d, "PUT", "/api/devices/routing/preferences/bash", bad).status == 400);
  }
  auto unknown_pref = raw(d, "PUT", "/api/devices/routing/preferences/bash", "{\"device_id\":\"" + dev + "\",\"colour\":1}");
  CHECK(error_code(unknown_pref) == "invalid_field");
  CHECK(unknown_pref.json()["error"]["field"] == "colour");
  CHECK(d.api("GET", "/api/devices/routing").json()["preferences"] == json::array());

  // What a hello stores, written as the hub would (no agent in this test), straight into the
  // daemon's store: PostgreSQL through libpq, SQLite with the sqlite3 CLI (scripts/deps.sh
  // installs it; without it this test fails rather than skips).
  const std::string hello = "UPDATE devices SET capabilities_json = '[\"bash\",\"gpu_render\"]' WHERE id = '" + dev + "'";
  if (testing_postgres()) {
    query_database(database_url_for(d.data_dir()), hello);
  } else {
    // The SQL goes through a file: it holds both kinds of quote.
    const std::string sql_file = d.data_dir() + "/hello.sql";
    std::ofstream(sql_file) << ".timeout 10000\n" << hello << ";\n";
    std::string cmd = "sqlite3 '" + d.data_dir() + "/steward.db' < '" + sql_file + "' >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  auto set = d.api("PUT", "/api/devices/routing/preferences/gpu_render", {{"device_id", dev}, {"fallback", "none"}});
  INFO(set.body);
  REQUIRE(set.status == 200);
  CHECK(set.json()["device_id"] == dev);
  CHECK(set.json()["fallback"] == "none");
  CHECK(set.json()["updated_by"] == "admin");
  CHECK(set.json()["decision"]["target"].is_null());  // pending and offline
  auto set_bash = d.api("PUT", "/api/devices/routing/preferences/bash", {{"device_id", dev}});
  REQUIRE(set_bash.status == 200);
  CHECK(set_bash.json()["fallback"] == "local");  // the default

  table = d.api("GET", "/api/devices/routing");
  CHECK(table.json()["preferences"].size() == 2);
  CHECK(table.json()["tools"].contains("gpu_render"));  // known from the device's capabilities
  CHECK(table.json()["tools"]["bash"]["target"] == "local");
  auto why = d.api("GET", "/api/devices/routing/explain?tool=gpu_render").json();
  CHECK(why["target"].is_null());
  CHECK(why["considered"].dump().find("not approved") != std::string::npos);

  CHECK(d.api("DELETE", "/api/devices/routing/preferences/gpu_render").status == 204);
  CHECK(d.api("DELETE", "/api/devices/routing/preferences/gpu_render").status == 404);
  // Deleting the device drops its remaining preference.
  CHECK(d.api("DELETE", "/api/devices/" + dev).status == 204);
  CHECK(d.api("GET", "/api/devices/routing").json()["preferences"] == json::array());
}

TEST_CASE("devices: a view-only key reads devices but changes nothing", "[runtime][devices]") {
  Daemon d;
  std::string id = pair(d, "web1");
  std::string g = d.api("POST", "/api/device-groups", {{"name", "g"}}).json()["id"];
  std::string viewer = key(d, "view-only", "vera");

  CHECK(api(d.port(), viewer, "GET", "/api/devices").status == 200);
  CHECK(api(d.port(), viewer, "GET", "/api/devices/" + id).status == 200);
  CHECK(api(d.port(), viewer, "GET", "/api/v1/devices/list").status == 200);
  CHECK(api(d.port(), viewer, "GET", "/api/device-groups/" + g).status == 200);
  CHECK(api(d.port(), viewer, "GET", "/api/devices/routing").status == 200);
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/api/devices/pair"},
           {"PATCH", "/api/devices/" + id},
           {"DELETE", "/api/devices/" + id},
           {"POST", "/api/devices/" + id + "/approve"},
           {"POST", "/api/devices/" + id + "/revoke-token"},
           {"POST", "/api/device-groups"},
           {"POST", "/api/device-groups/" + g + "/members/" + id},
           {"DELETE", "/api/device-groups/" + g},
           {"PUT", "/api/devices/routing/preferences/bash"}}) {
    INFO(method << " " << path);
    auto r = api(d.port(), viewer, method, path, json{{"name", "x"}, {"device_id", id}});
    CHECK(r.status == 403);
    CHECK(error_code(r) == "forbidden");
  }
  CHECK(d.api("GET", "/api/devices/" + id).json()["status"] == "pending");
  CHECK(d.api("GET", "/api/devices/" + id).json()["name"] == "web1");
  // No key at all: 401, except the public claim.
  CHECK(http(d.port(), "GET", "/api/devices").status == 401);
}

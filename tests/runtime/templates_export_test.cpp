// Templates and export/import against a real daemon: list and apply the shipped library;
// export → import into a fresh daemon → export gives the same automations; an import with
// one bad element writes nothing.
#include <catch2/catch.hpp>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;

TEST_CASE("templates: the library is listed with parameters, and applying one creates an automation", "[runtime][templates]") {
  Daemon d;
  auto list = d.api("GET", "/api/automations/templates");
  REQUIRE(list.status == 200);
  REQUIRE(list.json().size() >= 12);
  json cleanup;
  for (const auto& t : list.json()) {
    for (const char* field : {"id", "name", "description", "icon", "type", "parameters"}) CHECK(t.contains(field));
    if (t["id"] == "log-cleanup") cleanup = t;
  }
  REQUIRE(cleanup.is_object());
  CHECK(cleanup["parameters"][0]["name"] == "directory");

  auto missing = d.api("POST", "/api/automations/templates/log-cleanup/apply", json::object());
  CHECK(missing.status == 400);
  CHECK(missing.json()["error"]["message"].get<std::string>().find("directory") != std::string::npos);

  auto applied = d.api("POST", "/api/automations/templates/log-cleanup/apply",
                       {{"values", {{"directory", "/tmp/steward-logs"}, {"days", 3}}}, {"name", "Clean my logs"}});
  REQUIRE(applied.status == 201);
  CHECK(applied.json()["status"] == "created");
  auto a = d.api("GET", "/api/automations/" + applied.json()["id"].get<std::string>()).json();
  CHECK(a["name"] == "Clean my logs");
  CHECK(a["type"] == "script");
  CHECK(a["schedule"] == "30 4 * * *");
  CHECK(a["params"]["command"].get<std::string>().find("-mtime +3") != std::string::npos);

  CHECK(d.api("POST", "/api/automations/templates/nope/apply", json::object()).status == 404);
  auto wrong_type = d.api("POST", "/api/automations/templates/log-cleanup/apply", {{"values", {{"directory", 5}}}});
  CHECK(wrong_type.status == 400);
  CHECK(wrong_type.json()["error"]["field"] == "values.directory");
  auto bad_schedule = d.api("POST", "/api/automations/templates/log-cleanup/apply",
                            {{"values", {{"directory", "/x"}, {"schedule", "not cron"}}}});
  CHECK(bad_schedule.status == 400);
  CHECK(bad_schedule.json()["error"]["field"] == "schedule");
}

TEST_CASE("export and import: a round trip into a fresh daemon gives the same automations", "[runtime][export]") {
  Daemon a;
  a.api("POST", "/api/automations", {{"name", "plain"}, {"type", "script"}, {"params", {{"command", "echo 1"}}}});
  a.api("POST", "/api/automations", {{"name", "scheduled"}, {"type", "script"}, {"params", {{"command", "echo 2"}}},
                                     {"schedule", "0 3 * * *"}, {"timezone", "Europe/Paris"}, {"tags", {"x"}},
                                     {"approval", {{"required", true}, {"min_approvals", 1}}}});
  auto hooked = a.api("POST", "/api/automations", {{"name", "hooked"}, {"type", "script"}, {"params", {{"command", "echo 3"}}},
                                                   {"webhook", {{"secret", "sixteen-chars-secret"}, {"require_signature", true}}}});
  std::string old_token = hooked.json()["webhook_token"];
  auto exported = a.api("GET", "/api/automations/export");
  REQUIRE(exported.status == 200);
  REQUIRE(exported.json().size() == 3);
  CHECK(exported.body.find("sixteen-chars-secret") == std::string::npos);  // secrets stay behind
  CHECK(exported.body.find(old_token) == std::string::npos);

  Daemon b;
  auto imported = b.api("POST", "/api/automations/import", exported.json());
  REQUIRE(imported.status == 200);
  CHECK(imported.json()["imported"] == 3);
  REQUIRE(imported.json()["webhooks"].size() == 1);
  std::string new_token = imported.json()["webhooks"][0]["webhook_token"];
  CHECK(new_token != old_token);

  auto again = b.api("GET", "/api/automations/export").json();
  auto strip_ids = [](json list) {
    for (auto& x : list) x.erase("id");
    return list;
  };
  CHECK(strip_ids(again) == strip_ids(exported.json()));
  for (size_t i = 0; i < again.size(); ++i) CHECK(again[i]["id"] != exported.json()[i]["id"]);

  // The signed webhook came back closed: it requires a signature and has no secret yet.
  auto call = http(b.port(), "POST", "/api/automations/webhook/" + new_token, "{}", {{"Content-Type", "application/json"}});
  CHECK(call.status == 401);
}

TEST_CASE("import: one bad element and nothing is written, and non-arrays are refused", "[runtime][export]") {
  Daemon d;
  json list = json::array({{{"name", "good"}, {"type", "script"}, {"params", {{"command", "true"}}}},
                           {{"name", "bad"}, {"type", "script"}, {"params", {{"command", "true"}}}, {"schedule", "99 * * * *"}}});
  auto r = d.api("POST", "/api/automations/import", list);
  CHECK(r.status == 400);
  CHECK(r.json()["error"]["field"] == "[1].schedule");
  CHECK(d.api("GET", "/api/automations").json().empty());

  CHECK(d.api("POST", "/api/automations/import", {{"name", "not an array"}}).status == 400);
  CHECK(d.api("POST", "/api/automations/import", json::array({42})).status == 400);
  auto empty = d.api("POST", "/api/automations/import", json::array());
  CHECK(empty.status == 200);
  CHECK(empty.json()["imported"] == 0);
}

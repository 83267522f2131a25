// The README walk-through against a real daemon: create a script automation, run it, read it.
#include <catch2/catch.hpp>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;

TEST_CASE("walk-through: create, run, read status and output", "[runtime][walkthrough]") {
  Daemon d;
  REQUIRE(!d.admin_key().empty());

  auto created = d.api("POST", "/api/automations",
                       {{"name", "Disk report"}, {"type", "script"}, {"params", {{"command", "echo hello; echo oops >&2"}}}});
  REQUIRE(created.status == 201);
  REQUIRE(created.json()["status"] == "created");
  std::string id = created.json()["id"];
  REQUIRE(id.rfind("auto_", 0) == 0);

  auto started = d.api("POST", "/api/automations/" + id + "/run");
  REQUIRE(started.status == 200);
  std::string run_id = started.json()["run_id"];
  REQUIRE(run_id.rfind("run_", 0) == 0);
  REQUIRE(started.json()["status"] == "running");

  json run = d.wait_for_run(run_id);
  CHECK(run["status"] == "done");
  CHECK(run["run_id"] == run_id);
  CHECK(run["automation_id"] == id);
  CHECK(run["output"].get<std::string>().find("hello\n") != std::string::npos);
  CHECK(run["output"].get<std::string>().find("oops\n") != std::string::npos);
  CHECK(run["exit_code"] == 0);
  CHECK(run["started"].is_number_integer());
  CHECK(run["finished"].get<long>() >= run["started"].get<long>());

  // The list shows the seed's fields, with last_run / last_status filled in.
  auto list = d.api("GET", "/api/automations").json();
  REQUIRE(list.size() == 1);
  CHECK(list[0]["id"] == id);
  CHECK(list[0]["last_status"] == "done");
  CHECK(list[0]["last_run"].is_number_integer());
}

// service_control through the real daemon: --plugin-config points the tool at a real
// supervisord, and an automation of type service_control restarts a real program.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/daemon.hpp"
#include "tests/support/supervisord/supervisord_fixture.hpp"
#include "tests/support/temp_dir.hpp"

using namespace steward::test;
using nlohmann::json;

namespace {

std::string write_plugin_config(const TempDir& dir, const json& config) {
  auto path = dir.path() / "plugins.json";
  std::ofstream(path) << config.dump();
  return path.string();
}

json finished(const Daemon& d, json run) {
  if (run["status"] == "queued" || run["status"] == "running") run = d.wait_for_run(run["run_id"]);
  return run;
}

}  // namespace

TEST_CASE("service_control runtime: an automation restarts a supervisord program", "[runtime][service_control]") {
  TempDir dir;
  Supervisord sv(dir.path(), supervisor_program("web", "/bin/sleep 1000", "") + "\n");
  const json config = {{"service_control", {{"supervisor_config", sv.config().string()}, {"allowed_services", json::array({"web"})}}}};
  Daemon d(DaemonOptions{"", {"--plugin-config", write_plugin_config(dir, config)}, {}});

  // Start it with a one-off tool run, and read its pid.
  json started = finished(d, d.api("POST", "/api/v1/run", {{"tool", "service_control"}, {"args", {{"service", "web"}, {"action", "start"}}}}).json());
  REQUIRE(started["status"] == "done");
  json status = finished(d, d.api("POST", "/api/v1/run", {{"tool", "service_control"}, {"args", {{"service", "web"}, {"action", "status"}}}}).json());
  REQUIRE(status["status"] == "done");
  json before = status["steps"][0]["result"];
  CHECK(before["state"] == "running");
  CHECK(before["backend"] == "supervisord");
  REQUIRE(before["pid"].is_number_integer());

  auto created = d.api("POST", "/api/automations",
                       {{"name", "restart web"}, {"type", "service_control"}, {"params", {{"service", "web"}, {"action", "restart"}}}});
  REQUIRE(created.status == 201);
  std::string id = created.json()["id"];
  auto ran = d.api("POST", "/api/automations/" + id + "/run");
  REQUIRE(ran.status == 200);
  json run = d.wait_for_run(ran.json()["run_id"]);
  REQUIRE(run["status"] == "done");
  REQUIRE(run["steps"].size() == 1);
  CHECK(run["steps"][0]["tool"] == "service_control");
  CHECK(run["steps"][0]["name"] == "restart web");
  json after = run["steps"][0]["result"];
  CHECK(after["service"] == "web");
  CHECK(after["action"] == "restart");
  CHECK(after["ok"] == true);
  CHECK(after["state"] == "running");
  REQUIRE(after["pid"].is_number_integer());
  CHECK(after["pid"] != before["pid"]);
  CHECK(::kill(after["pid"].get<pid_t>(), 0) == 0);
  CHECK(run["output"].get<std::string>().find("web: started") != std::string::npos);

  // The allow-list from the plugin config applies to runs through the API.
  json other = finished(d, d.api("POST", "/api/v1/run", {{"tool", "service_control"}, {"args", {{"service", "db"}, {"action", "stop"}}}}).json());
  CHECK(other["status"] == "failed");
  CHECK(other["reason"] == "service 'db' is not in the service_control plugin's allowed_services");
}

TEST_CASE("service_control runtime: bad automation params are refused when saved", "[runtime][service_control]") {
  Daemon d;
  auto bad_action = d.api("POST", "/api/automations",
                          {{"name", "x"}, {"type", "service_control"}, {"params", {{"service", "nginx"}, {"action", "explode"}}}});
  CHECK(bad_action.status == 400);
  CHECK(bad_action.json()["error"]["message"].get<std::string>().find("params.action") != std::string::npos);

  auto bad_name = d.api("POST", "/api/automations",
                        {{"name", "x"}, {"type", "service_control"}, {"params", {{"service", "nginx; rm -rf /"}, {"action", "restart"}}}});
  CHECK(bad_name.status == 400);
  CHECK(bad_name.json()["error"]["message"].get<std::string>().find("is not a valid service name") != std::string::npos);
}

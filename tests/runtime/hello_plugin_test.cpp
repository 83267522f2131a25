// The out-of-tree example plugin (docs/examples/hello-plugin), built against the installed
// SDK by the CTest fixtures in tests/sdk_fixtures.cmake, loaded and run by a real daemon.
// Run through `ctest -R hello_plugin_in_daemon`, which builds it first.
#include <signal.h>

#include <steward/plugin.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "sdk/include/steward/plugin.h"  // the host's ABI version
#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;

TEST_CASE("sdk: the example plugin built against the installed SDK runs in a daemon", "[runtime][sdk]") {
  const std::string dir = std::string(STEWARD_BUILD_DIR) + "/hello-plugin-build";
  const std::string file = dir + "/hello.so";
  INFO("the hello_plugin_build CTest fixture builds " << file);
  REQUIRE(std::filesystem::exists(file));

  Daemon d(DaemonOptions{"", {"--plugin-dir", dir}, {}});

  auto listed = d.api("GET", "/api/plugins");
  REQUIRE(listed.status == 200);
  const json plugins = listed.json()["plugins"];
  json hello;
  for (const auto& p : plugins)
    if (p["file"] == file) hello = p;
  REQUIRE(hello.is_object());
  INFO(hello.dump(2));
  CHECK(hello["status"] == "loaded");
  CHECK(hello["name"] == "hello");
  CHECK(hello["kind"] == "tool");
  CHECK(hello["version"] == "1.0.0");
  CHECK(hello["abi"] == std::to_string(STEWARD_ABI_MAJOR) + "." + std::to_string(STEWARD_ABI_MINOR));
  CHECK(hello["args_schema"]["properties"]["name"]["default"] == "world");

  auto created = d.api("POST", "/api/automations",
                       {{"name", "Greet"},
                        {"type", "sequence"},
                        {"params", {{"steps", json::array({{{"tool", "hello"}, {"args", {{"name", "Steward"}}}}})}}}});
  REQUIRE(created.status == 201);
  std::string id = created.json()["id"];

  auto ran = d.api("POST", "/api/automations/" + id + "/run?wait=1");
  REQUIRE(ran.status == 200);
  json run = ran.json();
  if (run["status"] == "running") run = d.wait_for_run(run["run_id"]);
  CHECK(run["status"] == "done");
  CHECK(run["output"] == "Hello, Steward!\n");
  CHECK(run["exit_code"] == 0);

  // The schema is enforced by the host: a wrong type never reaches the plugin.
  auto bad = d.api("POST", "/api/automations",
                   {{"name", "Bad greet"},
                    {"type", "sequence"},
                    {"params", {{"steps", json::array({{{"tool", "hello"}, {"args", {{"name", 42}}}}})}}}});
  CHECK(bad.status == 400);

  CHECK(d.stop(SIGTERM) == 0);
}

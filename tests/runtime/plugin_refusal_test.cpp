// A real daemon next to broken plugins: it refuses them, lists them with the reason
// (GET /api/plugins, `steward plugins list`) and keeps serving; an exception thrown by a
// tool fails only that run.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "sdk/include/steward/plugin.h"  // the host's ABI version
#include "tests/support/daemon.hpp"

using namespace steward::test;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

std::string case_dir(const std::string& name) {
  return (std::filesystem::path(STEWARD_TEST_PLUGIN_DIR) / name).string();
}

struct BrokenCase {
  std::string dir;     // under test-plugins/
  std::string file;    // the refused file in it
  std::string reason;  // a part of the refusal reason
};

// The entry of GET /api/plugins (or `plugins list --json`) for `file`, or null.
json entry_for(const json& plugins, const std::string& file) {
  for (const auto& p : plugins)
    if (p["file"] == file) return p;
  return nullptr;
}

// Creates a script automation and runs it to the end (?wait=1): the README walk-through.
void check_walkthrough(const Daemon& d) {
  auto created = d.api("POST", "/api/automations",
                       {{"name", "still works"}, {"type", "script"}, {"params", {{"command", "echo still serving"}}}});
  REQUIRE(created.status == 201);
  std::string id = created.json()["id"];
  auto ran = d.api("POST", "/api/automations/" + id + "/run?wait=1");
  REQUIRE(ran.status == 200);
  json run = ran.json();
  if (run["status"] == "running") run = d.wait_for_run(run["run_id"]);
  CHECK(run["status"] == "done");
  CHECK_THAT(run["output"].get<std::string>(), Contains("still serving\n"));
}

}  // namespace

TEST_CASE("plugin refusal: a daemon refuses a broken plugin, lists it with the reason and keeps serving",
          "[runtime][plugins]") {
  const std::string host_abi = std::to_string(STEWARD_ABI_MAJOR) + "." + std::to_string(STEWARD_ABI_MINOR);
  BrokenCase c = GENERATE_COPY(values<BrokenCase>({
      {"abi_major", "future_major.so", "needs plugin ABI 2.0 but this host provides " + host_abi},
      {"garbage", "garbage.so", "cannot be loaded"},
      {"undefined_symbol", "undefined_symbol.so", "steward_test_symbol_nobody_defines"},
  }));
  INFO("case " << c.dir);
  const std::string dir = case_dir(c.dir);
  const std::string file = (std::filesystem::path(dir) / c.file).string();

  Daemon d(DaemonOptions{"", {"--plugin-dir", dir}, {}});
  CHECK(http(d.port(), "GET", "/health").status == 200);

  auto listed = d.api("GET", "/api/plugins");
  REQUIRE(listed.status == 200);
  json plugins = listed.json()["plugins"];
  json refused = entry_for(plugins, file);
  REQUIRE(refused.is_object());
  CHECK(refused["status"] == "refused");
  REQUIRE(refused["error"].is_string());
  CHECK_THAT(refused["error"].get<std::string>(), Contains(c.reason));
  // The in-tree plugins from the default directory are loaded all the same.
  for (const char* name : {"bash", "script", "sequence"}) {
    INFO("plugin " << name);
    bool loaded = false;
    for (const auto& p : plugins) loaded = loaded || (p["name"] == name && p["status"] == "loaded");
    CHECK(loaded);
  }

  check_walkthrough(d);
  CHECK(http(d.port(), "GET", "/health").status == 200);
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("plugin refusal: `steward plugins list` shows refused plugins and why", "[runtime][plugins]") {
  SECTION("table") {
    auto r = run_steward({"plugins", "list", "--plugin-dir", case_dir("abi_major")});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    const std::string file = case_dir("abi_major") + "/future_major.so";
    CHECK_THAT(r.out, Contains("future_major"));
    CHECK_THAT(r.out, Contains("refused"));
    CHECK_THAT(r.out, Contains(file));
    CHECK_THAT(r.out, Contains("error: plugin 'future_major' 9.9.9 needs plugin ABI 2.0 but this host provides"));
    CHECK_THAT(r.out, Contains("loaded"));  // bash & co. from the default directory
  }
  SECTION("table, for a file that is not a library") {
    auto r = run_steward({"plugins", "list", "--plugin-dir", case_dir("garbage")});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Contains(case_dir("garbage") + "/garbage.so"));
    CHECK_THAT(r.out, Contains("error: cannot be loaded: "));
  }
  SECTION("--json, for a duplicate name") {
    auto r = run_steward({"plugins", "list", "--json", "--plugin-dir", case_dir("duplicate")});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    json list = json::parse(r.out);
    json first = entry_for(list, case_dir("duplicate") + "/twin_a.so");
    json second = entry_for(list, case_dir("duplicate") + "/twin_b.so");
    REQUIRE(first.is_object());
    REQUIRE(second.is_object());
    CHECK(first["status"] == "loaded");
    CHECK(first["error"].is_null());
    CHECK(second["status"] == "refused");
    const std::string first_file = case_dir("duplicate") + "/twin_a.so";
    CHECK_THAT(second["error"].get<std::string>(), Contains("already loaded from " + first_file));
  }
}

TEST_CASE("plugin refusal: a tool that throws fails its run with the message and the daemon stays up",
          "[runtime][plugins]") {
  Daemon d(DaemonOptions{"", {"--plugin-dir", case_dir("throwing")}, {}});

  auto created = d.api("POST", "/api/automations",
                       {{"name", "thrower"},
                        {"type", "sequence"},
                        {"params", {{"steps", json::array({{{"tool", "thrower"}, {"args", json::object()}}})}}}});
  REQUIRE(created.status == 201);
  std::string id = created.json()["id"];

  for (int attempt = 0; attempt < 2; ++attempt) {  // the tool stays usable after throwing
    auto ran = d.api("POST", "/api/automations/" + id + "/run?wait=1");
    REQUIRE(ran.status == 200);
    json run = ran.json();
    if (run["status"] == "running") run = d.wait_for_run(run["run_id"]);
    CHECK(run["status"] == "failed");
    CHECK(run["reason"] == "thrower: the disk is on fire");
    CHECK(run["output"] == "about to throw\n");
    REQUIRE(run["steps"].size() == 1);
    CHECK(run["steps"][0]["status"] == "failed");
    CHECK(run["steps"][0]["error"] == "thrower: the disk is on fire");
  }

  // An automation type that throws from plan() makes creation fail with its message.
  auto bad = d.api("POST", "/api/automations", {{"name", "bad plan"}, {"type", "throwing_planner"}});
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body, Contains("planner: cannot plan today"));

  REQUIRE(d.running());
  CHECK(http(d.port(), "GET", "/health").status == 200);
  check_walkthrough(d);
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("plugin refusal: a tool may share its name with an automation type in a daemon", "[runtime][plugins]") {
  Daemon d(DaemonOptions{"", {"--plugin-dir", case_dir("same_name")}, {}});
  auto created = d.api("POST", "/api/automations", {{"name", "mirror"}, {"type", "mirror"}});
  REQUIRE(created.status == 201);
  std::string id = created.json()["id"];
  auto ran = d.api("POST", "/api/automations/" + id + "/run?wait=1");
  REQUIRE(ran.status == 200);
  json run = ran.json();
  if (run["status"] == "running") run = d.wait_for_run(run["run_id"]);
  CHECK(run["status"] == "done");
  CHECK(run["output"] == "mirror tool\n");
}

TEST_CASE("plugins: the default plugin directory named again with --plugin-dir loads once", "[runtime][plugins]") {
  auto r = run_steward({"plugins", "list", "--plugin-dir", STEWARD_PLUGIN_BUILD_DIR});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("bash") != std::string::npos);
  CHECK(r.out.find("refused") == std::string::npos);
  CHECK(r.err.find("already loaded") == std::string::npos);
}

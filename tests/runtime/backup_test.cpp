// The backup automation type and tool in a real daemon: an automation run writes an
// archive with its manifest, and a one-off /api/v1/run verify of it passes.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("backup: an automation of type backup writes an archive that verifies", "[runtime][backup]") {
  TempDir t;
  fs::create_directories(t.path() / "src/sub");
  std::ofstream(t.path() / "src/a.txt") << "alpha\n";
  std::ofstream(t.path() / "src/sub/b.txt") << "beta\n";
  const std::string dest = (t.path() / "backups").string();

  Daemon d;
  auto created = d.api("POST", "/api/automations",
                       {{"name", "nightly"},
                        {"type", "backup"},
                        {"params", {{"name", "nightly"}, {"sources", {(t.path() / "src").string()}}, {"destination", dest}, {"keep_last", 2}}}});
  INFO(created.body);
  REQUIRE(created.status == 201);
  const std::string id = created.json()["id"];

  auto ran = d.api("POST", "/api/automations/" + id + "/run?wait=1");
  REQUIRE(ran.status == 200);
  json run = ran.json();
  if (run["status"] == "running" || run["status"] == "queued") run = d.wait_for_run(run["run_id"]);
  INFO(run.dump(2));
  REQUIRE(run["status"] == "done");
  CHECK(run["output"].get<std::string>().find("backup: wrote " + dest + "/nightly-") != std::string::npos);
  const json result = run["steps"][0]["result"];
  const std::string archive = result["archive"];
  CHECK(fs::exists(archive));
  CHECK(fs::exists(archive + ".manifest.json"));
  CHECK(result["files"] == 2);
  CHECK(result["bytes"] == 11);

  auto verified = d.api("POST", "/api/v1/run", {{"tool", "backup"}, {"args", {{"operation", "verify"}, {"archive", archive}}}});
  REQUIRE(verified.status == 200);
  json v = verified.json();
  INFO(v.dump(2));
  CHECK(v["status"] == "done");
  CHECK(v["steps"][0]["result"]["ok"] == true);
  CHECK(v["output"].get<std::string>().find("verify: ok, 2 files") != std::string::npos);

  // The host rejects bad params of the type before anything runs.
  auto bad = d.api("POST", "/api/automations", {{"name", "b"}, {"type", "backup"}, {"params", {{"name", "x"}}}});
  CHECK(bad.status == 400);

  CHECK(d.stop(SIGTERM) == 0);
}

// The filesystem tool in a real daemon, configured through --plugin-config: a write then a
// read through POST /api/v1/run, an escape attempt that fails naming the path, and a
// `file` automation that plans and runs one filesystem step.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/daemon.hpp"
#include "tests/support/temp_dir.hpp"

using namespace steward::test;
using Catch::Matchers::Contains;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("filesystem in the daemon: write then read inside the root, and an escape fails naming the path",
          "[runtime][filesystem]") {
  TempDir tmp;
  const fs::path root = tmp.path() / "root";
  fs::create_directories(root);
  fs::create_directories(tmp.path() / "outside");
  const std::string config_file = (tmp.path() / "plugins.json").string();
  {
    std::ofstream out(config_file);
    out << json{{"filesystem", {{"allowed_roots", {root.string()}}}}}.dump();
  }
  Daemon d(DaemonOptions{"", {"--plugin-config", config_file}, {}});

  const std::string file = (root / "notes" / "today.txt").string();
  auto w = d.api("POST", "/api/v1/run",
                 {{"tool", "filesystem"},
                  {"args", {{"operation", "write"}, {"path", file}, {"content", "buy milk\n"}, {"create_parents", true}, {"mode", "0640"}}}});
  REQUIRE(w.status == 200);
  json wrun = w.json();
  INFO(wrun.dump(2));
  CHECK(wrun["status"] == "done");
  CHECK(wrun["output"] == "wrote 9 bytes to " + file + "\n");
  CHECK(slurp(file) == "buy milk\n");

  auto r = d.api("POST", "/api/v1/run",
                 {{"tool", "filesystem"}, {"args", {{"operation", "read"}, {"path", "notes/today.txt"}}}});
  REQUIRE(r.status == 200);
  json rrun = r.json();
  INFO(rrun.dump(2));
  CHECK(rrun["status"] == "done");
  REQUIRE(rrun["steps"].size() == 1);
  CHECK(rrun["steps"][0]["result"]["content"] == "buy milk\n");
  CHECK(rrun["steps"][0]["result"]["path"] == file);
  CHECK(rrun["steps"][0]["result"]["eof"] == true);

  const std::string escape = (tmp.path() / "outside" / "x.txt").string();
  auto e = d.api("POST", "/api/v1/run",
                 {{"tool", "filesystem"}, {"args", {{"operation", "write"}, {"path", escape}, {"content", "no"}}}});
  REQUIRE(e.status == 200);
  json erun = e.json();
  INFO(erun.dump(2));
  CHECK(erun["status"] == "failed");
  CHECK_THAT(erun["reason"].get<std::string>(), Contains(escape) && Contains("outside the allowed roots"));
  CHECK_FALSE(fs::exists(escape));

  auto dots = d.api("POST", "/api/v1/run",
                    {{"tool", "filesystem"}, {"args", {{"operation", "read"}, {"path", "../outside/x.txt"}}}});
  REQUIRE(dots.status == 200);
  CHECK(dots.json()["status"] == "failed");
  CHECK_THAT(dots.json()["reason"].get<std::string>(), Contains("../outside/x.txt") && Contains("'..'"));

  // A `file` automation: bad params are refused when saved, good ones run one step.
  auto bad = d.api("POST", "/api/automations",
                   {{"name", "bad"}, {"type", "file"}, {"params", {{"operation", "move"}, {"path", "a"}}}});
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body, Contains("destination"));
  auto created = d.api("POST", "/api/automations",
                       {{"name", "sum"}, {"type", "file"}, {"params", {{"operation", "checksum"}, {"path", file}}}});
  REQUIRE(created.status == 201);
  auto ran = d.api("POST", "/api/automations/" + created.json()["id"].get<std::string>() + "/run?wait=1");
  REQUIRE(ran.status == 200);
  json run = ran.json();
  if (run["status"] == "running") run = d.wait_for_run(run["run_id"]);
  INFO(run.dump(2));
  CHECK(run["status"] == "done");
  CHECK(run["output"] == "409baa381eaebfc8c71676ecb0eed6659ea7510b4b42f101b152c7f0696150c5  " + file + "\n");
  REQUIRE(run["steps"].size() == 1);
  CHECK(run["steps"][0]["result"]["size"] == 9);

  CHECK(d.stop(SIGTERM) == 0);
}

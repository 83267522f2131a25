// `steward agent pair|run` as an operator runs them, without a daemon: usage errors,
// an unreachable daemon and a missing agent config.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/support/daemon.hpp"

using namespace steward::test;

TEST_CASE("agent pair: missing or bad options are usage errors, exit 2", "[runtime][agent]") {
  TempDir dir;
  const std::string config = (dir.path() / "agent.json").string();

  auto no_host = run_steward({"agent", "pair", "--code", "123456", "--config", config});
  CHECK(no_host.exit_code == 2);
  CHECK_THAT(no_host.err, Catch::Contains("--host"));

  auto no_code = run_steward({"agent", "pair", "--host", "127.0.0.1", "--config", config});
  CHECK(no_code.exit_code == 2);
  CHECK_THAT(no_code.err, Catch::Contains("--code"));

  auto bad_code = run_steward({"agent", "pair", "--host", "127.0.0.1", "--code", "12ab56", "--config", config});
  CHECK(bad_code.exit_code == 2);
  CHECK_THAT(bad_code.err, Catch::Contains("6-digit"));

  auto bad_port =
      run_steward({"agent", "pair", "--host", "127.0.0.1", "--port", "99999", "--code", "123456", "--config", config});
  CHECK(bad_port.exit_code == 2);

  auto extra = run_steward({"agent", "pair", "surplus", "--host", "h", "--code", "123456", "--config", config});
  CHECK(extra.exit_code == 2);

  CHECK(run_steward({"agent"}).exit_code == 2);
  auto unknown = run_steward({"agent", "frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("frobnicate"));
  CHECK_FALSE(std::filesystem::exists(config));
}

TEST_CASE("agent pair: an unreachable daemon fails with exit 1 and says where it tried", "[runtime][agent]") {
  TempDir dir;
  const std::string config = (dir.path() / "agent.json").string();
  const std::string port = std::to_string(closed_loopback_port());
  auto r = run_steward({"agent", "pair", "--host", "127.0.0.1", "--port", port, "--code", "123456", "--config", config});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("cannot reach the daemon at 127.0.0.1:" + port));
  CHECK_FALSE(std::filesystem::exists(config));  // nothing written when pairing failed
}

TEST_CASE("agent run: a missing agent config is exit 2 with a message naming it", "[runtime][agent]") {
  TempDir dir;
  const std::string config = (dir.path() / "nope.json").string();
  auto r = run_steward({"agent", "run", "--config", config});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(config) && Catch::Contains("steward agent pair"));

  // Without --config the default is under $HOME.
  auto home = run_steward({"agent", "run"}, {{"HOME", dir.str()}});
  CHECK(home.exit_code == 2);
  CHECK_THAT(home.err, Catch::Contains(".config/steward/agent.json"));
}

TEST_CASE("agent run: an agent config that is not JSON is exit 2", "[runtime][agent]") {
  TempDir dir;
  const std::string config = (dir.path() / "agent.json").string();
  { std::ofstream(config) << "host = x\n"; }
  auto r = run_steward({"agent", "run", "--config", config});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("not a JSON object"));
}

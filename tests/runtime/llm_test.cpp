// The llm tool in the real daemon: prompts through POST /api/v1/run reach a real
// OpenAI-compatible HTTP server (tests/support/fake_openai.py, spawned here).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/daemon.hpp"
#include "tests/support/fake_openai_process.hpp"

extern char** environ;

using namespace steward::test;
using nlohmann::json;

namespace {

const std::string kKey = "sk-runtime-SECRET-2024";


}  // namespace

TEST_CASE("llm in the daemon: a prompt is answered through the configured endpoint", "[runtime][llm]") {
  FakeOpenAI server({"--key", kKey});
  TempDir dir;
  const std::string config = dir.str() + "/plugins.json";
  std::ofstream(config) << json{{"llm", {{"base_url", server.base_url()}, {"api_key", kKey}}}}.dump();
  Daemon d(DaemonOptions{.extra_args = {"--plugin-config", config}});

  auto ran = d.api("POST", "/api/v1/run", {{"prompt", "echo:hello"}});
  REQUIRE(ran.status == 200);
  json run = ran.json();
  INFO(run.dump(2));
  CHECK(run["status"] == "done");
  CHECK(run["output"] == "hello");

  // A server failure is a failed run whose error carries the server's message.
  auto failed = d.api("POST", "/api/v1/run", {{"prompt", "error500"}});
  REQUIRE(failed.status == 200);
  json frun = failed.json();
  INFO(frun.dump(2));
  CHECK(frun["status"] == "failed");
  CHECK(frun.dump().find("the fake model crashed") != std::string::npos);

  // The tool call form works as well, with the tool's own args.
  auto tool = d.api("POST", "/api/v1/run",
                    {{"tool", "llm"}, {"args", {{"prompt", "echo:not streamed"}, {"stream", false}}}});
  REQUIRE(tool.status == 200);
  CHECK(tool.json()["status"] == "done");
  CHECK(tool.json()["output"] == "not streamed");

  // The key is in none of the answers, the plugin listing or the daemon's logs.
  auto plugins = d.api("GET", "/api/plugins");
  for (const std::string& text : {ran.body, failed.body, tool.body, plugins.body, d.stdout_text(), d.stderr_text()})
    CHECK(text.find(kKey) == std::string::npos);
}

TEST_CASE("llm in the daemon: STEWARD_LLM_* environment variables configure it", "[runtime][llm]") {
  FakeOpenAI server({"--key", kKey});
  Daemon d(DaemonOptions{.env = {{"STEWARD_LLM_BASE_URL", server.base_url()}, {"STEWARD_LLM_API_KEY", kKey}}});
  auto ran = d.api("POST", "/api/v1/run", {{"prompt", "echo:from the environment"}});
  REQUIRE(ran.status == 200);
  INFO(ran.body);
  CHECK(ran.json()["status"] == "done");
  CHECK(ran.json()["output"] == "from the environment");
}

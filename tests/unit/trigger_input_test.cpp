// Trigger input rendering: payload values reach shell commands only as quoted words,
// reach other args as data, and reach the environment; nothing in a payload becomes code.
#include <catch2/catch.hpp>

#include "core/automations/trigger_input.hpp"
#include "tests/support/tool_call.hpp"

using namespace steward;
using nlohmann::json;

namespace {
std::vector<Step> one_bash(const std::string& command, json env = nullptr) {
  Step s;
  s.tool = "bash";
  s.args = {{"command", command}};
  if (!env.is_null()) s.args["env"] = env;
  return {s};
}

std::vector<Step> rendered(const PluginRegistry& reg, std::vector<Step> steps, const TriggerInput& in) {
  auto out = apply_trigger_input(reg, std::move(steps), in);
  REQUIRE(std::holds_alternative<std::vector<Step>>(out));
  return std::get<std::vector<Step>>(out);
}
}  // namespace

TEST_CASE("trigger input: placeholders look up payload paths and headers", "[unit][webhooks]") {
  TriggerInput in{"webhook", json::parse(R"({"ref":"refs/heads/main","repo":{"name":"app"},"list":[1,"two"],"n":5})"),
                  {{"x-github-event", "push"}}};
  CHECK(placeholder_value(in, "payload.ref") == "refs/heads/main");
  CHECK(placeholder_value(in, "payload.repo.name") == "app");
  CHECK(placeholder_value(in, "payload.list.1") == "two");
  CHECK(placeholder_value(in, "payload.n") == "5");
  CHECK(placeholder_value(in, "payload.missing.deep") == "");
  CHECK(placeholder_value(in, "payload.list.9") == "");
  CHECK(placeholder_value(in, "headers.X-GitHub-Event") == "push");
  CHECK(json::parse(placeholder_value(in, "payload"))["n"] == 5);
}

TEST_CASE("trigger input: a hostile payload cannot inject shell, and the command prints it literally", "[unit][webhooks]") {
  auto reg = test::in_tree_plugins();
  const std::string evil = "x'; touch /tmp/steward-pwned; echo '$(id) `id` \"; rm -rf /";
  TriggerInput in{"webhook", json{{"msg", evil}}, {}};
  auto steps = rendered(*reg, one_bash("printf '%s' {{payload.msg}}"), in);
  CHECK(steps[0].args["command"] == "printf '%s' " + shell_quote(evil));
  auto r = test::call_tool(*reg, "bash", steps[0].args);
  REQUIRE(r.ok());
  CHECK(r.out == evil);  // the shell saw one word and printed it back unchanged
}

TEST_CASE("trigger input: the environment carries the payload, and the automation's own variables win", "[unit][webhooks]") {
  auto reg = test::in_tree_plugins();
  TriggerInput in{"webhook", json{{"branch", "main"}, {"nested", {{"a", 1}}}}, {{"x-event", "push"}}};
  auto steps = rendered(*reg, one_bash("echo \"$STEWARD_PAYLOAD_BRANCH $STEWARD_HEADER_X_EVENT $MINE\"", json{{"MINE", "{{payload.branch}}!"}}), in);
  const json& env = steps[0].args["env"];
  CHECK(env["STEWARD_TRIGGER"] == "webhook");
  CHECK(env["STEWARD_PAYLOAD_BRANCH"] == "main");
  CHECK(!env.contains("STEWARD_PAYLOAD_NESTED"));  // only top-level scalars get their own variable
  CHECK(json::parse(env["STEWARD_PAYLOAD"].get<std::string>())["nested"]["a"] == 1);
  CHECK(env["MINE"] == "main!");  // env values are data: inserted as is
  auto r = test::call_tool(*reg, "bash", steps[0].args);
  REQUIRE(r.ok());
  CHECK(r.out == "main push main!\n");
}

TEST_CASE("trigger input: a value that breaks the tool's schema is a plan error, not a run", "[unit][webhooks]") {
  auto reg = test::in_tree_plugins();
  Step s;
  s.tool = "bash";
  s.args = {{"command", "true"}, {"cwd", "{{payload.dir}}"}};  // cwd has minLength 1
  auto out = apply_trigger_input(*reg, {s}, TriggerInput{"webhook", json::object(), {}});
  REQUIRE(std::holds_alternative<SchemaError>(out));
  CHECK(std::get<SchemaError>(out).path == "steps[0].args.cwd");
}

TEST_CASE("trigger input: shell_quote makes one word of anything", "[unit][webhooks]") {
  CHECK(shell_quote("") == "''");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
}

// The doc-example extractor: which blocks run, how they split into commands, placeholders
// and rewrites. The runner that executes them is tests/runtime/docs_examples_test.cpp.
#include <catch2/catch.hpp>

#include "tests/support/doc_examples.hpp"

using namespace steward::test::docs;

namespace {

const std::string kId1 = "auto_aaaabbbbccccdddd";
const std::string kId2 = "auto_eeeeffffgggghhhh";

}  // namespace

TEST_CASE("doc examples: a fenced block with a curl command line is an example and runs", "[unit][docs]") {
  auto doc = parse(
      "Intro with `curl localhost:18780/health` in inline code.\n"
      "\n"
      "```sh\n"
      "curl localhost:18780/health\n"
      "```\n"
      "\n"
      "```json\n"
      "{\"command\": \"curl -fsS localhost:8080/health\"}\n"
      "```\n"
      "\n"
      "```\n"
      "  $ curl -X POST localhost:18780/api/x\n"
      "{\"ok\": true}\n"
      "```\n");
  REQUIRE(doc.errors.empty());
  REQUIRE(doc.blocks.size() == 3);
  CHECK(doc.blocks[0].line == 3);
  CHECK(doc.blocks[0].info == "sh");
  CHECK(doc.blocks[0].example);
  CHECK(doc.blocks[0].runs);
  REQUIRE(doc.blocks[0].commands.size() == 1);
  CHECK(doc.blocks[0].commands[0].line == 4);
  // curl inside a quoted JSON string is no command line
  CHECK_FALSE(doc.blocks[1].example);
  CHECK_FALSE(doc.blocks[1].runs);
  // with a `$ ` prompt, the prompted line is the command and the rest is shown output
  CHECK(doc.blocks[2].runs);
  REQUIRE(doc.blocks[2].commands.size() == 1);
  CHECK(doc.blocks[2].commands[0].text == "curl -X POST localhost:18780/api/x");
}

TEST_CASE("doc examples: curl after an assignment, a pipe or a keyword counts, curl in text does not", "[unit][docs]") {
  CHECK(calls_curl("RUN=$(curl -X POST localhost:18780/api/x | jq -r .run_id)"));
  CHECK(calls_curl("echo '{}' | curl -d @- localhost:18780/api/x"));
  CHECK(calls_curl("until curl localhost:18780/health; do sleep 1; done"));
  CHECK(calls_curl("true && curl localhost:18780/health"));
  CHECK_FALSE(calls_curl("echo see curl docs"));
  CHECK_FALSE(calls_curl("steward agent run &   # curl it later"));
  CHECK_FALSE(calls_curl("jq -n '{\"command\": \"x; curl y\"}'"));
  CHECK_FALSE(calls_curl("curly braces"));
}

TEST_CASE("doc examples: skip, run and expect-fail marks on the line before the fence", "[unit][docs]") {
  auto doc = parse(
      "<!-- doc-test: skip: runs on the agent's machine -->\n"
      "```sh\n"
      "curl localhost:18780/health\n"
      "```\n"
      "```sh\n"
      "steward keys list --data-dir ./data\n"
      "```\n"
      "<!-- doc-test: run -->\n"
      "```sh\n"
      "steward keys list --data-dir ./data\n"
      "```\n"
      "<!-- doc-test: expect-fail -->\n"
      "```sh\n"
      "curl localhost:18780/api/automations\n"
      "```\n");
  REQUIRE(doc.errors.empty());
  REQUIRE(doc.blocks.size() == 4);
  CHECK(doc.blocks[0].example);
  CHECK_FALSE(doc.blocks[0].runs);
  CHECK(doc.blocks[0].skip_reason == "runs on the agent's machine");
  CHECK_FALSE(doc.blocks[1].example);
  CHECK_FALSE(doc.blocks[1].runs);  // no curl, no mark: shown, not run
  CHECK(doc.blocks[2].runs);
  CHECK_FALSE(doc.blocks[2].expect_fail);
  CHECK(doc.blocks[3].runs);
  CHECK(doc.blocks[3].expect_fail);
}

TEST_CASE("doc examples: a misplaced or unknown mark is an error naming its line", "[unit][docs]") {
  auto doc = parse(
      "<!-- doc-test: run -->\n"
      "\n"
      "```sh\n"
      "echo hi\n"
      "```\n"
      "<!-- doc-test: sometimes -->\n"
      "```sh\n"
      "echo hi\n"
      "```\n"
      "<!-- doc-test: skip -->\n"
      "```sh\n"
      "curl localhost:18780/health\n"
      "```\n");
  REQUIRE(doc.errors.size() == 3);
  CHECK(doc.errors[0].rfind("line 1: ", 0) == 0);
  CHECK(doc.errors[1].rfind("line 6: unknown doc-test mark 'sometimes'", 0) == 0);
  CHECK(doc.errors[2].rfind("line 10: skip needs a reason", 0) == 0);
  CHECK_FALSE(doc.blocks[0].runs);  // the blank line cut the mark off
}

TEST_CASE("doc examples: a mark shown inside a fence is content, not a mark", "[unit][docs]") {
  auto doc = parse(
      "````markdown\n"
      "<!-- doc-test: expect-fail -->\n"
      "```sh\n"
      "echo hi\n"
      "```\n"
      "````\n");
  CHECK(doc.errors.empty());
  REQUIRE(doc.blocks.size() == 1);
  CHECK_FALSE(doc.blocks[0].runs);
}

TEST_CASE("doc examples: continuations, multi-line quotes and compound commands are one command", "[unit][docs]") {
  auto cmds = split_commands(
      {
          "KEY=stw_x   # the key printed above",
          "# a comment line on its own",
          "",
          "curl -X POST localhost:18780/api/automations -H \"Authorization: Bearer $KEY\" \\",
          "  -H 'Content-Type: application/json' -d '{",
          "  \"name\": \"Check\",",
          "",
          "  \"params\": {\"command\": \"uptime\"}}'",
          "for i in 1 2; do",
          "  echo $i",
          "done",
          "echo last",
      },
      10);
  REQUIRE(cmds.size() == 4);
  CHECK(cmds[0].line == 10);
  CHECK(cmds[0].text == "KEY=stw_x   # the key printed above");
  CHECK(cmds[1].line == 13);
  CHECK(cmds[1].text.find("\"params\"") != std::string::npos);
  CHECK(cmds[2].line == 18);
  CHECK(cmds[2].text == "for i in 1 2; do\n  echo $i\ndone");
  CHECK(cmds[3].text == "echo last");
}

TEST_CASE("doc examples: a placeholder takes the latest id of its prefix from earlier output", "[unit][docs]") {
  IdHistory ids;
  ids.add("{\"id\":\"" + kId1 + "\",\"status\":\"created\"}");
  ids.add("{\"id\":\"" + kId2 + "\",\"run_id\":\"run_2222333344445555\"}");
  auto f = fill_placeholders("curl -X POST localhost:18780/api/automations/auto_…/run", ids);
  CHECK(f.missing.empty());
  CHECK(f.text == "curl -X POST localhost:18780/api/automations/" + kId2 + "/run");
  // a few id characters before the ellipsis still name only the prefix
  CHECK(fill_placeholders("\"scope\": [\"auto_3kq…\"]", ids).text == "\"scope\": [\"" + kId2 + "\"]");
  // `run_id` in the output is a field name, not an id
  CHECK(fill_placeholders("X=run_…", ids).text == "X=run_2222333344445555");
  // prose ellipses and placeholders in comments are left alone
  CHECK(fill_placeholders("echo 'Filesystem …'  # -> auto_… and mw_…", ids).text ==
        "echo 'Filesystem …'  # -> auto_… and mw_…");
}

TEST_CASE("doc examples: a placeholder with no earlier id is reported", "[unit][docs]") {
  IdHistory ids;
  ids.add("key_abc run_id whk_ab12 device_auto_approve mw_aaaabbbbccccdddd_total");
  auto f = fill_placeholders("curl localhost:18780/api/maintenance/mw_…/activate -H \"X: key_…\"", ids);
  CHECK(f.missing == "mw_…");
  CHECK_FALSE(ids.latest("key_"));
  CHECK_FALSE(ids.latest("auto_"));
  CHECK_FALSE(ids.latest("whk_"));
}

TEST_CASE("doc examples: the documented address, binary and data dir become the test daemon's", "[unit][docs]") {
  Rewrites r{41234, 18780, "/b/steward", "/tmp/d/data"};
  CHECK(rewrite("curl localhost:18780/api/x", r) == "curl 127.0.0.1:41234/api/x");
  CHECK(rewrite("curl 'http://127.0.0.1:18780/api/x?wait=1'", r) == "curl 'http://127.0.0.1:41234/api/x?wait=1'");
  CHECK(rewrite("steward agent pair --host localhost --port 18780", r) == "steward agent pair --host localhost --port 41234");
  // the device port, even when the new REST port is 18780 itself
  CHECK(rewrite("ws://localhost:18781/device/ws", r) == "ws://127.0.0.1:18780/device/ws");
  CHECK(rewrite("echo 218780", r) == "echo 218780");
  CHECK(rewrite("build/bin/steward keys list --data-dir ./data", r) == "/b/steward keys list --data-dir /tmp/d/data");
  CHECK(rewrite("x --data-dir=./data; y --data-dir ./database", r) == "x --data-dir=/tmp/d/data; y --data-dir ./database");
  CHECK(rewrite("other/build/bin/steward", r) == "other/build/bin/steward");
}

// The template library: every shipped template is well-formed, and applying it with its
// examples and defaults gives an automation that passes the same validation as POST
// /api/automations against the real in-tree plugins (its type's schema and plan).
#include <catch2/catch.hpp>
#include <set>
#include <fstream>

#include "core/automations/automation_input.hpp"
#include "core/templates/template_library.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tool_call.hpp"

using namespace steward;
using nlohmann::json;

namespace {
const std::filesystem::path kShipped = std::filesystem::path(STEWARD_SOURCE_DIR) / "templates";

json example_values(const AutomationTemplate& t) {
  json values = json::object();
  for (const auto& p : t.definition["parameters"])
    if (p.value("required", false)) values[p["name"].get<std::string>()] = p["example"];
  return values;
}
}  // namespace

TEST_CASE("templates: every shipped file loads, and applying it validates against its type", "[unit][templates]") {
  TemplateLoad loaded = load_templates(kShipped);
  for (const auto& e : loaded.errors) FAIL_CHECK("template file refused: " << e);
  CHECK(loaded.templates.size() >= 12);
  auto registry = test::in_tree_plugins();
  std::set<std::string> types;
  for (const auto& t : loaded.templates) {
    INFO("template " << t.id);
    auto rendered = render_template(t, example_values(t));
    REQUIRE(std::holds_alternative<json>(rendered));
    json body = std::get<json>(rendered);
    auto automation = automation_from_input(body, *registry, 3600);
    if (auto* err = std::get_if<SchemaError>(&automation)) FAIL_CHECK(err->text());
    types.insert(t.definition["type"].get<std::string>());
  }
  // The library covers the shipped automation types.
  for (const char* type : {"script", "sequence", "backup", "service_control", "file"}) {
    INFO("no template of type " << type);
    CHECK(types.count(type) == 1);
  }
}

TEST_CASE("templates: values are typed, required ones are all named when missing, unknown ones refused", "[unit][templates]") {
  AutomationTemplate t{"t", json::parse(R"({
    "name": "T", "description": "d", "type": "script",
    "parameters": [
      {"name": "dir", "type": "string", "required": true, "description": "d", "example": "/x"},
      {"name": "host", "type": "string", "required": true, "description": "h", "example": "h"},
      {"name": "days", "type": "integer", "default": 7, "description": "n"},
      {"name": "schedule", "type": "string", "description": "optional, no default"}
    ],
    "automation": {"name": "Clean {{dir}}", "type": "script", "schedule": "{{schedule}}", "timeout": "{{days}}",
                   "params": {"command": "find {{dir}} -mtime +{{days}} {{payload.keep}}"}}
  })"), ""};
  REQUIRE_FALSE(check_template(t.definition));

  auto missing = render_template(t, json::object());
  REQUIRE(std::holds_alternative<SchemaError>(missing));
  CHECK(std::get<SchemaError>(missing).message == "required parameter(s) missing: dir, host");

  auto unknown = render_template(t, {{"dir", "/a"}, {"host", "h"}, {"color", "red"}});
  REQUIRE(std::holds_alternative<SchemaError>(unknown));
  CHECK(std::get<SchemaError>(unknown).path == "values.color");

  auto wrong_type = render_template(t, {{"dir", "/a"}, {"host", "h"}, {"days", "seven"}});
  REQUIRE(std::holds_alternative<SchemaError>(wrong_type));
  CHECK(std::get<SchemaError>(wrong_type).path == "values.days");

  auto ok = render_template(t, {{"dir", "/var/log"}, {"host", "h"}});
  REQUIRE(std::holds_alternative<json>(ok));
  json a = std::get<json>(ok);
  CHECK(a["name"] == "Clean /var/log");
  CHECK(a["timeout"] == 7);             // a whole-value placeholder keeps its type
  CHECK_FALSE(a.contains("schedule"));  // optional, unset, no default: the key goes
  CHECK(a["params"]["command"] == "find /var/log -mtime +7 {{payload.keep}}");  // not a parameter: left for the run
}

TEST_CASE("templates: malformed files are reported by name and skipped", "[unit][templates]") {
  test::TempDir dir;
  std::ofstream(dir.path() / "broken.json") << "{not json";
  std::ofstream(dir.path() / "no-example.json") << R"({"name":"n","description":"d","type":"script",
    "parameters":[{"name":"x","type":"string","required":true,"description":"d"}],
    "automation":{"name":"n","type":"script","params":{"command":"true"}}})";
  std::ofstream(dir.path() / "good.json") << R"({"name":"n","description":"d","type":"script","parameters":[],
    "automation":{"name":"n","type":"script","params":{"command":"true"}}})";
  TemplateLoad loaded = load_templates(dir.path());
  REQUIRE(loaded.templates.size() == 1);
  CHECK(loaded.templates[0].id == "good");
  REQUIRE(loaded.errors.size() == 2);
  std::string all = loaded.errors[0] + loaded.errors[1];
  CHECK(all.find("broken.json: not valid JSON") != std::string::npos);
  CHECK(all.find("needs an example") != std::string::npos);
}

#include <catch2/catch.hpp>

#include "core/util/json_schema.hpp"

using nlohmann::json;
using steward::validate_json;

namespace {
const json kSchema = json::parse(R"({
  "type": "object", "required": ["command"], "additionalProperties": false,
  "properties": {
    "command": {"type": "string", "minLength": 1, "maxLength": 10},
    "mode": {"enum": ["fast", "slow"]},
    "count": {"type": "integer", "minimum": 1, "maximum": 5},
    "env": {"type": "object", "additionalProperties": {"type": "string"}},
    "steps": {"type": "array", "minItems": 1, "maxItems": 2,
              "items": {"type": "object", "required": ["tool"], "properties": {"tool": {"type": "string"}}}}
  }})");

std::string error_of(const json& value) {
  auto err = validate_json(kSchema, value, "params");
  return err ? err->text() : "";
}
}  // namespace

TEST_CASE("a conforming value passes", "[unit][schema]") {
  CHECK(error_of({{"command", "ls"}}).empty());
  CHECK(error_of({{"command", "ls"}, {"mode", "fast"}, {"count", 5}, {"env", {{"A", "b"}}}}).empty());
  CHECK(error_of({{"command", "ls"}, {"count", 2.0}}).empty());  // 2.0 is an integer in JSON Schema
  CHECK(error_of({{"command", "ls"}, {"steps", {{{"tool", "bash"}}}}}).empty());
}

TEST_CASE("each violation names the field and the rule", "[unit][schema]") {
  CHECK(error_of(json::object()) == "params.command: is required");
  CHECK(error_of({{"command", 5}}) == "params.command: must be string, got integer");
  CHECK(error_of({{"command", ""}}) == "params.command: must be at least 1 characters");
  CHECK(error_of({{"command", "01234567890"}}) == "params.command: must be at most 10 characters");
  CHECK(error_of({{"command", "ls"}, {"extra", 1}}) == "params.extra: is not a known field");
  CHECK(error_of({{"command", "ls"}, {"mode", "medium"}}) == R"(params.mode: must be one of ["fast","slow"])");
  CHECK(error_of({{"command", "ls"}, {"count", 0}}) == "params.count: must be >= 1");
  CHECK(error_of({{"command", "ls"}, {"count", 6}}) == "params.count: must be <= 5");
  CHECK(error_of({{"command", "ls"}, {"count", 1.5}}) == "params.count: must be integer, got number");
  CHECK(error_of({{"command", "ls"}, {"env", {{"A", 1}}}}) == "params.env.A: must be string, got integer");
  CHECK(error_of({{"command", "ls"}, {"steps", json::array()}}) == "params.steps: must have at least 1 items");
  CHECK(error_of({{"command", "ls"}, {"steps", {{{"tool", "a"}}, {{"tool", "b"}}, {{"tool", "c"}}}}}) ==
        "params.steps: must have at most 2 items");
  CHECK(error_of({{"command", "ls"}, {"steps", {{{"tool", "a"}}, json::object()}}}) == "params.steps[1].tool: is required");
  CHECK(error_of(json::array()) == "params: must be object, got array");
}

TEST_CASE("type lists and unknown keywords", "[unit][schema]") {
  json schema = {{"type", {"string", "null"}}, {"format", "whatever"}};
  CHECK_FALSE(validate_json(schema, "x", "v"));
  CHECK_FALSE(validate_json(schema, nullptr, "v"));
  CHECK(validate_json(schema, 1, "v")->message == "must be string or null, got integer");
  CHECK(steward::check_schema(json::array()).has_value());
  CHECK_FALSE(steward::check_schema(kSchema).has_value());
}

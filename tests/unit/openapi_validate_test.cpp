// tools/openapi/validate_responses.mjs, the checker behind the live OpenAPI test, on a small
// scratch spec: right records pass; a wrong body, an undocumented status or content type, a
// body where none is documented and an unknown operation each fail, naming what is wrong
// (the instance path for a schema mismatch). Without this the live test could pass by
// checking nothing.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;

namespace {

const json kSpec = json::parse(R"({
  "openapi": "3.1.0",
  "info": {"title": "scratch", "version": "1"},
  "paths": {
    "/api/things/{id}": {
      "get": {"responses": {
        "200": {"description": "a thing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
        "404": {"$ref": "#/components/responses/NotFound"}}},
      "delete": {"responses": {"204": {"description": "gone"}}}},
    "/metrics": {"get": {"responses": {"200": {"description": "text", "content": {"text/plain": {"schema": {"type": "string"}}}}}}}
  },
  "components": {
    "responses": {"NotFound": {"description": "no such thing",
                               "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
    "schemas": {
      "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
      "Thing": {"type": "object", "required": ["id", "created", "count"], "properties": {
        "id": {"type": "string"}, "created": {"type": "string", "format": "date-time"},
        "count": {"type": "integer"}, "note": {"type": ["string", "null"]},
        "status": {"enum": ["on", "off"]}}}
    }
  }
})");

json record(const std::string& method, const std::string& route, int status, const std::string& content_type,
            const std::string& body) {
  return {{"method", method}, {"route", route}, {"path", route}, {"status", status},
          {"content_type", content_type}, {"body", body}};
}

std::pair<int, std::string> validate(const json& records) {
  TempDir dir;
  const std::string spec = (dir.path() / "spec.json").string(), recs = (dir.path() / "records.json").string();
  std::ofstream(spec) << kSpec.dump();
  std::ofstream(recs) << records.dump();
  return run_shell("'" STEWARD_NODE "' '" STEWARD_SOURCE_DIR "/tools/openapi/validate_responses.mjs' '" + spec + "' '" + recs + "'");
}

const json kGood = json::array({
    record("GET", "/api/things/{id}", 200, "application/json; charset=utf-8",
           R"({"id":"t1","created":"2026-01-01T00:00:00Z","count":3,"note":null,"status":"on","extra":true})"),
    record("GET", "/api/things/{id}", 404, "application/json", R"({"error":{"code":"not_found","message":"no"}})"),
    record("DELETE", "/api/things/{id}", 204, "", ""),
    record("GET", "/metrics", 200, "text/plain; version=0.0.4", "up 1\n"),
});

}  // namespace

TEST_CASE("openapi: the response validator passes records that match the spec", "[unit][openapi]") {
  auto [code, out] = validate(kGood);
  INFO(out);
  CHECK(code == 0);
  CHECK(out.find("4 responses checked, 0 mismatched") != std::string::npos);
}

TEST_CASE("openapi: the response validator fails each kind of mismatch and names it", "[unit][openapi]") {
  struct Case {
    json rec;
    std::string expected;  // in the output
  };
  const std::vector<Case> cases = {
      {record("GET", "/api/things/{id}", 200, "application/json", R"({"id":5,"created":"2026-01-01T00:00:00Z","count":1})"),
       "/id: must be string"},
      {record("GET", "/api/things/{id}", 200, "application/json", R"({"id":"t","created":"yesterday","count":1})"),
       "/created: must match format \"date-time\""},
      {record("GET", "/api/things/{id}", 200, "application/json", R"({"id":"t","created":"2026-01-01T00:00:00Z"})"),
       "must have required property 'count'"},
      {record("GET", "/api/things/{id}", 200, "application/json", R"({"id":"t","created":"2026-01-01T00:00:00Z","count":1,"status":"maybe"})"),
       "/status: must be equal to one of the allowed values"},
      {record("GET", "/api/things/{id}", 404, "application/json", R"({"error":"no"})"), "/error: must be object"},
      {record("GET", "/api/things/{id}", 409, "application/json", "{}"), "status 409 is not documented (documented: 200, 404)"},
      {record("GET", "/metrics", 200, "application/json", "{}"), "content type 'application/json' is not documented"},
      {record("DELETE", "/api/things/{id}", 204, "application/json", "{}"), "where the spec documents no content"},
      {record("GET", "/api/things/{id}", 200, "application/json", "{nope"), "the body is not JSON"},
      {record("POST", "/api/nothing", 200, "application/json", "{}"), "the spec has no operation POST /api/nothing"},
  };
  // One run of the validator over the right records and all the wrong ones: each wrong one
  // must be counted and explained.
  json records = kGood;
  for (const auto& c : cases) records.push_back(c.rec);
  auto [code, out] = validate(records);
  INFO(out);
  CHECK(code == 1);
  CHECK(out.find(std::to_string(cases.size()) + " mismatched") != std::string::npos);
  for (const auto& c : cases) {
    INFO("expected in the output: " << c.expected);
    CHECK(out.find(c.expected) != std::string::npos);
  }
}

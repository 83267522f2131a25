// tools/openapi/bundle.mjs, which the build runs to make the served OpenAPI document, on
// scratch files: YAML becomes the JSON and the C++ source that embeds it; a path defined
// twice fails the build with the file and line; non-ASCII text reaches the JSON escaped.
// And lint.sh, the
// openapi:lint ctest entry, fails on a warning (plain `redocly lint` exits 0 on warnings).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;

namespace {

const char* kSpec = R"(openapi: 3.1.0
info:
  title: scratch
  version: 1.0.0
paths:
  /health:
    get:
      summary: Liveness — café
      responses:
        '200':
          description: ok
  /api/devices:
    get:
      responses:
        '200':
          description: ok
components:
  schemas:
    Health:
      type: object
)";

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Bundle {
  TempDir dir;
  int exit_code = -1;
  std::string output;
  json doc;
  std::string cpp;

  explicit Bundle(const std::string& spec) {
    std::ofstream(dir.path() / "openapi.yaml") << spec;
    const std::string d = dir.str();
    std::tie(exit_code, output) = run_shell("'" STEWARD_NODE "' '" STEWARD_SOURCE_DIR "/tools/openapi/bundle.mjs' --spec '" + d +
                                            "/openapi.yaml' --json '" + d + "/out.json' --cpp '" + d + "/out.cpp'");
    if (exit_code == 0) {
      doc = json::parse(read(dir.path() / "out.json"));
      cpp = read(dir.path() / "out.cpp");
    }
  }
};

}  // namespace

TEST_CASE("openapi: the bundler turns the YAML into the served JSON and its C++ source", "[unit][openapi]") {
  Bundle b(kSpec);
  INFO(b.output);
  REQUIRE(b.exit_code == 0);
  CHECK(b.doc["paths"].contains("/health"));
  CHECK(b.doc["paths"]["/api/devices"]["get"]["responses"].contains("200"));
  CHECK(b.doc["components"]["schemas"]["Health"]["type"] == "object");
  // Served bytes are ASCII: the é went in escaped, and parses back to itself.
  const std::string json_text = read(b.dir.path() / "out.json");
  CHECK(json_text.find("caf\\u00e9") != std::string::npos);
  CHECK(b.doc["paths"]["/health"]["get"]["summary"] == "Liveness \u2014 caf\u00e9");
  // The C++ source embeds that same text.
  CHECK(b.cpp.find("const std::string& openapi_json()") != std::string::npos);
  CHECK(b.cpp.find(json_text.substr(0, 200)) != std::string::npos);
}

TEST_CASE("openapi: the bundler refuses a path defined twice, naming the file and line", "[unit][openapi]") {
  std::string twice = kSpec;
  twice.replace(twice.find("/api/devices:"), 13, "/health:");
  Bundle dup(twice);
  CHECK(dup.exit_code == 1);
  CHECK(dup.output.find("openapi.yaml:12: Map keys must be unique") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dup.dir.path() / "out.json"));
}

TEST_CASE("openapi: lint.sh fails on a warning, not only on an error", "[unit][openapi]") {
  TempDir dir;
  // Valid, no error; only the recommended rule info-license warns.
  std::ofstream(dir.path() / "spec.yaml") << R"(openapi: 3.1.0
info:
  title: scratch
  version: 1.0.0
  description: A scratch document.
servers:
  - url: http://localhost:18780
security:
  - bearerKey: []
tags:
  - name: things
    description: Things.
paths:
  /api/things:
    get:
      operationId: listThings
      summary: List things
      description: Every thing.
      tags: [things]
      responses:
        '200':
          description: The things.
        '401':
          description: No key.
components:
  securitySchemes:
    bearerKey: {type: http, scheme: bearer}
)";
  auto [code, out] = run_shell("bash '" STEWARD_SOURCE_DIR "/tools/openapi/lint.sh' '" + dir.str() + "/spec.yaml'");
  INFO(out);
  CHECK(code != 0);
  CHECK(out.find("info-license") != std::string::npos);
  CHECK(out.find("0 errors, 1 warnings") != std::string::npos);
}

// docs/operations.md's configuration reference is the output of `steward config-reference`
// (generated from the settings table), checked by running the real binary: a setting added,
// renamed or re-described in app/settings.cpp without regenerating the doc fails here.
#include <catch2/catch.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "tests/support/daemon.hpp"

using steward::test::run_steward;

namespace {

const std::string kBegin = "<!-- config-reference:begin -->\n";
const std::string kEnd = "<!-- config-reference:end -->";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The command that rewrites the section in place from the built binary.
std::string regenerate_command() {
  return std::string("cd ") + STEWARD_SOURCE_DIR + " && REF=\"$(" + STEWARD_BINARY +
         " config-reference)\" awk '/^<!-- config-reference:end -->/{print ENVIRON[\"REF\"]; skip=0} !skip{print} "
         "/^<!-- config-reference:begin -->/{skip=1}' docs/operations.md > docs/operations.md.new && "
         "mv docs/operations.md.new docs/operations.md";
}

}  // namespace

TEST_CASE("docs/operations.md holds exactly the output of steward config-reference", "[runtime][config_reference]") {
  auto r = run_steward({"config-reference"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  const std::string doc = read_text(std::string(STEWARD_SOURCE_DIR) + "/docs/operations.md");
  auto begin = doc.find(kBegin);
  auto end = doc.find(kEnd);
  INFO("docs/operations.md needs a section between '" << kBegin.substr(0, kBegin.size() - 1) << "' and '" << kEnd
                                                       << "' lines");
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  REQUIRE(end > begin);
  const std::string section = doc.substr(begin + kBegin.size(), end - begin - kBegin.size());

  // Printed unwrapped (Catch wraps INFO text at 80 columns), so it can be copied as is.
  if (section != r.out)
    std::cerr << "the configuration reference in docs/operations.md is stale; regenerate it with:\n"
              << regenerate_command() << "\n";
  CHECK(section == r.out);
}

TEST_CASE("steward config-reference lists every setting with its environment variable and option",
          "[runtime][config_reference]") {
  auto r = run_steward({"config-reference"});
  REQUIRE(r.exit_code == 0);
  // A few settings spelled out, so the table cannot silently lose its columns or rows.
  CHECK(r.out.find("| `data_dir` | `./data` | `STEWARD_DATA_DIR` | `--data-dir` | ") != std::string::npos);
  CHECK(r.out.find("| `port` | `18780` | `STEWARD_PORT` | `--port` | ") != std::string::npos);
  CHECK(r.out.find("| `metrics_public` | `false` | `STEWARD_METRICS_PUBLIC` | `--metrics-public` | ") !=
        std::string::npos);
  // Every setting `steward serve --help` offers is a row.
  auto help = run_steward({"serve", "--help"});
  REQUIRE(help.exit_code == 0);
  std::istringstream lines(help.out);
  std::string line;
  int options = 0;
  while (std::getline(lines, line)) {
    auto dash = line.find("--");
    if (dash == std::string::npos || line.find("--config") != std::string::npos ||
        line.find("--help") != std::string::npos)
      continue;
    std::string option = line.substr(dash, line.find(' ', dash) - dash);
    INFO(option);
    CHECK(r.out.find("| `" + option + "` |") != std::string::npos);
    ++options;
  }
  CHECK(options > 20);

  CHECK(run_steward({"config-reference", "extra"}).exit_code == 2);
}

// The CLI's self-description: `steward <command> --help` for every command, `steward version`
// (version, plugin ABI, plugins loaded or refused) and the bash completion script, checked by
// running the real binary and a real bash.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "tests/support/daemon.hpp"
#include "tests/support/temp_dir.hpp"

using steward::test::run_steward;
using steward::test::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> words(const std::string& path) {
  std::vector<std::string> out;
  std::string w;
  for (char c : path + " ") {
    if (c != ' ') { w += c; continue; }
    if (!w.empty()) out.push_back(w);
    w.clear();
  }
  return out;
}

struct Expected {
  std::string path;
  std::vector<std::string> options;
};

}  // namespace

TEST_CASE("every subcommand's --help exits 0 with its usage and names its options", "[runtime][cli_help]") {
  const std::vector<Expected> commands = {
      {"serve", {"--config", "--data-dir", "--bind", "--port", "--device-port", "--plugin-dir", "--plugin-config",
                 "--template-dir", "--workers", "--log-level", "--help"}},
      {"plugins list", {"--json", "--plugin-dir", "--plugin-config", "--config"}},
      {"keys create", {"--role", "--name", "--automation", "--expires-in", "--data-dir"}},
      {"keys list", {"--data-dir"}},
      {"keys revoke", {"KEY_ID", "--data-dir"}},
      {"cron next", {"EXPR", "--tz", "--from", "-n, --count"}},
      {"runs tail", {"RUN_ID", "--url", "--key", "STEWARD_API_KEY"}},
      {"agent pair", {"--host", "--port", "--code", "--config", "--name"}},
      {"agent run", {"--config", "--plugin-dir", "--plugin-config", "--log-level"}},
      {"version", {"--json", "--plugin-dir", "--plugin-config"}},
      {"completion bash", {}},
  };
  for (const auto& c : commands) {
    auto args = words(c.path);
    args.push_back("--help");
    auto r = run_steward(args);
    INFO("steward " << c.path << " --help\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "Usage: steward " + c.path));
    for (const auto& o : c.options) CHECK(contains(r.out, o));
  }
  // -h works as well as --help, and words after the command (a run id) do not matter.
  auto short_help = run_steward({"runs", "tail", "run_123", "-h"});
  CHECK(short_help.exit_code == 0);
  CHECK(contains(short_help.out, "Usage: steward runs tail"));
}

TEST_CASE("a command group's --help lists its commands, and the top-level help lists every command",
          "[runtime][cli_help]") {
  const std::vector<Expected> groups = {{"keys", {"create", "list", "revoke", "--role"}},
                                        {"agent", {"pair", "run", "--host", "--code"}},
                                        {"plugins", {"list"}},
                                        {"cron", {"next"}},
                                        {"runs", {"tail"}},
                                        {"completion", {"bash"}}};
  for (const auto& g : groups) {
    auto r = run_steward({g.path, "--help"});
    INFO("steward " << g.path << " --help\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "Usage: steward " + g.path + " COMMAND"));
    for (const auto& o : g.options) CHECK(contains(r.out, o));
  }
  auto top = run_steward({"--help"});
  CHECK(top.exit_code == 0);
  for (const char* path : {"serve", "plugins list", "keys create", "keys list", "keys revoke", "cron next",
                           "runs tail", "agent pair", "agent run", "version", "completion bash"})
    CHECK(contains(top.out, std::string("  ") + path));

  auto unknown = run_steward({"frobnicate", "--help"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "unknown command 'frobnicate'"));
}

TEST_CASE("steward version prints the version, the plugin ABI and each plugin loaded or refused",
          "[runtime][cli_help]") {
  auto text = run_steward({"version"});
  REQUIRE(text.exit_code == 0);
  CHECK(contains(text.out, "plugin ABI 1.0"));
  CHECK(contains(text.out, "bash"));
  CHECK(contains(text.out, "loaded"));

  auto json_run = run_steward({"version", "--json"});
  REQUIRE(json_run.exit_code == 0);
  auto v = nlohmann::json::parse(json_run.out);
  CHECK(!v["version"].get<std::string>().empty());
  CHECK(contains(text.out, "steward " + v["version"].get<std::string>()));
  CHECK(v["plugin_abi"] == "1.0");
  bool bash_tool = false, script_type = false;
  for (const auto& p : v["plugins"]) {
    CHECK(p["status"] == "loaded");
    if (p["name"] == "bash" && p["kind"] == "tool" && !p["version"].get<std::string>().empty()) bash_tool = true;
    if (p["name"] == "script" && p["kind"] == "automation_type") script_type = true;
  }
  CHECK(bash_tool);
  CHECK(script_type);

  // A plugin built for a future ABI is listed as refused, with the reason, in both forms.
  const std::string future = std::string(STEWARD_TEST_PLUGIN_DIR) + "/abi_major";
  auto refused_text = run_steward({"version", "--plugin-dir", future});
  CHECK(refused_text.exit_code == 0);
  CHECK(contains(refused_text.out, "refused: "));
  auto refused = nlohmann::json::parse(run_steward({"version", "--json", "--plugin-dir", future}).out);
  bool found = false;
  for (const auto& p : refused["plugins"])
    if (p["status"] == "refused") {
      found = true;
      CHECK(!p["error"].get<std::string>().empty());
      CHECK(contains(refused_text.out, p["error"].get<std::string>()));
    }
  CHECK(found);

  CHECK(run_steward({"version", "extra"}).exit_code == 2);
}

TEST_CASE("steward completion bash is valid bash and completes commands, options and values",
          "[runtime][cli_help]") {
  auto r = run_steward({"completion", "bash"});
  REQUIRE(r.exit_code == 0);
  TempDir dir;
  const std::string script = (dir.path() / "steward.bash").string();
  { std::ofstream(script) << r.out; }

  auto syntax = steward::test::run_shell("bash -n " + script);
  INFO(syntax.second);
  CHECK(syntax.first == 0);

  // Drives the completion function as bash's readline would for `steward <words><TAB>`.
  const std::string driver = (dir.path() / "driver.bash").string();
  {
    std::ofstream(driver) << "source " << script << "\n"
                          << "complete -p steward\n"
                          << "comp() { COMP_WORDS=(steward \"$@\"); COMP_CWORD=$#; COMP_LINE=\"steward $*\";\n"
                          << "  COMP_POINT=${#COMP_LINE}; _steward; echo \"[$*] ${COMPREPLY[*]}\"; }\n"
                          << "comp ag\n"
                          << "comp agent p\n"
                          << "comp agent pair --co\n"
                          << "comp keys create --role s\n"
                          << "comp serve --data-d\n"
                          << "comp --data-dir /tmp ke\n"
                          << "comp serve --log-level w\n"
                          << "comp completion b\n"
                          << "comp cron next --h\n";
  }
  auto out = steward::test::run_shell("bash " + driver);
  INFO(out.second);
  REQUIRE(out.first == 0);
  CHECK(contains(out.second, "complete -F _steward steward"));
  CHECK(contains(out.second, "[ag] agent\n"));
  CHECK(contains(out.second, "[agent p] pair\n"));
  CHECK(contains(out.second, "[agent pair --co] --code --config\n"));
  CHECK(contains(out.second, "[keys create --role s] single-task\n"));
  CHECK(contains(out.second, "[serve --data-d] --data-dir\n"));
  CHECK(contains(out.second, "[--data-dir /tmp ke] keys\n"));  // an option's value is no command
  CHECK(contains(out.second, "[serve --log-level w] warning\n"));
  CHECK(contains(out.second, "[completion b] bash\n"));
  CHECK(contains(out.second, "[cron next --h] --help\n"));

  CHECK(run_steward({"completion", "zsh"}).exit_code == 2);
  CHECK(run_steward({"completion"}).exit_code == 2);
}

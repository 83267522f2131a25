#include <catch2/catch.hpp>
#include <fstream>

#include "app/commands.hpp"
#include "app/settings.hpp"
#include "tests/support/temp_dir.hpp"

using namespace steward::app;

TEST_CASE("defaults, then config file, then environment, then options", "[unit][settings]") {
  steward::test::TempDir dir;
  auto ini = (dir.path() / "steward.ini").string();
  std::ofstream(ini) << "port = 1111\nworkers = 3\ndata_dir = /from/file\n";

  Settings d = resolve_settings("", {}, {});
  CHECK(d.port == 18780);
  CHECK(d.device_port == 18781);
  CHECK(d.data_dir == "./data");
  CHECK(d.bind == "127.0.0.1");
  CHECK(d.output_cap_bytes == 1048576);

  Settings f = resolve_settings(ini, {}, {});
  CHECK(f.port == 1111);
  CHECK(f.workers == 3);
  CHECK(f.data_dir == "/from/file");

  Settings e = resolve_settings(ini, {{"STEWARD_PORT", "2222"}, {"UNRELATED", "x"}}, {});
  CHECK(e.port == 2222);
  CHECK(e.workers == 3);

  Settings o = resolve_settings(ini, {{"STEWARD_PORT", "2222"}}, {{"port", "3333"}});
  CHECK(o.port == 3333);
}

TEST_CASE("a JSON config file works too", "[unit][settings]") {
  steward::test::TempDir dir;
  auto file = (dir.path() / "steward.json").string();
  std::ofstream(file) << R"({"port": 4444, "plugin_dir": "/a:/b"})";
  Settings s = resolve_settings(file, {}, {});
  CHECK(s.port == 4444);
  CHECK(s.plugin_dirs == std::vector<std::string>{"/a", "/b"});
}

TEST_CASE("bad settings are refused naming the key and where the value came from", "[unit][settings]") {
  steward::test::TempDir dir;
  auto bad = (dir.path() / "bad.ini").string();
  std::ofstream(bad) << "prot = 1\n";
  CHECK_THROWS_WITH(resolve_settings(bad, {}, {}), Catch::Contains("unknown key 'prot'"));
  CHECK_THROWS_WITH(resolve_settings((dir.path() / "missing.ini").string(), {}, {}), Catch::Contains("does not exist"));
  CHECK_THROWS_WITH(resolve_settings("", {{"STEWARD_PORT", "http"}}, {}),
                    Catch::Contains("port = 'http' (from environment STEWARD_PORT)"));
  CHECK_THROWS_WITH(resolve_settings("", {}, {{"port", "70000"}}), Catch::Contains("from option --port"));
  CHECK_THROWS_WITH(resolve_settings("", {}, {{"workers", "0"}}), Catch::Contains("workers"));
  CHECK_THROWS_WITH(resolve_settings("", {}, {{"log_level", "loud"}}), Catch::Contains("log_level"));
  CHECK(env_name("data_dir") == "STEWARD_DATA_DIR");
  CHECK(option_name("data_dir") == "data-dir");
}

TEST_CASE("plugin_config hands each plugin its own object and refuses a malformed file", "[unit][settings]") {
  steward::test::TempDir dir;
  auto file = (dir.path() / "plugins.json").string();
  Settings s = resolve_settings("", {}, {{"plugin_config", file}, {"plugin_dir", STEWARD_TEST_PLUGIN_DIR "/throwing"}});

  SECTION("a missing file is an error, not an empty config") {
    steward::PluginRegistry registry;
    CHECK_THROWS_WITH(load_plugins(registry, s), Catch::Matchers::Contains("cannot be read"));
  }
  SECTION("a file that is not an object of objects is refused, naming the entry") {
    std::ofstream(file) << R"({"bash": ["not", "an", "object"]})";
    steward::PluginRegistry registry;
    CHECK_THROWS_WITH(load_plugins(registry, s), Catch::Matchers::Contains("'bash' must be a JSON object"));
    std::ofstream(file) << "not json";
    CHECK_THROWS_WITH(load_plugins(registry, s), Catch::Matchers::Contains("keyed by plugin name"));
  }
  SECTION("a good file loads the plugins") {
    std::ofstream(file) << R"({"bash": {}})";
    steward::PluginRegistry registry;
    load_plugins(registry, s);
    CHECK(registry.tool("bash") != nullptr);
  }
}

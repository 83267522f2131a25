// PluginRegistry against real shared libraries: the broken cases of tests/test_plugins are
// each refused with a reason that names what went wrong; good plugins load; exceptions
// thrown inside a plugin come back as STEWARD_ERROR with their message.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "core/plugins/plugin_registry.hpp"

using steward::PluginInfo;
using steward::PluginRegistry;
using Catch::Matchers::Contains;

namespace {

std::filesystem::path case_dir(const std::string& name) {
  return std::filesystem::path(STEWARD_TEST_PLUGIN_DIR) / name;
}

const std::string kHostAbi = std::to_string(STEWARD_ABI_MAJOR) + "." + std::to_string(STEWARD_ABI_MINOR);

// Loads one case directory into a fresh registry; returns what it reported (copied, since
// the registry dies here).
std::vector<PluginInfo> load_case(const std::string& name) {
  REQUIRE(std::filesystem::is_directory(case_dir(name)));
  PluginRegistry registry;
  registry.load_directory(case_dir(name));
  return registry.plugins();
}

// The one plugin of a case, which must have been refused.
PluginInfo refused_one(const std::string& name) {
  auto infos = load_case(name);
  REQUIRE(infos.size() == 1);
  const PluginInfo& info = infos[0];
  INFO("file: " << info.file << "\nerror: " << info.error);
  CHECK(info.status == "refused");
  CHECK_FALSE(info.error.empty());
  CHECK(std::filesystem::path(info.file).parent_path().string() == case_dir(name).string());
  return info;
}

// Collects what a plugin call reports, as the run engine would.
class RecordingCall : public steward::CallContext {
 public:
  bool on_output(steward_stream stream, std::string_view chunk) override {
    (stream == STEWARD_STREAM_STDERR ? err : out) += chunk;
    return true;
  }
  std::string out, err;
};

}  // namespace

TEST_CASE("plugin registry: a plugin for another ABI major is refused, naming it and both versions",
          "[unit][plugins]") {
  PluginInfo info = refused_one("abi_major");
  CHECK(info.name == "future_major");
  CHECK(info.version == "9.9.9");
  CHECK(info.abi == "2.0");
  CHECK_THAT(info.error, Contains("'future_major'"));
  CHECK_THAT(info.error, Contains("9.9.9"));
  CHECK_THAT(info.error, Contains("ABI 2.0"));
  CHECK_THAT(info.error, Contains("provides " + kHostAbi));
}

TEST_CASE("plugin registry: a plugin needing a newer ABI minor than the host's is refused", "[unit][plugins]") {
  PluginInfo info = refused_one("abi_minor");
  const std::string wanted = std::to_string(STEWARD_ABI_MAJOR) + "." + std::to_string(STEWARD_ABI_MINOR + 1);
  CHECK(info.name == "newer_minor");
  CHECK(info.abi == wanted);
  CHECK_THAT(info.error, Contains("'newer_minor'"));
  CHECK_THAT(info.error, Contains("ABI " + wanted));
  CHECK_THAT(info.error, Contains("provides " + kHostAbi));
}

TEST_CASE("plugin registry: a library without steward_plugin_entry is refused", "[unit][plugins]") {
  PluginInfo info = refused_one("no_entry");
  CHECK(info.name.empty());
  CHECK_THAT(info.error, Contains("does not export steward_plugin_entry"));
  CHECK_THAT(info.error, Contains("not a Steward plugin"));
}

TEST_CASE("plugin registry: a library with an undefined symbol fails at load (RTLD_NOW) and is refused",
          "[unit][plugins]") {
  PluginInfo info = refused_one("undefined_symbol");
  CHECK_THAT(info.error, Contains("cannot be loaded"));
  CHECK_THAT(info.error, Contains("undefined symbol"));
  CHECK_THAT(info.error, Contains("steward_test_symbol_nobody_defines"));
}

TEST_CASE("plugin registry: a file that is not a shared library is refused with dlopen's reason", "[unit][plugins]") {
  PluginInfo info = refused_one("garbage");
  CHECK_THAT(info.file, Contains("garbage.so"));
  CHECK_THAT(info.error, Contains("cannot be loaded"));
  CHECK_THAT(info.error, Contains("garbage.so"));
  // dlopen's own words (e.g. "invalid ELF header"), not Boost's unrelated errno text.
  CHECK_THAT(info.error, !Contains("Bad file descriptor"));
}

TEST_CASE("plugin registry: an entry point returning NULL is refused", "[unit][plugins]") {
  PluginInfo info = refused_one("null_entry");
  CHECK_THAT(info.error, Contains("returned no descriptor"));
  CHECK_THAT(info.error, Contains("host ABI " + kHostAbi));
}

TEST_CASE("plugin registry: a descriptor whose struct_size is too small is refused", "[unit][plugins]") {
  SECTION("too small to even read the name") {
    PluginInfo info = refused_one("tiny_struct");
    CHECK(info.name.empty());
    CHECK_THAT(info.error, Contains("descriptor too small (8 bytes)"));
  }
  SECTION("readable name, but missing the functions ABI 1.0 requires") {
    PluginInfo info = refused_one("short_struct");
    CHECK(info.name == "short_struct");
    CHECK_THAT(info.error, Contains("'short_struct'"));
    CHECK_THAT(info.error, Contains("descriptor too small for ABI 1.0"));
  }
}

TEST_CASE("plugin registry: an invalid plugin name is refused", "[unit][plugins]") {
  PluginInfo info = refused_one("bad_name");
  CHECK_THAT(info.error, Contains("'Bad-Name'"));
  CHECK_THAT(info.error, Contains("is invalid"));
  CHECK_THAT(info.error, Contains("[a-z][a-z0-9_]{0,63}"));
}

TEST_CASE("plugin registry: kind 0 (STEWARD_KIND_INVALID) is refused", "[unit][plugins]") {
  PluginInfo info = refused_one("kind_zero");
  CHECK(info.kind.empty());
  CHECK_THAT(info.error, Contains("'kind_zero'"));
  CHECK_THAT(info.error, Contains("unknown kind 0"));
}

TEST_CASE("plugin registry: a tool without run() is refused", "[unit][plugins]") {
  PluginInfo info = refused_one("no_run");
  CHECK_THAT(info.error, Contains("'no_run'"));
  CHECK_THAT(info.error, Contains("lacks a required function"));
  CHECK_THAT(info.error, Contains("run"));
}

TEST_CASE("plugin registry: an args schema that is not JSON, or not an object, is refused", "[unit][plugins]") {
  SECTION("not JSON") {
    PluginInfo info = refused_one("bad_schema");
    CHECK_THAT(info.error, Contains("'bad_schema'"));
    CHECK_THAT(info.error, Contains("args_schema_json is not valid JSON"));
  }
  SECTION("JSON, but not an object") {
    PluginInfo info = refused_one("schema_not_object");
    CHECK_THAT(info.error, Contains("'schema_not_object'"));
    CHECK_THAT(info.error, Contains("not a JSON object"));
  }
}

TEST_CASE("plugin registry: a plugin whose create() fails is refused with its message", "[unit][plugins]") {
  PluginInfo info = refused_one("create_fails");
  CHECK(info.name == "create_fails");
  CHECK_THAT(info.error, Contains("'create_fails'"));
  CHECK_THAT(info.error, Contains("failed to start"));
  CHECK_THAT(info.error, Contains("cannot open /nonexistent/credentials.json: No such file or directory"));
}

TEST_CASE("plugin registry: a second tool with a taken name is refused, naming the first file", "[unit][plugins]") {
  PluginRegistry registry;
  registry.load_directory(case_dir("duplicate"));
  const auto& infos = registry.plugins();
  REQUIRE(infos.size() == 2);
  const std::string first = (case_dir("duplicate") / "twin_a.so").string();
  CHECK(infos[0].file == first);
  CHECK(infos[0].status == "loaded");
  CHECK(infos[1].file == (case_dir("duplicate") / "twin_b.so").string());
  CHECK(infos[1].status == "refused");
  CHECK_THAT(infos[1].error, Contains("'twin'"));
  CHECK_THAT(infos[1].error, Contains("already loaded from " + first));
  REQUIRE(registry.tool("twin") != nullptr);
  CHECK(registry.tool("twin")->file() == first);
}

TEST_CASE("plugin registry: a tool and an automation type may share a name (names are unique per kind)",
          "[unit][plugins]") {
  PluginRegistry registry;
  registry.load_directory(case_dir("same_name"));
  REQUIRE(registry.plugins().size() == 2);
  for (const auto& info : registry.plugins()) {
    INFO(info.file << ": " << info.error);
    CHECK(info.status == "loaded");
    CHECK(info.name == "mirror");
  }
  const steward::Plugin* tool = registry.tool("mirror");
  const steward::Plugin* type = registry.automation_type("mirror");
  REQUIRE(tool != nullptr);
  REQUIRE(type != nullptr);
  CHECK(tool != type);
  CHECK(tool->kind() == STEWARD_KIND_TOOL);
  CHECK(type->kind() == STEWARD_KIND_AUTOMATION_TYPE);

  RecordingCall call;
  CHECK(tool->run(call, "{}") == STEWARD_OK);
  CHECK(call.out == "mirror tool\n");
}

TEST_CASE("plugin registry: a refused plugin does not stop the next ones from loading", "[unit][plugins]") {
  PluginRegistry registry;
  registry.load_directory(case_dir("garbage"));
  registry.load_directory(case_dir("abi_major"));
  registry.load_directory(case_dir("same_name"));
  REQUIRE(registry.plugins().size() == 4);
  CHECK(registry.plugins()[0].status == "refused");
  CHECK(registry.plugins()[1].status == "refused");
  CHECK(registry.tool("mirror") != nullptr);
  CHECK(registry.tool("future_major") == nullptr);
}

TEST_CASE("plugin registry: a missing plugin directory is skipped", "[unit][plugins]") {
  PluginRegistry registry;
  CHECK_NOTHROW(registry.load_directory(case_dir("no_such_case")));
  CHECK(registry.plugins().empty());
}

TEST_CASE("plugin registry: an exception thrown inside a plugin comes back as STEWARD_ERROR with its message",
          "[unit][plugins]") {
  PluginRegistry registry;
  registry.load_directory(case_dir("throwing"));
  const steward::Plugin* thrower = registry.tool("thrower");
  REQUIRE(thrower != nullptr);

  SECTION("a std::exception from run()") {
    RecordingCall call;
    CHECK(thrower->run(call, "{}") == STEWARD_ERROR);
    CHECK(call.error == "thrower: the disk is on fire");
    CHECK(call.out == "about to throw\n");
  }
  SECTION("something that is not a std::exception") {
    RecordingCall call;
    CHECK(thrower->run(call, R"({"throw":"int"})") == STEWARD_ERROR);
    CHECK(call.error == "unknown exception in plugin");
  }
  SECTION("a std::exception from plan()") {
    const steward::Plugin* planner = registry.automation_type("throwing_planner");
    REQUIRE(planner != nullptr);
    steward::PlanCall call;
    CHECK(planner->plan(call, "{}") == STEWARD_ERROR);
    CHECK(call.error == "planner: cannot plan today");
  }
  SECTION("the plugin still works after throwing") {
    RecordingCall first, second;
    CHECK(thrower->run(first, "{}") == STEWARD_ERROR);
    CHECK(thrower->run(second, "{}") == STEWARD_ERROR);
    CHECK(second.error == "thrower: the disk is on fire");
  }
}

TEST_CASE("plugin registry: the in-tree plugins load with kind, version and schema", "[unit][plugins]") {
  PluginRegistry registry;
  registry.load_directory(STEWARD_PLUGIN_BUILD_DIR);

  auto find = [&](const std::string& name) -> const PluginInfo* {
    for (const auto& info : registry.plugins())
      if (info.name == name) return &info;
    return nullptr;
  };
  struct Expected {
    const char* name;
    const char* kind;
  };
  for (const Expected& e : {Expected{"bash", "tool"}, Expected{"script", "automation_type"},
                            Expected{"sequence", "automation_type"}}) {
    INFO("plugin " << e.name);
    const PluginInfo* info = find(e.name);
    REQUIRE(info != nullptr);
    CHECK(info->status == "loaded");
    CHECK(info->error.empty());
    CHECK(info->kind == e.kind);
    CHECK_FALSE(info->version.empty());
    CHECK_FALSE(info->description.empty());
    CHECK(info->abi == kHostAbi);
    CHECK(info->args_schema.is_object());
    CHECK(info->args_schema.value("type", "") == "object");
    CHECK(std::filesystem::path(info->file).filename().string() == std::string(e.name) + ".so");
  }
  CHECK(find("bash")->args_schema["required"] == nlohmann::json::array({"command"}));
  CHECK(find("sequence")->args_schema["required"] == nlohmann::json::array({"steps"}));

  REQUIRE(registry.tool("bash") != nullptr);
  CHECK(registry.automation_type("script") != nullptr);
  CHECK(registry.automation_type("sequence") != nullptr);
  CHECK(registry.tool("sequence") == nullptr);

  // The bash tool runs through the same C callbacks the engine uses.
  RecordingCall call;
  CHECK(registry.tool("bash")->run(call, R"({"command":"echo out; echo err >&2"})") == STEWARD_OK);
  CHECK(call.out == "out\n");
  CHECK(call.err == "err\n");
  CHECK(nlohmann::json::parse(call.result)["exit_code"] == 0);
}

// The .deb as an operator gets it: cpack builds it from the already-built tree into a temp
// dir, `dpkg-deb -x` unpacks it into a scratch root, and the daemon is started from there.
// It must find its plugins and templates relative to <root>/usr/bin/steward, not the build.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using steward::test::TempDir;
using steward::test::run_shell;
using steward::test::spawn_program;

extern char** environ;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::set<std::string> files_in(const fs::path& dir, const std::string& extension) {
  std::set<std::string> names;
  if (!fs::is_directory(dir)) return names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == extension) names.insert(e.path().filename().string());
  return names;
}

bool executable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0; }

}  // namespace

TEST_CASE("the .deb builds, unpacks into a scratch root with the full layout, and its daemon runs from there",
          "[runtime][packaging]") {
  TempDir tmp;
  const fs::path pkg_dir = tmp.path() / "pkg";
  const fs::path root = tmp.path() / "root";
  const fs::path build = STEWARD_BUILD_DIR;
  const fs::path source = STEWARD_SOURCE_DIR;

  // 1. cpack from the build tree (no rebuild: the package rule installs what is built).
  auto cpack = run_shell(std::string("'") + STEWARD_CPACK_COMMAND + "' -G DEB --config '" +
                     (build / "CPackConfig.cmake").string() + "' -B '" + pkg_dir.string() + "'");
  INFO("cpack:\n" << cpack.second);
  REQUIRE(cpack.first == 0);
  std::vector<fs::path> debs;
  for (const auto& e : fs::directory_iterator(pkg_dir))
    if (e.path().extension() == ".deb") debs.push_back(e.path());
  REQUIRE(debs.size() == 1);
  const std::string deb = debs[0].string();
  CHECK(debs[0].filename().string().rfind("steward_", 0) == 0);

  // 2. Control data: name, dependencies (adduser for the postinst, shared libraries), scripts.
  auto fields = run_shell("dpkg-deb -f '" + deb + "' Package Version Depends");
  INFO("control:\n" << fields.second);
  REQUIRE(fields.first == 0);
  CHECK(contains(fields.second, "Package: steward\n"));
  CHECK(contains(fields.second, "adduser"));
  CHECK(contains(fields.second, "libc6"));
  CHECK(contains(fields.second, "libpoco"));
  const fs::path control = tmp.path() / "control";
  REQUIRE(run_shell("dpkg-deb -e '" + deb + "' '" + control.string() + "'").first == 0);
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    CHECK(executable(control / script));
    CHECK(run_shell("sh -n '" + (control / script).string() + "'").first == 0);
  }
  const std::string postinst = read_text(control / "postinst");
  CHECK(contains(postinst, "adduser --system"));
  CHECK(contains(postinst, "--home /var/lib/steward"));
  CHECK(contains(postinst, "nologin"));
  CHECK_FALSE(contains(read_text(control / "postrm"), "rm -"));  // data stays on remove and purge

  // 3. Unpack and check the layout.
  REQUIRE(run_shell("dpkg-deb -x '" + deb + "' '" + root.string() + "'").first == 0);
  const fs::path steward = root / "usr/bin/steward";
  REQUIRE(executable(steward));
  const std::set<std::string> built_plugins = files_in(STEWARD_PLUGIN_BUILD_DIR, ".so");
  REQUIRE(!built_plugins.empty());
  CHECK(files_in(root / "usr/lib/steward/plugins", ".so") == built_plugins);
  const std::set<std::string> templates = files_in(source / "templates", ".json");
  CHECK(files_in(root / "usr/share/steward/templates", ".json") == templates);
  CHECK(fs::exists(root / "usr/include/steward/plugin.h"));
  CHECK(fs::exists(root / "usr/include/steward/plugin.hpp"));
  bool sdk_config = false;
  for (const auto& e : fs::recursive_directory_iterator(root / "usr/lib"))
    if (e.path().filename() == "StewardSDKConfig.cmake") sdk_config = true;
  CHECK(sdk_config);
  CHECK(fs::exists(root / "usr/share/doc/steward/README.md"));
  for (const auto& doc : files_in(source / "docs", ".md")) CHECK(fs::exists(root / "usr/share/doc/steward" / doc));
  CHECK(fs::exists(root / "usr/share/bash-completion/completions/steward"));
  const std::string unit = read_text(root / "usr/lib/systemd/system/steward.service");
  for (const char* line : {"User=steward", "ExecStart=/usr/bin/steward serve --data-dir /var/lib/steward",
                           "StateDirectory=steward", "ProtectSystem=strict", "ProtectHome=yes",
                           "NoNewPrivileges=yes", "PrivateTmp=yes", "Restart=on-failure", "LimitNOFILE=65536"})
    CHECK(contains(unit, std::string(line) + "\n"));
  const std::string agent_unit = read_text(root / "usr/lib/systemd/system/steward-agent.service");
  CHECK(contains(agent_unit, "ExecStart=/usr/bin/steward agent run --config /etc/steward/agent.json\n"));
  // systemd's own parser, where there is one: no unknown key, no value it would ignore.
  if (run_shell("command -v systemd-analyze").first == 0) {
    auto verify = run_shell("systemd-analyze verify '" + (root / "usr/lib/systemd/system/steward.service").string() +
                        "' '" + (root / "usr/lib/systemd/system/steward-agent.service").string() + "'");
    INFO("systemd-analyze verify:\n" << verify.second);
    CHECK_FALSE(contains(verify.second, "ignoring"));
    CHECK_FALSE(contains(verify.second, "Unknown"));
  }

  // 4. `plugins list` from the unpacked root: every plugin loaded from the root, none refused.
  auto listed = run_shell("env -u STEWARD_PLUGIN_DIR -u STEWARD_PLUGIN_CONFIG '" + steward.string() +
                      "' plugins list --json");
  INFO("plugins list:\n" << listed.second);
  REQUIRE(listed.first == 0);
  auto list = nlohmann::json::parse(listed.second);
  CHECK(list.size() == built_plugins.size());
  for (const auto& p : list) {
    CHECK(p["status"] == "loaded");
    CHECK(p["file"].get<std::string>().rfind((root / "usr/lib/steward/plugins").string(), 0) == 0);
  }

  // 5. The daemon from the root: /health, its plugins over the API, its template library.
  const fs::path data = tmp.path() / "data";
  const std::string out_file = (tmp.path() / "serve.out").string(), err_file = (tmp.path() / "serve.err").string();
  pid_t pid = spawn_program({steward.string(), "serve", "--data-dir", data.string(), "--port", "0", "--device-port", "0",
                     "--bind", "127.0.0.1"},
                    {}, out_file, err_file);
  int port = 0;
  std::string key;
  static const std::regex kListening("listening on http://[0-9.]+:([0-9]+)");
  static const std::regex kKey("\\b(stw_[a-z2-7]+)\\b");
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
       std::chrono::steady_clock::now() < deadline && key.empty();) {
    std::string out = read_text(out_file);
    std::smatch m;
    if (std::regex_search(out, m, kListening)) port = std::stoi(m[1]);
    if (std::regex_search(out, m, kKey)) key = m[1];
    if (key.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  INFO("serve stdout:\n" << read_text(out_file) << "\nstderr:\n" << read_text(err_file));
  if (port == 0 || key.empty()) steward::test::stop_process(pid, SIGKILL, std::chrono::seconds(5));
  REQUIRE(port != 0);
  REQUIRE(!key.empty());

  auto health = steward::test::http(port, "GET", "/health");
  CHECK(health.status == 200);
  auto plugins = steward::test::api(port, key, "GET", "/api/plugins");
  CHECK(plugins.status == 200);
  if (plugins.status == 200) {
    auto body = plugins.json();
    const auto& items = body.is_array() ? body : body["plugins"];
    CHECK(items.size() == built_plugins.size());
    for (const auto& p : items) CHECK(p["status"] == "loaded");
  }
  auto library = steward::test::api(port, key, "GET", "/api/automations/templates");
  CHECK(library.status == 200);
  if (library.status == 200) CHECK(library.json().size() == templates.size());

  int status = steward::test::stop_process(pid, SIGTERM, std::chrono::seconds(20));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

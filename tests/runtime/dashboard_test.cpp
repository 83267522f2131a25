// The dashboard's static files, served by a real daemon: GET / and GET /ui/{file} with the
// right Content-Type, ETag/If-None-Match (304) and Cache-Control, public; 404 JSON for
// missing files; nothing outside the dashboard directory is reachable (dot-dot in every
// spelling, hidden files, unknown extensions); the setting dashboard_dir; and
// GET /api/keys/self for each key kind.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "tests/support/daemon.hpp"
#include "tests/support/temp_dir.hpp"

using namespace steward::test;
using nlohmann::json;

namespace {

std::string header(const HttpResult& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size(); ++i) same = same && std::tolower(static_cast<unsigned char>(k[i])) == std::tolower(static_cast<unsigned char>(name[i]));
    if (same) return v;
  }
  return "";
}

void write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file) << text;
}

}  // namespace

TEST_CASE("dashboard: GET / and /ui/{file} serve the installed files, public, with types and validators", "[runtime][dashboard]") {
  Daemon d;  // the build tree's share/steward/dashboard, found beside the binary
  auto page = http(d.port(), "GET", "/");
  REQUIRE(page.status == 200);
  CHECK(header(page, "Content-Type") == "text/html; charset=utf-8");
  CHECK(page.body.find("<script type=\"module\" src=\"/ui/app.js\">") != std::string::npos);
  CHECK(header(page, "Cache-Control") == "no-cache");
  CHECK(header(page, "X-Content-Type-Options") == "nosniff");
  CHECK(header(page, "Content-Security-Policy").find("script-src 'self'") != std::string::npos);
  std::string etag = header(page, "ETag");
  REQUIRE(etag.size() > 2);
  CHECK(etag.front() == '"');

  auto js = http(d.port(), "GET", "/ui/app.js");
  CHECK(js.status == 200);
  CHECK(header(js, "Content-Type") == "text/javascript; charset=utf-8");
  auto css = http(d.port(), "GET", "/ui/style.css");
  CHECK(css.status == 200);
  CHECK(header(css, "Content-Type") == "text/css; charset=utf-8");
  CHECK(header(css, "ETag") != etag);  // per file

  // Revalidation: the same ETag is a 304 without a body; a stale one gets the file.
  auto same = http(d.port(), "GET", "/", "", {{"If-None-Match", etag}});
  CHECK(same.status == 304);
  CHECK(same.body.empty());
  CHECK(http(d.port(), "GET", "/", "", {{"If-None-Match", "\"stale\""}}).status == 200);

  auto missing = http(d.port(), "GET", "/ui/nosuch.js");
  CHECK(missing.status == 404);
  CHECK(missing.json()["error"]["code"] == "not_found");
  CHECK(http(d.port(), "POST", "/ui/app.js").status == 405);
}

TEST_CASE("dashboard: no path reaches a file outside the dashboard directory", "[runtime][dashboard]") {
  TempDir root;
  auto dir = root.path() / "dashboard";
  std::filesystem::create_directories(dir / "sub");
  write(dir / "index.html", "<!doctype html><title>t</title>");
  write(dir / "ok.js", "export const ok = 1;");
  write(dir / ".hidden.js", "SECRET-HIDDEN");
  write(dir / "run.sh", "SECRET-SHELL");
  write(dir / "sub" / "nested.js", "SECRET-NESTED");
  write(root.path() / "secret.js", "SECRET-OUTSIDE");
  write(root.path() / "secret.txt", "SECRET-OUTSIDE");
  Daemon d(DaemonOptions{.extra_args = {"--dashboard-dir", dir.string()}});

  CHECK(http(d.port(), "GET", "/ui/ok.js").status == 200);  // the setting is what is served
  for (const std::string path :
       {"/ui/../secret.js", "/ui/..%2Fsecret.js", "/ui/%2e%2e%2fsecret.js", "/ui/..%2F..%2Fsecret.txt", "/ui/..",
        "/ui/%2E%2E", "/ui/.hidden.js", "/ui/run.sh", "/ui/sub%2Fnested.js", "/ui/sub/nested.js",
        "/ui/%2Fetc%2Fpasswd", "/ui/ok.js%00.txt", "/ui/..%5Csecret.js", "/../secret.js"}) {
    INFO(path);
    auto r = http(d.port(), "GET", path);
    CHECK((r.status == 404 || r.status == 400));
    CHECK(r.body.find("SECRET") == std::string::npos);
    CHECK(r.body.find("root:") == std::string::npos);
  }
}

TEST_CASE("dashboard: without its files, / says the dashboard is not installed and where it looked", "[runtime][dashboard]") {
  TempDir empty;
  Daemon d(DaemonOptions{.extra_args = {"--dashboard-dir", (empty.path() / "none").string()}});
  auto r = http(d.port(), "GET", "/");
  CHECK(r.status == 404);
  CHECK(r.json()["error"]["message"].get<std::string>().find("dashboard_dir") != std::string::npos);
  CHECK(http(d.port(), "GET", "/health").status == 200);  // the API is unaffected
}

TEST_CASE("keys: GET /api/keys/self answers any valid key with its own role and permissions", "[runtime][keys][dashboard]") {
  Daemon d;
  auto admin = d.api("GET", "/api/keys/self");
  REQUIRE(admin.status == 200);
  CHECK(admin.json()["role"] == "admin");
  CHECK(admin.json()["automation_id"].is_null());
  auto perms = admin.json()["permissions"];
  CHECK(std::find(perms.begin(), perms.end(), "admin") != perms.end());
  CHECK(admin.body.find("stw_") == std::string::npos);  // never the secret

  std::string a = d.api("POST", "/api/automations", {{"name", "a"}, {"type", "script"}, {"params", {{"command", "true"}}}})
                      .json()["id"];
  auto task = run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", "single-task", "--automation", a, "--name", "task"});
  REQUIRE(task.exit_code == 0);
  auto self = api(d.port(), last_line(task.out), "GET", "/api/keys/self");
  REQUIRE(self.status == 200);
  CHECK(self.json()["name"] == "task");
  CHECK(self.json()["role"] == "single-task");
  CHECK(self.json()["automation_id"] == a);
  CHECK(self.json()["permissions"] == json::array({"scenario:run", "scenario:history"}));

  auto viewer = run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", "view-only", "--name", "v", "--expires-in", "3600"});
  auto v = api(d.port(), last_line(viewer.out), "GET", "/api/keys/self").json();
  CHECK(v["role"] == "view-only");
  CHECK(std::find(v["permissions"].begin(), v["permissions"].end(), "run") == v["permissions"].end());
  CHECK(v["expires"].is_number_integer());

  CHECK(http(d.port(), "GET", "/api/keys/self").status == 401);
  CHECK(api(d.port(), "stw_" + std::string(48, 'a'), "GET", "/api/keys/self").status == 401);
}

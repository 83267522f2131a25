// GET /metrics from a real daemon: its access rule, the counters after done, failed and
// skipped runs, a clean `promtool check metrics`; and --log-format json: request ids on
// the lines of a request, and no secret (API key, webhook token and secret, pairing code,
// device token) anywhere in the daemon's stdout or stderr.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::string iso(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string create(const Daemon& d, const json& body) {
  auto r = d.api("POST", "/api/automations", body);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.json()["id"];
}

json script(const std::string& name, const std::string& command) {
  return {{"name", name}, {"type", "script"}, {"params", {{"command", command}}}};
}

json run_and_wait(const Daemon& d, const std::string& id) {
  auto r = d.api("POST", "/api/automations/" + id + "/run?wait=1");
  INFO(r.body);
  REQUIRE(r.status < 300);
  return r.json();
}

// The value of one sample line ("name{labels} value"), or -1 when it is absent.
double sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  return -1;
}

struct Promtool {
  int exit_code;
  std::string output;
};

// `promtool check metrics` reads the exposition on stdin and prints every lint problem.
Promtool promtool_check(const std::string& exposition) {
  TempDir dir;
  auto file = (dir.path() / "metrics.txt").string();
  std::ofstream(file) << exposition;
  std::string cmd = "promtool check metrics < '" + file + "' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

bool have_promtool() { return std::system("command -v promtool >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("metrics: scrapes cleanly with promtool and the counters follow done, failed and skipped runs",
          "[runtime][metrics]") {
  REQUIRE(have_promtool());  // Debian package `prometheus`, installed by scripts/deps.sh
  Daemon d;

  // A key with `history` is needed by default; a view-only key is enough.
  auto anonymous = http(d.port(), "GET", "/metrics");
  CHECK(anonymous.status == 401);
  auto viewer = d.api("POST", "/api/keys", {{"name", "prometheus"}, {"role", "view-only"}});
  REQUIRE(viewer.status == 201);
  auto first = d.api_as(viewer.json()["key"], "GET", "/metrics");
  REQUIRE(first.status == 200);
  CHECK(first.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(sample(first.body, "steward_runs_total{status=\"done\",trigger=\"manual\"}") == -1);

  std::string ok = create(d, script("ok", "echo fine"));
  std::string bad = create(d, script("bad", "exit 4"));
  std::string frozen = create(d, script("frozen", "echo never"));
  auto now = std::chrono::system_clock::now();
  auto window = d.api("POST", "/api/maintenance",
                      {{"name", "Freeze"}, {"start", iso(now - 1h)}, {"end", iso(now + 1h)}, {"scope", {frozen}},
                       {"autonomy_override", "disabled"}});
  REQUIRE(window.status == 201);

  CHECK(run_and_wait(d, ok)["status"] == "done");
  CHECK(run_and_wait(d, ok)["status"] == "done");
  CHECK(run_and_wait(d, bad)["status"] == "failed");
  CHECK(run_and_wait(d, frozen)["status"] == "skipped");
  // A webhook call: counted under its route pattern, the token never shown.
  auto hooked = d.api("POST", "/api/automations", json{{"name", "hooked"}, {"type", "script"},
                                                       {"params", {{"command", "echo hook"}}},
                                                       {"webhook", json::object()}});
  REQUIRE(hooked.status == 201);
  std::string token = hooked.json()["webhook_token"];
  auto called = http(d.port(), "POST", "/api/automations/webhook/" + token + "?wait=1", "{}",
                     {{"Content-Type", "application/json"}});
  CHECK(called.status < 300);
  d.wait_for_run(called.json()["run_id"]);
  CHECK(http(d.port(), "GET", "/no/such/path").status == 404);
  // A run held for approval and rejected ends `rejected`: counted too.
  std::string gated = d.api("POST", "/api/automations",
                            json{{"name", "gated"}, {"type", "script"}, {"params", {{"command", "echo no"}}},
                                 {"approval", {{"required", true}}}}).json()["id"];
  std::string apr = d.api("POST", "/api/automations/" + gated + "/run").json()["approval_id"];
  // Someone other than the requester rejects it (nobody decides their own request).
  std::string approver = d.api("POST", "/api/keys", {{"name", "approver"}, {"role", "full-access"}}).json()["key"];
  REQUIRE(d.api_as(approver, "POST", "/api/approvals/" + apr + "/reject", json::object()).status == 200);

  auto scraped = d.api("GET", "/metrics");
  REQUIRE(scraped.status == 200);
  const std::string& text = scraped.body;
  INFO(text);

  auto lint = promtool_check(text);
  INFO("promtool said: " << lint.output);
  CHECK(lint.exit_code == 0);
  CHECK(lint.output.empty());

  CHECK(sample(text, "steward_runs_total{status=\"done\",trigger=\"manual\"}") == 2);
  CHECK(sample(text, "steward_runs_total{status=\"failed\",trigger=\"manual\"}") == 1);
  CHECK(sample(text, "steward_runs_total{status=\"skipped\",trigger=\"manual\"}") == 1);
  CHECK(sample(text, "steward_runs_total{status=\"done\",trigger=\"webhook\"}") == 1);
  CHECK(sample(text, "steward_runs_total{status=\"rejected\",trigger=\"manual\"}") == 1);
  CHECK(sample(text, "steward_run_duration_seconds_count{status=\"done\"}") == 3);
  CHECK(sample(text, "steward_run_duration_seconds_count{status=\"failed\"}") == 1);
  CHECK(sample(text, "steward_run_duration_seconds_count{status=\"skipped\"}") == -1);  // it never ran
  CHECK(sample(text, "steward_runs_queued") == 0);
  CHECK(sample(text, "steward_runs_running") == 0);
  CHECK(sample(text, "steward_devices_connected") == 0);
  CHECK(sample(text, "steward_plugins{status=\"loaded\"}") > 0);
  CHECK(sample(text, "steward_plugins{status=\"refused\"}") == 0);
  CHECK(sample(text, "steward_scheduler_fire_lag_seconds_count") == 0);
  CHECK(sample(text, "steward_http_requests_total{method=\"POST\",route=\"/api/automations/{id}/run\",code=\"200\"}") ==
        5);  // four runs, and the one held for approval
  CHECK(sample(text, "steward_http_requests_total{method=\"GET\",route=\"/metrics\",code=\"401\"}") == 1);
  CHECK(sample(text, "steward_http_requests_total{method=\"GET\",route=\"unmatched\",code=\"404\"}") == 1);
  CHECK(sample(text, "steward_http_request_duration_seconds_count{method=\"GET\",route=\"/metrics\"}") >= 2);
  CHECK(text.find("/api/automations/webhook/{token}") != std::string::npos);
  CHECK(text.find(token) == std::string::npos);
  CHECK(std::regex_search(text, std::regex("\nsteward_build_info\\{version=\"[^\"]+\"\\} 1\n")));
}

TEST_CASE("metrics: a scheduled fire reports its lag", "[runtime][metrics]") {
  Daemon d;
  std::string id = create(d, json{{"name", "every-second"},
                                  {"type", "script"},
                                  {"params", {{"command", "true"}}},
                                  {"schedule", "* * * * * *"}});
  std::string text;
  for (int i = 0; i < 100; ++i) {
    text = d.api("GET", "/metrics").body;
    if (sample(text, "steward_runs_total{status=\"done\",trigger=\"schedule\"}") >= 1) break;
    std::this_thread::sleep_for(100ms);
  }
  INFO(text);
  CHECK(sample(text, "steward_runs_total{status=\"done\",trigger=\"schedule\"}") >= 1);
  CHECK(sample(text, "steward_scheduler_fire_lag_seconds_count") >= 1);
  CHECK(sample(text, "steward_scheduler_last_fire_lag_seconds") >= 0);
  CHECK(sample(text, "steward_scheduler_last_fire_lag_seconds") < 5);
  CHECK(sample(text, "steward_scheduled_automations") == 1);
  CHECK(d.api("DELETE", "/api/automations/" + id).status < 300);
}

TEST_CASE("metrics: metrics_public serves /metrics without a key", "[runtime][metrics]") {
  Daemon d(DaemonOptions{.extra_args = {"--metrics-public", "true"}});
  auto r = http(d.port(), "GET", "/metrics");
  CHECK(r.status == 200);
  CHECK(r.body.find("# TYPE steward_runs_total counter") != std::string::npos);
  // Everything else still needs its key.
  CHECK(http(d.port(), "GET", "/api/plugins").status == 401);
}

TEST_CASE("logs: --log-format json writes one object per line, with request ids and no secrets",
          "[runtime][metrics]") {
  Daemon d(DaemonOptions{.extra_args = {"--log-format", "json", "--log-level", "debug"}});
  const std::string admin = d.admin_key();
  REQUIRE(!admin.empty());

  // An API key, used and also sent wrong.
  auto made = d.api("POST", "/api/keys", {{"name", "ops"}, {"role", "full-access"}});
  REQUIRE(made.status == 201);
  std::string key = made.json()["key"];
  auto listed = d.api_as(key, "GET", "/api/automations");
  CHECK(listed.status == 200);
  std::string request_id = listed.headers["X-Request-Id"];
  REQUIRE(!request_id.empty());
  CHECK(d.api_as(key + "x", "GET", "/api/automations").status == 401);

  // A webhook with a signing secret, called with its token, then with the token in a
  // route that fails inside the handler.
  std::string hook_secret = "whsec-metrics-test-0123456789abcdef";
  auto hooked = d.api_as(key, "POST", "/api/automations",
                         json{{"name", "hooked"}, {"type", "script"}, {"params", {{"command", "echo hook"}}},
                              {"webhook", {{"secret", hook_secret}}}});
  REQUIRE(hooked.status == 201);
  std::string token = hooked.json()["webhook_token"];
  auto called = http(d.port(), "POST", "/api/automations/webhook/" + token, "{\"a\":1}",
                     {{"Content-Type", "application/json"}});
  CHECK(called.status < 500);
  CHECK(http(d.port(), "POST", "/api/automations/webhook/" + token + "nope", "{}").status == 404);

  // A device paired over HTTP: the code is claimed, the device gets its token; the token
  // is also sent as a ?token= query where a key may come that way.
  auto code = d.api_as(key, "POST", "/api/devices/pair");
  REQUIRE(code.status == 201);
  std::string pairing_code = code.json()["code"];
  auto claimed = http(d.port(), "POST", "/api/devices/pair/claim",
                      json{{"code", pairing_code}, {"name", "nas"}, {"platform", "Linux"}}.dump(),
                      {{"Content-Type", "application/json"}});
  REQUIRE(claimed.status == 201);
  std::string device_token = claimed.json()["token"];
  CHECK(http(d.port(), "GET", "/api/automations/runs/run_x/stream?token=" + device_token).status == 401);

  d.stop(SIGTERM);
  std::string out = d.stdout_text(), err = d.stderr_text();

  // Every stderr line is one JSON object with the four fields.
  std::istringstream lines(err);
  std::string line;
  int count = 0;
  bool request_line = false;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    ++count;
    INFO(line);
    auto j = json::parse(line, nullptr, false);
    REQUIRE(j.is_object());
    for (const char* field : {"ts", "level", "component", "message"}) CHECK(j.contains(field));
    if (j.value("request_id", "") == request_id) {
      request_line = true;
      CHECK(j["message"].get<std::string>().rfind("GET /api/automations -> 200 (", 0) == 0);
    }
  }
  CHECK(count > 5);
  CHECK(request_line);  // the access line of that request carries its X-Request-Id

  // No secret in either stream. The admin key is printed once, by design, on first start.
  INFO(out);
  INFO(err);
  for (const std::string& secret : {key, token, hook_secret, device_token}) {
    CHECK(out.find(secret) == std::string::npos);
    CHECK(err.find(secret) == std::string::npos);
  }
  std::regex code_word("(^|[^0-9])" + pairing_code + "([^0-9]|$)");
  CHECK(!std::regex_search(out, code_word));
  CHECK(!std::regex_search(err, code_word));
  CHECK(err.find(admin) == std::string::npos);
  CHECK(out.find(admin) == out.rfind(admin));
}

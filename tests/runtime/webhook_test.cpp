// Webhooks against a real daemon: the token runs the automation with its payload safely
// injected; a bad signature, a replay, a stale timestamp, a wrong token, a disabled
// automation and a flood each get their answer; rotation retires the old token; the
// policies (maintenance, approval) apply; the token never reaches the logs.
#include <catch2/catch.hpp>
#include <ctime>
#include <filesystem>

#include "core/util/digest.hpp"
#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;

namespace {

struct Hooked {
  std::string id, token;
};

Hooked create(const Daemon& d, json body) {
  auto r = d.api("POST", "/api/automations", body);
  REQUIRE(r.status == 201);
  REQUIRE(r.json().contains("webhook_token"));
  std::string token = r.json()["webhook_token"];
  CHECK(token.rfind("whk_", 0) == 0);
  CHECK(token.size() >= 4 + 26);  // at least 128 bits of base32
  CHECK(r.json()["webhook_url"] == "/api/automations/webhook/" + token);
  return {r.json()["id"], token};
}

HttpResult post_hook(const Daemon& d, const std::string& token, const std::string& body,
                     std::map<std::string, std::string> headers = {}, const std::string& query = "?wait=1") {
  if (!headers.count("Content-Type")) headers["Content-Type"] = "application/json";
  return http(d.port(), "POST", "/api/automations/webhook/" + token + query, body, headers);
}

}  // namespace

TEST_CASE("webhook: a call runs the automation with the payload as data, never as shell", "[runtime][webhooks]") {
  Daemon d;
  auto hook = create(d, {{"name", "echo"}, {"type", "script"}, {"webhook", {{"headers", {"X-Event"}}}},
                         {"params", {{"command", "printf 'msg=%s ev=%s env=%s\\n' {{payload.msg}} {{headers.x-event}} \"$STEWARD_PAYLOAD_MSG\""}}}});
  const std::string marker = (std::filesystem::temp_directory_path() / ("steward-pwned-" + std::to_string(::getpid()))).string();
  const std::string evil = "hi'; touch " + marker + "; echo '$(touch " + marker + ")";
  auto r = post_hook(d, hook.token, json{{"msg", evil}}.dump(), {{"X-Event", "push"}});
  REQUIRE(r.status == 200);
  json run = r.json();
  CHECK(run["status"] == "done");
  CHECK(run["trigger"] == "webhook");
  CHECK(run["output"] == "msg=" + evil + " ev=push env=" + evil + "\n");
  CHECK_FALSE(std::filesystem::exists(marker));

  // Without ?wait: answered at once with the run id.
  auto quick = post_hook(d, hook.token, R"({"msg":"x"})", {}, "");
  REQUIRE(quick.status == 200);
  CHECK(quick.json()["run_id"].get<std::string>().rfind("run_", 0) == 0);
  d.wait_for_run(quick.json()["run_id"]);

  // A form body works too.
  auto form = post_hook(d, hook.token, "msg=from+a+form&x=1", {{"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(form.json()["output"].get<std::string>().rfind("msg=from a form ", 0) == 0);
  // Malformed JSON is a 400, and nothing runs.
  auto bad = post_hook(d, hook.token, "{nope");
  CHECK(bad.status == 400);
  CHECK(bad.json()["error"]["code"] == "invalid_json");
}

TEST_CASE("webhook: wrong token 404, disabled automation 409, flood 429", "[runtime][webhooks]") {
  Daemon d;
  auto hook = create(d, {{"name", "limited"}, {"type", "script"}, {"params", {{"command", "true"}}},
                         {"webhook", {{"rate_limit", 3}}}});
  auto wrong = post_hook(d, "whk_" + std::string(32, 'a'), "{}");
  CHECK(wrong.status == 404);
  CHECK(wrong.json()["error"]["code"] == "not_found");
  CHECK(post_hook(d, hook.id, "{}").status == 404);  // the automation id is not the token

  for (int i = 0; i < 3; ++i) CHECK(post_hook(d, hook.token, "{}", {}, "").status == 200);
  auto flood = post_hook(d, hook.token, "{}", {}, "");
  CHECK(flood.status == 429);
  CHECK(flood.json()["error"]["code"] == "rate_limited");
  CHECK(std::stoi(flood.headers["Retry-After"]) >= 1);

  auto disabled = create(d, {{"name", "off"}, {"type", "script"}, {"params", {{"command", "true"}}},
                             {"enabled", false}, {"webhook", json::object()}});
  auto r = post_hook(d, disabled.token, "{}");
  CHECK(r.status == 409);
  CHECK(r.json()["error"]["code"] == "automation_disabled");
}

TEST_CASE("webhook: signatures, replays and stale timestamps", "[runtime][webhooks]") {
  Daemon d;
  const std::string secret = "a-very-secret-key-123";
  auto hook = create(d, {{"name", "signed"}, {"type", "script"}, {"params", {{"command", "echo ran"}}},
                         {"webhook", {{"secret", secret}, {"require_signature", true}}}});
  const std::string body = R"({"n":1})";
  const std::string ts = std::to_string(std::time(nullptr));
  const std::string sig = "sha256=" + steward::hmac_sha256_hex(secret, ts + "." + body);

  auto unsigned_call = post_hook(d, hook.token, body);
  CHECK(unsigned_call.status == 401);
  CHECK(unsigned_call.json()["error"]["code"] == "signature_required");

  auto good = post_hook(d, hook.token, body, {{"X-Hub-Signature-256", sig}, {"X-Steward-Timestamp", ts}});
  REQUIRE(good.status == 200);
  CHECK(good.json()["output"] == "ran\n");

  auto replay = post_hook(d, hook.token, body, {{"X-Hub-Signature-256", sig}, {"X-Steward-Timestamp", ts}});
  CHECK(replay.status == 401);
  CHECK(replay.json()["error"]["code"] == "replayed");

  auto tampered = post_hook(d, hook.token, R"({"n":2})", {{"X-Hub-Signature-256", sig}, {"X-Steward-Timestamp", ts}});
  CHECK(tampered.status == 401);
  CHECK(tampered.json()["error"]["code"] == "invalid_signature");
  CHECK(tampered.body.find(steward::hmac_sha256_hex(secret, ts + "." + R"({"n":2})")) == std::string::npos);

  const std::string old = std::to_string(std::time(nullptr) - 3600);
  auto stale = post_hook(d, hook.token, body,
                         {{"X-Hub-Signature-256", "sha256=" + steward::hmac_sha256_hex(secret, old + "." + body)},
                          {"X-Steward-Timestamp", old}});
  CHECK(stale.status == 401);
  CHECK(stale.json()["error"]["code"] == "stale_timestamp");

  // The secret is write-only: GET shows that one is set, never what it is.
  auto shown = d.api("GET", "/api/automations/" + hook.id);
  CHECK(shown.json()["webhook"]["has_secret"] == true);
  CHECK(shown.body.find(secret) == std::string::npos);
  CHECK(shown.body.find(hook.token) == std::string::npos);
  CHECK(shown.json()["webhook"]["token_hint"] == hook.token.substr(0, 8) + "…");

  // require_signature without any secret is refused when saved.
  auto no_secret = d.api("POST", "/api/automations", {{"name", "x"}, {"type", "script"}, {"params", {{"command", "true"}}},
                                                        {"webhook", {{"require_signature", true}}}});
  CHECK(no_secret.status == 400);
  CHECK(no_secret.json()["error"]["field"] == "webhook.secret");
}

TEST_CASE("webhook: rotation retires the old token, and PUT keeps the webhook unless told", "[runtime][webhooks]") {
  Daemon d;
  auto hook = create(d, {{"name", "r"}, {"type", "script"}, {"params", {{"command", "echo v1"}}}, {"webhook", json::object()}});
  auto rotated = d.api("POST", "/api/automations/" + hook.id + "/webhook/rotate");
  REQUIRE(rotated.status == 200);
  std::string fresh = rotated.json()["webhook_token"];
  CHECK(fresh != hook.token);
  CHECK(post_hook(d, hook.token, "{}").status == 404);
  CHECK(post_hook(d, fresh, "{}").status == 200);

  // A PUT without "webhook" keeps it (and its token); "webhook": null removes it.
  auto put = d.api("PUT", "/api/automations/" + hook.id, {{"name", "r"}, {"type", "script"}, {"params", {{"command", "echo v2"}}}});
  REQUIRE(put.status == 200);
  CHECK_FALSE(put.json().contains("webhook_token"));
  CHECK(post_hook(d, fresh, "{}").json()["output"] == "v2\n");
  d.api("PUT", "/api/automations/" + hook.id, {{"name", "r"}, {"type", "script"}, {"params", {{"command", "true"}}}, {"webhook", nullptr}});
  CHECK(post_hook(d, fresh, "{}").status == 404);
  CHECK(d.api("GET", "/api/automations/" + hook.id).json()["webhook"].is_null());

  CHECK(d.api("POST", "/api/automations/auto_missing/webhook/rotate").status == 404);
  // Deleting the automation deletes its webhook.
  auto other = create(d, {{"name", "del"}, {"type", "script"}, {"params", {{"command", "true"}}}, {"webhook", json::object()}});
  d.api("DELETE", "/api/automations/" + other.id);
  CHECK(post_hook(d, other.token, "{}").status == 404);
}

TEST_CASE("webhook: maintenance windows and the approval gate apply to webhook runs", "[runtime][webhooks]") {
  Daemon d;
  auto gated = create(d, {{"name", "gated"}, {"type", "script"}, {"params", {{"command", "echo ok"}}},
                          {"approval", {{"required", true}}}, {"webhook", json::object()}});
  auto held = post_hook(d, gated.token, "{}");
  REQUIRE(held.status == 200);
  CHECK(held.json()["status"] == "pending_approval");

  auto paused = create(d, {{"name", "paused"}, {"type", "script"}, {"params", {{"command", "echo no"}}},
                           {"tags", {"db"}}, {"webhook", json::object()}});
  auto window = d.api("POST", "/api/maintenance", {{"name", "freeze"}, {"start", "2020-01-01T00:00:00Z"},
                                                   {"end", "2099-01-01T00:00:00Z"}, {"scope", {paused.id}},
                                                   {"autonomy_override", "disabled"}});
  REQUIRE(window.status == 201);
  auto skipped = post_hook(d, paused.token, "{}");
  REQUIRE(skipped.status == 200);
  CHECK(skipped.json()["status"] == "skipped");
}

TEST_CASE("webhook: the token is not written to the audit log or the daemon's logs", "[runtime][webhooks]") {
  Daemon d;
  auto hook = create(d, {{"name", "quiet"}, {"type", "script"}, {"params", {{"command", "true"}}},
                         {"webhook", {{"secret", "another-secret-key-1"}}}});
  post_hook(d, hook.token, "{}");
  post_hook(d, hook.token, "{}", {{"X-Hub-Signature-256", "sha256=" + std::string(64, 'f')}, {"X-Steward-Timestamp", "1"}});
  auto audit = d.api("GET", "/api/audit?limit=500");
  REQUIRE(audit.status == 200);
  CHECK(audit.body.find(hook.token) == std::string::npos);
  CHECK(audit.body.find("webhook.trigger") != std::string::npos);
  CHECK(audit.body.find("webhook.refused") != std::string::npos);
  CHECK(d.stderr_text().find(hook.token) == std::string::npos);
  CHECK(d.stdout_text().find(hook.token) == std::string::npos);
}

// Maintenance windows with a real daemon: CRUD and every bad input, and what each
// autonomy_override does to runs (skip, hold for approval, run without approval), the
// admin override, activate/deactivate, and a window that opens and closes between runs.
#include <catch2/catch.hpp>
#include <ctime>
#include <thread>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

namespace {

std::string iso(Clock::time_point t) {
  std::time_t secs = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string make_key(const Daemon& d, const std::string& role, const std::string& name) {
  auto r = run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", role, "--name", name});
  REQUIRE(r.exit_code == 0);
  return last_line(r.out);
}

std::string automation(const Daemon& d, const std::string& name, json extra = json::object()) {
  json body = {{"name", name}, {"type", "script"}, {"params", {{"command", "echo " + name}}}};
  body.update(extra);
  auto r = d.api("POST", "/api/automations", body);
  REQUIRE(r.status == 201);
  return r.json()["id"];
}

// A window open from an hour ago to an hour from now.
json open_window(const json& scope, const std::string& override_value, const std::string& name = "Now") {
  auto now = Clock::now();
  return {{"name", name},
          {"start", iso(now - 1h)},
          {"end", iso(now + 1h)},
          {"scope", scope},
          {"autonomy_override", override_value}};
}

std::string create_window(const Daemon& d, const json& body) {
  auto r = d.api("POST", "/api/maintenance", body);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.json()["id"];
}

json run(const Daemon& d, const std::string& id, const json& body = nullptr, const std::string& key = "") {
  auto r = key.empty() ? d.api("POST", "/api/automations/" + id + "/run?wait=1", body)
                       : d.api_as(key, "POST", "/api/automations/" + id + "/run?wait=1", body);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json();
}

bool audited(const Daemon& d, const std::string& action, const std::string& target) {
  json entries = d.api("GET", "/api/audit?action=" + action).json()["entries"];
  for (const auto& e : entries)
    if (e["target"] == target) return true;
  return false;
}

}  // namespace

TEST_CASE("maintenance: create, list, get, replace, delete", "[runtime][maintenance]") {
  Daemon d;
  std::string a = automation(d, "reboot");
  json body = {{"name", "Weekly reboot"},
               {"start", "2026-03-22T03:00:00"},
               {"end", "2026-03-22T04:00:00"},
               {"timezone", "Europe/Berlin"},
               {"recurring", "0 3 * * 0"},
               {"scope", {a, "device_abc", "group_xyz", "tag:nas"}},
               {"autonomy_override", "disabled"}};
  auto created = d.api("POST", "/api/maintenance", body);
  REQUIRE(created.status == 201);
  json w = created.json();
  std::string id = w["id"];
  CHECK(id.rfind("mw_", 0) == 0);
  CHECK(w["name"] == "Weekly reboot");
  CHECK(w["start"] == "2026-03-22T03:00:00");  // as written, local to its time zone
  CHECK(w["end"] == "2026-03-22T04:00:00");
  CHECK(w["timezone"] == "Europe/Berlin");
  CHECK(w["recurring"] == "0 3 * * 0");
  CHECK(w["scope"] == json::array({a, "device_abc", "group_xyz", "tag:nas"}));
  CHECK(w["autonomy_override"] == "disabled");
  CHECK(w["forced"].is_null());
  CHECK(w["active"].is_boolean());
  std::string next = w["next_start"];
  CHECK(next.back() == 'Z');
  CHECK((next.substr(11) == "01:00:00Z" || next.substr(11) == "02:00:00Z"));  // 03:00 CEST or CET

  auto list = d.api("GET", "/api/maintenance");
  REQUIRE(list.status == 200);
  REQUIRE(list.json().size() == 1);
  CHECK(list.json()[0]["id"] == id);
  CHECK(d.api("GET", "/api/maintenance/" + id).json()["name"] == "Weekly reboot");

  // PUT replaces the whole window: unspecified fields take their defaults.
  json replacement = {{"name", "One night"},
                      {"start", "2030-01-01T00:00:00Z"},
                      {"end", "2030-01-01T02:00:00Z"},
                      {"scope", {"tag:nas"}},
                      {"autonomy_override", "approval"}};
  auto put = d.api("PUT", "/api/maintenance/" + id, replacement);
  REQUIRE(put.status == 200);
  json r = d.api("GET", "/api/maintenance/" + id).json();
  CHECK(r["name"] == "One night");
  CHECK(r["timezone"] == "UTC");
  CHECK(r["recurring"].is_null());
  CHECK(r["start"] == "2030-01-01T00:00:00");
  CHECK(r["active"] == false);
  CHECK(r["next_start"] == "2030-01-01T00:00:00Z");
  CHECK(r["autonomy_override"] == "approval");
  CHECK(r["created"] == w["created"]);

  CHECK(d.api("PUT", "/api/maintenance/mw_nosuch", replacement).status == 404);
  CHECK(d.api("GET", "/api/maintenance/mw_nosuch").status == 404);
  CHECK(d.api("POST", "/api/maintenance/mw_nosuch/activate").status == 404);
  CHECK(d.api("POST", "/api/maintenance/mw_nosuch/deactivate").status == 404);
  auto del = d.api("DELETE", "/api/maintenance/" + id);
  CHECK(del.status == 200);
  CHECK(d.api("GET", "/api/maintenance/" + id).status == 404);
  CHECK(d.api("DELETE", "/api/maintenance/" + id).status == 404);
  CHECK(d.api("GET", "/api/maintenance").json().empty());

  // Readers may list; only writers may change.
  std::string viewer = make_key(d, "view-only", "vera");
  CHECK(d.api_as(viewer, "GET", "/api/maintenance").status == 200);
  CHECK(d.api_as(viewer, "POST", "/api/maintenance", body).status == 403);
}

TEST_CASE("maintenance: every bad input is a 400 naming the field", "[runtime][maintenance]") {
  Daemon d;
  std::string a = automation(d, "x");
  json good = {{"name", "w"},
               {"start", "2026-03-22T03:00:00"},
               {"end", "2026-03-22T04:00:00"},
               {"scope", {a}},
               {"autonomy_override", "disabled"}};
  auto with = [&](const std::string& key, json value) {
    json b = good;
    if (value.is_null()) b.erase(key);
    else b[key] = value;
    return b;
  };
  struct Case {
    json body;
    std::string field;
    std::string says;
  };
  for (const auto& c : std::vector<Case>{
           {with("name", nullptr), "name", "is required"},
           {with("name", ""), "name", "at least 1"},
           {with("scope", nullptr), "scope", "is required"},
           {with("autonomy_override", nullptr), "autonomy_override", "is required"},
           {with("colour", "red"), "colour", "not a known field"},
           {with("recurring", "61 * * * *"), "recurring", ""},
           {with("recurring", "every sunday"), "recurring", ""},
           {with("recurring", 5), "recurring", "must be"},
           {with("end", "2026-03-22T03:00:00"), "end", "after start"},
           {with("end", "2026-03-21T04:00:00"), "end", "after start"},
           {with("scope", json::array()), "scope", "empty scope is not allowed"},
           {with("scope", {a, "auto_nosuchthing"}), "scope[1]", "unknown scope id"},
           {with("scope", {"monitor_abc"}), "scope[0]", "unknown scope id"},
           {with("scope", {"device_"}), "scope[0]", "device_"},
           {with("scope", {"group_a b"}), "scope[0]", "group_"},
           {with("scope", {"tag:"}), "scope[0]", "tag:NAME"},
           {with("scope", "tag:nas"), "scope", "must be array"},
           {with("autonomy_override", "sometimes"), "autonomy_override", "must be one of"},
           {with("timezone", "Mars/Olympus_Mons"), "timezone", "unknown time zone"},
           {with("start", "2026-02-30T03:00:00"), "start", "not a valid date"},
           {with("start", "next sunday"), "start", "date-time"},
           {with("end", "2026-03-22T25:00:00"), "end", "not a valid date"},
           {with("start", 1774148400), "start", "must be string"},
       }) {
    INFO(c.body.dump());
    auto r = d.api("POST", "/api/maintenance", c.body);
    CHECK(r.status == 400);
    auto err = r.json()["error"];
    CHECK(err["code"] == "invalid_field");
    CHECK(err["field"] == c.field);
    CHECK(err["message"].get<std::string>().find(c.says) != std::string::npos);
  }
  // The cron parser's own message reaches the client.
  auto cron = d.api("POST", "/api/maintenance", with("recurring", "61 * * * *")).json()["error"];
  CHECK(cron["message"].get<std::string>().size() > std::string("recurring: ").size());
  CHECK(d.api("POST", "/api/maintenance", json::array()).status == 400);
  CHECK(d.api("GET", "/api/maintenance").json().empty());  // nothing was stored

  // A bad PUT leaves the window as it was.
  std::string id = create_window(d, good);
  auto bad_put = d.api("PUT", "/api/maintenance/" + id, with("scope", json::array()));
  CHECK(bad_put.status == 400);
  CHECK(d.api("GET", "/api/maintenance/" + id).json()["scope"] == json::array({a}));
}

TEST_CASE("maintenance: a disabled window skips runs in scope by id and by tag", "[runtime][maintenance]") {
  Daemon d;
  std::string by_id = automation(d, "by-id");
  std::string by_tag = automation(d, "by-tag", {{"tags", {"nas"}}});
  std::string outside = automation(d, "outside", {{"tags", {"web"}}});
  std::string w = create_window(d, open_window({by_id, "tag:nas"}, "disabled", "Freeze"));
  CHECK(d.api("GET", "/api/maintenance/" + w).json()["active"] == true);

  for (const auto& id : {by_id, by_tag}) {
    json started = d.api("POST", "/api/automations/" + id + "/run").json();
    CHECK(started["status"] == "skipped");
    auto runs = d.api("GET", "/api/automations/" + id + "/runs").json()["runs"];
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["run_id"] == started["run_id"]);
    CHECK(runs[0]["status"] == "skipped");
    CHECK(runs[0]["trigger"] == "manual");
    CHECK(runs[0]["output"] == "");
    CHECK(runs[0]["reason"] == "maintenance window " + w + " (Freeze) is active");
    CHECK(audited(d, "policy.skipped", started["run_id"]));
    CHECK(d.api("GET", "/api/automations/" + id).json()["last_status"] == "skipped");
  }
  // ?wait=1 answers at once with the skipped run; the v1 trigger is skipped too.
  CHECK(run(d, by_id)["status"] == "skipped");
  CHECK(d.api("POST", "/api/v1/scenarios/" + by_tag + "/run").json()["status"] == "skipped");
  // Not in scope: runs.
  json free_run = run(d, outside);
  CHECK(free_run["status"] == "done");
  CHECK(free_run["output"] == "outside\n");
  CHECK(free_run["reason"].is_null());

  // Strictest wins: a `full` window over the same automation changes nothing.
  create_window(d, open_window({by_id}, "full", "Lenient"));
  CHECK(run(d, by_id)["status"] == "skipped");
}

TEST_CASE("maintenance: an approval window holds runs for approval", "[runtime][maintenance]") {
  Daemon d;
  std::string carol = make_key(d, "full-access", "carol");
  std::string alice = make_key(d, "full-access", "alice");
  std::string id = automation(d, "careful");
  std::string w = create_window(d, open_window({id}, "approval", "Change freeze"));

  auto started = d.api_as(carol, "POST", "/api/automations/" + id + "/run");
  REQUIRE(started.status == 200);
  CHECK(started.json()["status"] == "pending_approval");
  std::string run_id = started.json()["run_id"];
  std::string apr = started.json()["approval_id"];
  auto queue = d.api("GET", "/api/approvals").json();
  REQUIRE(queue.size() == 1);
  CHECK(queue[0]["id"] == apr);
  CHECK(queue[0]["run_id"] == run_id);
  CHECK(queue[0]["title"].get<std::string>().find(w) != std::string::npos);
  CHECK(queue[0]["min_approvals"] == 1);
  CHECK(audited(d, "policy.approval_required", run_id));

  CHECK(d.api_as(carol, "POST", "/api/approvals/" + apr + "/approve").status == 403);  // not your own
  REQUIRE(d.api_as(alice, "POST", "/api/approvals/" + apr + "/approve").status == 200);
  auto done = d.wait_for_run(run_id);
  CHECK(done["status"] == "done");
  CHECK(done["output"] == "careful\n");

  // The automation's own approvers apply when it has them.
  std::string listed = automation(d, "listed", {{"approval", {{"required", false}, {"approvers", {"alice"}}}}});
  create_window(d, open_window({listed}, "approval"));
  auto held = d.api_as(carol, "POST", "/api/automations/" + listed + "/run").json();
  REQUIRE(held["status"] == "pending_approval");
  CHECK(d.api("GET", "/api/approvals/" + held["approval_id"].get<std::string>()).json()["approvers"] ==
        json::array({"alice"}));
}

TEST_CASE("maintenance: a full-autonomy window runs approval-gated automations at once", "[runtime][maintenance]") {
  Daemon d;
  std::string id = automation(d, "gated", {{"approval", {{"required", true}}}});
  CHECK(run(d, id)["status"] == "pending_approval");  // no window yet: the gate holds it
  std::string w = create_window(d, open_window({id}, "full", "Night shift"));
  json r = run(d, id);
  CHECK(r["status"] == "done");
  CHECK(r["output"] == "gated\n");
  CHECK(r["reason"].get<std::string>().find(w) != std::string::npos);
  CHECK(audited(d, "policy.full_autonomy", r["run_id"]));
  CHECK(d.api("GET", "/api/approvals").json().size() == 1);  // only the one from before
}

TEST_CASE("maintenance: an admin may override a window, others may not", "[runtime][maintenance]") {
  Daemon d;
  std::string full = make_key(d, "full-access", "fred");
  std::string id = automation(d, "urgent");
  std::string w = create_window(d, open_window({id}, "disabled", "Freeze"));

  json r = run(d, id, {{"override_maintenance", true}});
  CHECK(r["status"] == "done");
  CHECK(r["output"] == "urgent\n");
  std::string reason = r["reason"];
  CHECK(reason.rfind("maintenance override by admin", 0) == 0);
  CHECK(reason.find(w) != std::string::npos);
  CHECK(d.api("GET", "/api/automations/runs/" + r["run_id"].get<std::string>()).json()["reason"] == reason);
  CHECK(audited(d, "policy.maintenance_override", r["run_id"]));

  auto refused = d.api_as(full, "POST", "/api/automations/" + id + "/run", {{"override_maintenance", true}});
  CHECK(refused.status == 403);
  CHECK(refused.json()["error"]["code"] == "override_not_allowed");
  CHECK(run(d, id, {{"override_maintenance", false}}, full)["status"] == "skipped");
  CHECK(run(d, id, json::object(), full)["status"] == "skipped");
  CHECK(d.api("POST", "/api/automations/" + id + "/run", {{"override_maintenance", "yes"}}).status == 400);
  auto unknown = d.api("POST", "/api/automations/" + id + "/run", {{"force", true}});
  CHECK(unknown.status == 400);
  CHECK(unknown.json()["error"]["field"] == "force");
}

TEST_CASE("maintenance: activate and deactivate change `active` and what runs", "[runtime][maintenance]") {
  Daemon d;
  std::string id = automation(d, "job");
  auto later = Clock::now() + 24h;
  std::string w = create_window(d, {{"name", "Tomorrow"},
                                    {"start", iso(later)},
                                    {"end", iso(later + 1h)},
                                    {"scope", {id}},
                                    {"autonomy_override", "disabled"}});
  CHECK(d.api("GET", "/api/maintenance/" + w).json()["active"] == false);
  CHECK(run(d, id)["status"] == "done");

  auto on = d.api("POST", "/api/maintenance/" + w + "/activate");
  REQUIRE(on.status == 200);
  CHECK(on.json()["active"] == true);
  CHECK(on.json()["forced"] == "on");
  CHECK(d.api("GET", "/api/maintenance").json()[0]["active"] == true);
  CHECK(run(d, id)["status"] == "skipped");

  auto off = d.api("POST", "/api/maintenance/" + w + "/deactivate");
  REQUIRE(off.status == 200);
  CHECK(off.json()["active"] == false);
  CHECK(off.json()["forced"] == "off");
  CHECK(off.json()["next_start"].is_null());  // a one-off window stays off
  CHECK(run(d, id)["status"] == "done");

  // A recurring window in an occurrence: off until that occurrence ends.
  auto now = Clock::now();
  std::string every = create_window(d, {{"name", "Always"},
                                        {"start", iso(now - 1h)},
                                        {"end", iso(now - 1h + 60s)},
                                        {"recurring", "* * * * *"},
                                        {"scope", {"tag:batch"}},
                                        {"autonomy_override", "disabled"}});
  std::string batch = automation(d, "batch", {{"tags", {"batch"}}});
  CHECK(d.api("GET", "/api/maintenance/" + every).json()["active"] == true);
  CHECK(run(d, batch)["status"] == "skipped");
  json cut = d.api("POST", "/api/maintenance/" + every + "/deactivate").json();
  CHECK(cut["active"] == false);
  CHECK(cut["forced"] == "off");
  std::string until = cut["forced_until"];
  CHECK(until > iso(Clock::now() - 1s));
  CHECK(until <= iso(Clock::now() + 61s));
  CHECK(run(d, batch)["status"] == "done");
  // activate again: on regardless of the schedule.
  CHECK(d.api("POST", "/api/maintenance/" + every + "/activate").json()["active"] == true);
  CHECK(run(d, batch)["status"] == "skipped");
}

TEST_CASE("maintenance: a window that opens and closes between runs", "[runtime][maintenance]") {
  Daemon d;
  std::string id = automation(d, "ticker");
  // Whole seconds: the window opens 2-3 s from now and lasts 3 s.
  auto start = std::chrono::ceil<std::chrono::seconds>(Clock::now()) + 2s;
  auto end = start + 3s;
  create_window(d, {{"name", "Blip"},
                    {"start", iso(start)},
                    {"end", iso(end)},
                    {"scope", {id}},
                    {"autonomy_override", "disabled"}});
  json before = run(d, id);
  REQUIRE(Clock::now() < start);  // the run above really happened before the window
  CHECK(before["status"] == "done");

  std::this_thread::sleep_until(start + 1s);
  json inside = run(d, id);
  CHECK(inside["status"] == "skipped");

  std::this_thread::sleep_until(end + 500ms);
  json after = run(d, id);
  CHECK(after["status"] == "done");

  auto runs = d.api("GET", "/api/automations/" + id + "/runs").json()["runs"];
  REQUIRE(runs.size() == 3);
  CHECK(runs[0]["status"] == "done");     // newest first
  CHECK(runs[1]["status"] == "skipped");
  CHECK(runs[2]["status"] == "done");
}

TEST_CASE("maintenance: a window opens and closes while a schedule fires every second", "[runtime][maintenance]") {
  Daemon d;
  std::string id = automation(d, "ticker", {{"schedule", "* * * * * *"}, {"concurrency", "allow"}});
  // Whole seconds: the window covers [open, close), about 3 s, starting 2 s from now.
  auto now = Clock::now();
  auto open = std::chrono::time_point_cast<std::chrono::seconds>(now) + 2s;
  auto close = open + 3s;
  std::string window = create_window(d, {{"name", "Short"},
                                         {"start", iso(open)},
                                         {"end", iso(close)},
                                         {"scope", {id}},
                                         {"autonomy_override", "disabled"}});
  std::this_thread::sleep_until(close + 2500ms);
  d.api("PUT", "/api/automations/" + id, {{"name", "ticker"}, {"type", "script"}, {"params", {{"command", "true"}}}});

  auto runs = d.api("GET", "/api/automations/" + id + "/runs?limit=500").json()["runs"];
  const long open_s = std::chrono::duration_cast<std::chrono::seconds>(open.time_since_epoch()).count();
  const long close_s = std::chrono::duration_cast<std::chrono::seconds>(close.time_since_epoch()).count();
  int before = 0, inside = 0, after = 0;
  for (const auto& r : runs) {
    INFO(r.dump());
    REQUIRE(r["scheduled"].is_number_integer());
    long at = r["scheduled"];
    if (at >= open_s && at < close_s) {
      ++inside;
      CHECK(r["status"] == "skipped");
      CHECK(r["reason"].get<std::string>().find(window) != std::string::npos);
    } else {
      (at < open_s ? before : after)++;
      CHECK(r["status"] != "skipped");
    }
  }
  CHECK(before >= 1);
  CHECK(inside == 3);
  CHECK(after >= 1);
}

TEST_CASE("maintenance: the calendar lists when each window is in effect", "[runtime][maintenance]") {
  Daemon d;
  // A daily 02:00–03:00 window, a one-off one next week (out of a 7-day span from Monday
  // 2030-01-07), and one forced on.
  create_window(d, {{"name", "Nightly"}, {"start", "2030-01-01T02:00:00"}, {"end", "2030-01-01T03:00:00"},
                    {"recurring", "0 2 * * *"}, {"scope", {"tag:x"}}, {"autonomy_override", "approval"}});
  create_window(d, {{"name", "Later"}, {"start", "2030-01-20T02:00:00"}, {"end", "2030-01-20T03:00:00"},
                    {"scope", {"tag:x"}}, {"autonomy_override", "disabled"}});
  auto r = d.api("GET", "/api/maintenance/calendar?from=2030-01-07T00:00:00Z&days=7");
  INFO(r.body);
  REQUIRE(r.status == 200);
  json cal = r.json();
  CHECK(cal["from"] == "2030-01-07T00:00:00Z");
  CHECK(cal["to"] == "2030-01-14T00:00:00Z");
  CHECK(cal["truncated"] == false);
  REQUIRE(cal["occurrences"].size() == 7);
  CHECK(cal["occurrences"][0]["name"] == "Nightly");
  CHECK(cal["occurrences"][0]["start"] == "2030-01-07T02:00:00Z");
  CHECK(cal["occurrences"][0]["end"] == "2030-01-07T03:00:00Z");
  CHECK(cal["occurrences"][0]["autonomy_override"] == "approval");
  CHECK(cal["occurrences"][0]["forced"].is_null());
  CHECK(cal["occurrences"][6]["start"] == "2030-01-13T02:00:00Z");
  // Unix seconds work as `from` too; a longer span reaches the one-off window.
  json wider = d.api("GET", "/api/maintenance/calendar?from=1894060800&days=14").json();  // 2030-01-08
  REQUIRE(wider["occurrences"].size() == 15);
  // Sorted by start; at the same start, in the order of the list of windows.
  CHECK(wider["occurrences"][12]["start"] == "2030-01-20T02:00:00Z");
  CHECK(wider["occurrences"][13]["name"] == "Later");
  CHECK(wider["occurrences"][13]["start"] == "2030-01-20T02:00:00Z");

  // Forced on: from now to the span's end, whatever the schedule says (default from: now).
  std::string later = create_window(d, {{"name", "Tomorrow"}, {"start", iso(Clock::now() + 24h)},
                                        {"end", iso(Clock::now() + 25h)}, {"scope", {"tag:y"}},
                                        {"autonomy_override", "disabled"}});
  REQUIRE(d.api("POST", "/api/maintenance/" + later + "/activate").status == 200);
  json now = d.api("GET", "/api/maintenance/calendar?days=1").json();
  json forced;
  for (const auto& o : now["occurrences"])
    if (o["window_id"] == later) forced = o;
  REQUIRE(forced.is_object());
  CHECK(forced["forced"] == "on");
  CHECK(forced["start"] == now["from"]);
  CHECK(forced["end"] == now["to"]);

  // Bad input: 400 naming the parameter; a key without `history` is refused.
  CHECK(d.api("GET", "/api/maintenance/calendar?days=0").status == 400);
  CHECK(d.api("GET", "/api/maintenance/calendar?days=32").json()["error"]["field"] == "days");
  CHECK(d.api("GET", "/api/maintenance/calendar?from=yesterday").json()["error"]["field"] == "from");
  std::string job = automation(d, "job");
  auto single = d.api("POST", "/api/keys", {{"name", "one"}, {"role", "single-task"}, {"automation_id", job}});
  REQUIRE(single.status == 201);
  CHECK(d.api_as(single.json()["key"], "GET", "/api/maintenance/calendar").status == 403);
}

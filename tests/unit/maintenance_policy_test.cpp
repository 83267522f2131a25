// Maintenance windows at fixed instants: one-off and recurring (also in a time zone across
// a DST change), forced on/off, scope matching, strictest-wins, and input validation.
#include <catch2/catch.hpp>

#include "core/maintenance/maintenance_input.hpp"
#include "core/maintenance/maintenance_policy.hpp"
#include "core/maintenance/maintenance_recurrence.hpp"
#include "core/maintenance/maintenance_time.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;
using nlohmann::json;

namespace {

// "2026-03-22T03:00:00Z" (or a local time with `zone`) as UTC milliseconds.
std::int64_t at(const std::string& text, const std::string& zone = "UTC") {
  auto parsed = maintenance_time::parse_local(text, zone);
  if (auto* why = std::get_if<std::string>(&parsed)) FAIL(*why);
  return std::get<std::int64_t>(parsed);
}

MaintenanceWindow window(const std::string& start, const std::string& end, const std::string& zone = "UTC",
                         std::optional<std::string> cron = std::nullopt, const std::string& override_value = "disabled") {
  MaintenanceWindow w;
  w.id = "mw_test";
  w.name = "Test";
  w.timezone = zone;
  w.start_ms = at(start, zone);
  w.end_ms = at(end, zone);
  w.recurring = std::move(cron);
  w.scope = {"auto_a"};
  w.autonomy_override = override_value;
  return w;
}

bool active(const MaintenanceWindow& w, const std::string& instant) {
  return is_active(w, next_fire_of(w), at(instant));
}

Automation automation(const std::string& id, json tags = json::array()) {
  Automation a;
  a.id = id;
  a.name = id;
  a.tags = std::move(tags);
  return a;
}

}  // namespace

TEST_CASE("maintenance: local date-times read in the window's time zone", "[unit][maintenance]") {
  CHECK(at("2026-03-22T03:00:00") == 1774148400000);
  CHECK(at("2026-03-22T03:00") == 1774148400000);  // seconds optional
  CHECK(at("2026-03-22T03:00:00Z") == 1774148400000);
  CHECK(at("2026-03-22T03:00:00", "Europe/Berlin") == at("2026-03-22T02:00:00Z"));  // CET, +01:00
  CHECK(at("2026-07-01T09:00:00", "America/New_York") == at("2026-07-01T13:00:00Z"));  // EDT, -04:00
  CHECK(at("2026-03-22T03:00:00+02:00", "America/New_York") == at("2026-03-22T01:00:00Z"));  // offset wins
  // 2026-10-25 02:30 happens twice in Berlin: the first (still CEST, +02:00) is taken.
  CHECK(at("2026-10-25T02:30:00", "Europe/Berlin") == at("2026-10-25T00:30:00Z"));
  // 2026-03-29 02:30 does not exist in Berlin (02:00 -> 03:00).
  CHECK(std::holds_alternative<std::string>(maintenance_time::parse_local("2026-03-29T02:30:00", "Europe/Berlin")));
  CHECK(std::holds_alternative<std::string>(maintenance_time::parse_local("2026-02-30T00:00:00", "UTC")));
  CHECK(std::holds_alternative<std::string>(maintenance_time::parse_local("tomorrow", "UTC")));
  CHECK(maintenance_time::format_local(at("2026-03-22T02:00:00Z"), "Europe/Berlin") == "2026-03-22T03:00:00");
  CHECK(maintenance_time::is_known_zone("UTC"));
  CHECK_FALSE(maintenance_time::is_known_zone("Mars/Olympus_Mons"));
}

TEST_CASE("maintenance: a one-off window is active from its start until its end", "[unit][maintenance]") {
  auto w = window("2026-03-22T03:00:00", "2026-03-22T04:00:00");
  CHECK_FALSE(active(w, "2026-03-22T02:59:59Z"));
  CHECK(active(w, "2026-03-22T03:00:00Z"));
  CHECK(active(w, "2026-03-22T03:59:59Z"));
  CHECK_FALSE(active(w, "2026-03-22T04:00:00Z"));
  CHECK_FALSE(active(w, "2026-03-29T03:30:00Z"));  // not recurring
  CHECK(next_start_after(w, {}, at("2026-03-01T00:00:00Z")) == at("2026-03-22T03:00:00Z"));
  CHECK_FALSE(next_start_after(w, {}, at("2026-03-22T03:00:00Z")));
}

TEST_CASE("maintenance: a recurring window is active for end - start after each cron start", "[unit][maintenance]") {
  // Sundays 03:00-04:00 UTC from Sunday 2026-03-22.
  auto w = window("2026-03-22T03:00:00", "2026-03-22T04:00:00", "UTC", "0 3 * * 0");
  CHECK_FALSE(active(w, "2026-03-15T03:30:00Z"));  // a Sunday before the first start
  CHECK(active(w, "2026-03-22T03:30:00Z"));
  CHECK_FALSE(active(w, "2026-03-28T03:30:00Z"));  // Saturday
  CHECK_FALSE(active(w, "2026-03-29T02:59:59Z"));
  CHECK(active(w, "2026-03-29T03:00:00Z"));
  CHECK(active(w, "2026-03-29T03:59:59Z"));
  CHECK_FALSE(active(w, "2026-03-29T04:00:00Z"));
  CHECK(active(w, "2027-01-03T03:10:00Z"));  // a Sunday, much later
  auto occurrence = scheduled_occurrence(w, next_fire_of(w), at("2026-03-29T03:20:00Z"));
  REQUIRE(occurrence);
  CHECK(occurrence->start_ms == at("2026-03-29T03:00:00Z"));
  CHECK(occurrence->end_ms == at("2026-03-29T04:00:00Z"));
  CHECK(next_start_after(w, next_fire_of(w), at("2026-03-22T03:30:00Z")) == at("2026-03-29T03:00:00Z"));
  CHECK(next_start_after(w, next_fire_of(w), at("2026-01-01T00:00:00Z")) == at("2026-03-22T03:00:00Z"));

  // Occurrences that overlap (every minute, 10 minutes long): the latest start counts.
  auto dense = window("2026-03-22T00:00:00", "2026-03-22T00:10:00", "UTC", "* * * * *");
  auto dense_now = scheduled_occurrence(dense, next_fire_of(dense), at("2026-03-22T05:07:30Z"));
  REQUIRE(dense_now);
  CHECK(dense_now->start_ms == at("2026-03-22T05:07:00Z"));
  CHECK(dense_now->end_ms == at("2026-03-22T05:17:00Z"));
  // A year long, every minute: still found at once (no walk over half a million starts).
  auto year = window("2026-01-01T00:00:00", "2027-01-01T00:00:00", "UTC", "* * * * *");
  auto year_now = scheduled_occurrence(year, next_fire_of(year), at("2026-12-31T23:59:59Z"));
  REQUIRE(year_now);
  CHECK(year_now->start_ms == at("2026-12-31T23:59:00Z"));

  // Starts at or after `start` only: a cron that does not match `start` begins later.
  auto daily = window("2026-03-22T12:00:00", "2026-03-22T13:00:00", "UTC", "0 3 * * *");
  CHECK_FALSE(active(daily, "2026-03-22T12:30:00Z"));
  CHECK(active(daily, "2026-03-23T03:30:00Z"));
}

TEST_CASE("maintenance: a recurring window in a time zone keeps local time across DST", "[unit][maintenance]") {
  // Sundays 03:00-04:00 Berlin time. Clocks go forward on 2026-03-29.
  auto w = window("2026-03-22T03:00:00", "2026-03-22T04:00:00", "Europe/Berlin", "0 3 * * 0");
  CHECK(active(w, "2026-03-22T02:30:00Z"));        // 03:30 CET
  CHECK_FALSE(active(w, "2026-03-22T03:30:00Z"));  // 04:30 CET
  CHECK(active(w, "2026-04-05T01:30:00Z"));        // 03:30 CEST
  CHECK_FALSE(active(w, "2026-04-05T02:30:00Z"));  // 04:30 CEST
  CHECK(next_start_after(w, next_fire_of(w), at("2026-04-01T00:00:00Z")) == at("2026-04-05T01:00:00Z"));
}

TEST_CASE("maintenance: activate forces on, deactivate ends the occurrence in progress", "[unit][maintenance]") {
  SECTION("one-off: on until deactivated; off for good") {
    auto w = window("2026-03-22T03:00:00", "2026-03-22T04:00:00");
    force_on(w);
    CHECK(active(w, "2026-03-01T00:00:00Z"));
    CHECK(active(w, "2026-05-01T00:00:00Z"));  // until deactivated, not until `end`
    force_off(w, {}, at("2026-03-22T03:10:00Z"));
    CHECK(w.forced == "off");
    CHECK_FALSE(w.forced_until_ms);
    CHECK_FALSE(active(w, "2026-03-22T03:20:00Z"));
    CHECK_FALSE(active(w, "2026-03-22T03:59:00Z"));
  }
  SECTION("recurring: off until this occurrence ends, the next one is active again") {
    auto w = window("2026-03-22T03:00:00", "2026-03-22T04:00:00", "UTC", "0 3 * * 0");
    force_off(w, next_fire_of(w), at("2026-03-29T03:10:00Z"));
    CHECK(w.forced == "off");
    CHECK(w.forced_until_ms == at("2026-03-29T04:00:00Z"));
    CHECK_FALSE(active(w, "2026-03-29T03:20:00Z"));
    CHECK(active(w, "2026-04-05T03:20:00Z"));
    CHECK_FALSE(effective_forced(w, at("2026-04-05T03:20:00Z")));
  }
  SECTION("recurring, between occurrences: deactivate ends a forced on and the schedule rules") {
    auto w = window("2026-03-22T03:00:00", "2026-03-22T04:00:00", "UTC", "0 3 * * 0");
    force_on(w);
    CHECK(active(w, "2026-03-25T12:00:00Z"));
    force_off(w, next_fire_of(w), at("2026-03-25T12:00:00Z"));
    CHECK_FALSE(w.forced);
    CHECK_FALSE(active(w, "2026-03-25T12:00:01Z"));
    CHECK(active(w, "2026-03-29T03:00:00Z"));
  }
}

TEST_CASE("maintenance: scope by id, tag, device target, and the strictest active window wins", "[unit][maintenance]") {
  auto a = automation("auto_a", {"nas", "backup"});
  auto b = automation("auto_b");
  auto w = window("2026-03-22T03:00:00", "2026-03-22T04:00:00");
  w.scope = {"tag:nas"};
  CHECK(in_scope(w, a));
  CHECK_FALSE(in_scope(w, b));
  w.scope = {"auto_b", "tag:na"};
  CHECK_FALSE(in_scope(w, a));
  CHECK(in_scope(w, b));
  w.scope = {"device_x"};
  CHECK_FALSE(in_scope(w, a));
  a.target = "device:device_x";
  CHECK(in_scope(w, a));
  // A group target is covered by a window on one of its members, given the places.
  a.target = "group:group_g";
  CHECK_FALSE(in_scope(w, a));
  CHECK(in_scope(w, a, {"group_g", "device_x"}));
  w.scope = {"group_g"};
  CHECK(in_scope(w, a));
  a.target = "local";

  auto full = window("2026-03-22T03:00:00", "2026-03-22T05:00:00", "UTC", std::nullopt, "full");
  full.id = "mw_full";
  auto approval = window("2026-03-22T03:00:00", "2026-03-22T04:00:00", "UTC", std::nullopt, "approval");
  approval.id = "mw_approval";
  auto disabled = window("2026-03-22T03:30:00", "2026-03-22T04:00:00", "UTC", std::nullopt, "disabled");
  disabled.id = "mw_disabled";
  auto other = window("2026-03-22T00:00:00", "2026-03-23T00:00:00", "UTC", std::nullopt, "disabled");
  other.id = "mw_other";
  other.scope = {"auto_b"};
  std::vector<MaintenanceWindow> all = {full, approval, disabled, other};
  auto a2 = automation("auto_a");

  CHECK_FALSE(strictest_active(all, a2, at("2026-03-22T02:59:00Z")));
  CHECK(strictest_active(all, a2, at("2026-03-22T03:10:00Z"))->id == "mw_approval");  // disabled not yet active
  CHECK(strictest_active(all, a2, at("2026-03-22T03:40:00Z"))->id == "mw_disabled");
  CHECK(strictest_active(all, a2, at("2026-03-22T04:30:00Z"))->id == "mw_full");
  CHECK(strictest_active(all, a2, at("2026-03-22T04:30:00Z"))->describe() ==
        "maintenance window mw_full (Test) is active");
  // Forced off, the disabled window no longer counts.
  all[2].forced = "off";
  CHECK(strictest_active(all, a2, at("2026-03-22T03:40:00Z"))->id == "mw_approval");
  // Forced on, it counts outside its times too.
  all[2].forced = "on";
  CHECK(strictest_active(all, a2, at("2026-03-21T00:00:00Z"))->id == "mw_disabled");
}

TEST_CASE("maintenance: the policy reads windows from the store, activate/deactivate persist", "[unit][maintenance]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  MaintenanceStore windows(db);
  MaintenancePolicy policy(windows);
  auto w = window("2026-03-22T03:00:00", "2026-03-22T04:00:00", "Europe/Berlin", "0 3 * * 0", "approval");
  w.scope = {"tag:nas", "device_abc"};
  w.created_ms = w.updated_ms = 1;
  windows.insert(w);
  auto stored = windows.get("mw_test");
  REQUIRE(stored);
  CHECK(stored->recurring == "0 3 * * 0");
  CHECK(stored->scope == w.scope);
  CHECK(stored->timezone == "Europe/Berlin");

  auto nas = automation("auto_n", {"nas"});
  CHECK(policy.applies(nas, at("2026-03-22T02:30:00Z"))->autonomy_override == "approval");
  CHECK_FALSE(policy.applies(nas, at("2026-03-23T02:30:00Z")));
  REQUIRE(policy.activate("mw_test", at("2026-03-23T02:30:00Z")));
  CHECK(policy.applies(nas, at("2026-03-23T02:30:00Z")));
  REQUIRE(policy.deactivate("mw_test", at("2026-03-29T01:30:00Z")));  // 03:30 CEST, in an occurrence
  CHECK(windows.get("mw_test")->forced_until_ms == at("2026-03-29T02:00:00Z"));
  CHECK_FALSE(policy.applies(nas, at("2026-03-29T01:45:00Z")));
  CHECK(policy.applies(nas, at("2026-04-05T01:45:00Z")));
  CHECK_FALSE(policy.activate("mw_nope", 0));

  json j = window_json(*windows.get("mw_test"), at("2026-03-29T01:45:00Z"));
  CHECK(j["start"] == "2026-03-22T03:00:00");
  CHECK(j["end"] == "2026-03-22T04:00:00");
  CHECK(j["active"] == false);
  CHECK(j["forced"] == "off");
  CHECK(j["forced_until"] == "2026-03-29T02:00:00Z");
  CHECK(j["next_start"] == "2026-04-05T01:00:00Z");
  CHECK(windows.remove("mw_test"));
  CHECK(windows.list().empty());
}

TEST_CASE("maintenance: input is checked field by field", "[unit][maintenance]") {
  auto exists = [](const std::string& id) { return id == "auto_known"; };
  json good = {{"name", "Weekly reboot"},
               {"start", "2026-03-22T03:00:00"},
               {"end", "2026-03-22T04:00:00"},
               {"recurring", "0 3 * * 0"},
               {"scope", {"auto_known", "device_abc", "group_xyz", "tag:nas", "auto_known"}},
               {"autonomy_override", "disabled"}};
  auto parsed = window_from_input(good, exists);
  REQUIRE(std::holds_alternative<MaintenanceWindow>(parsed));
  auto w = std::get<MaintenanceWindow>(parsed);
  CHECK(w.timezone == "UTC");
  CHECK(w.scope.size() == 4);  // duplicates dropped
  CHECK(w.duration_ms() == 3600000);

  auto field_of = [&](json body) {
    auto r = window_from_input(body, exists);
    if (auto* err = std::get_if<SchemaError>(&r)) return err->path + " | " + err->message;
    return std::string("ok");
  };
  auto with = [&](const std::string& key, json value) {
    json b = good;
    if (value.is_null() && key != "recurring") b.erase(key);
    else b[key] = value;
    return b;
  };
  CHECK(field_of(with("recurring", nullptr)) == "ok");
  CHECK(field_of(with("name", nullptr)).rfind("name | is required", 0) == 0);
  CHECK(field_of(with("color", "red")).rfind("color | is not a known field", 0) == 0);
  CHECK(field_of(with("recurring", "61 * * * *")).rfind("recurring | ", 0) == 0);
  CHECK(field_of(with("recurring", "0 3 * *")).rfind("recurring | ", 0) == 0);
  CHECK(field_of(with("end", "2026-03-22T03:00:00")) == "end | must be after start");
  CHECK(field_of(with("end", "2026-03-22T02:00:00")) == "end | must be after start");
  CHECK(field_of(with("start", "2026-02-30T03:00:00")).rfind("start | ", 0) == 0);
  CHECK(field_of(with("start", "next sunday")).rfind("start | ", 0) == 0);
  CHECK(field_of(with("timezone", "Mars/Olympus_Mons")).rfind("timezone | unknown time zone", 0) == 0);
  CHECK(field_of(with("autonomy_override", "sometimes")).rfind("autonomy_override | must be one of", 0) == 0);
  CHECK(field_of(with("scope", json::array())).find("an empty scope is not allowed") != std::string::npos);
  CHECK(field_of(with("scope", {"auto_known", "auto_nope"})).rfind("scope[1] | unknown scope id 'auto_nope'", 0) == 0);
  CHECK(field_of(with("scope", {"monitor_abc"})).rfind("scope[0] | unknown scope id", 0) == 0);
  CHECK(field_of(with("scope", {"device_"})).rfind("scope[0] | ", 0) == 0);
  CHECK(field_of(with("scope", {"tag:"})).rfind("scope[0] | ", 0) == 0);
  json berlin_gap = with("start", "2026-03-29T02:30:00");
  berlin_gap["timezone"] = "Europe/Berlin";
  berlin_gap["end"] = "2026-03-29T04:00:00";
  CHECK(field_of(berlin_gap).rfind("start | ", 0) == 0);
}

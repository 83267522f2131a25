// The week calendar's entries: one-off and recurring windows over a span, the occurrence in
// progress at the span's start, the per-window limit, and what activate / deactivate change.
#include <catch2/catch.hpp>

#include "core/maintenance/maintenance_calendar.hpp"
#include "core/maintenance/maintenance_recurrence.hpp"
#include "core/maintenance/maintenance_time.hpp"

using namespace steward;

namespace {

std::int64_t at(const std::string& text, const std::string& zone = "UTC") {
  auto parsed = maintenance_time::parse_local(text, zone);
  if (auto* why = std::get_if<std::string>(&parsed)) FAIL(*why);
  return std::get<std::int64_t>(parsed);
}

MaintenanceWindow window(const std::string& start, const std::string& end, std::optional<std::string> cron = std::nullopt,
                         const std::string& zone = "UTC") {
  MaintenanceWindow w;
  w.id = "mw_cal";
  w.name = "Cal";
  w.timezone = zone;
  w.start_ms = at(start, zone);
  w.end_ms = at(end, zone);
  w.recurring = std::move(cron);
  w.autonomy_override = "disabled";
  return w;
}

// The span 2026-11-23 (a Monday) 00:00 UTC + 7 days, "now" at `now`.
CalendarSpan week(const std::string& now = "2026-11-20T00:00:00Z") {
  return {at("2026-11-23T00:00:00Z"), at("2026-11-30T00:00:00Z"), at(now)};
}

std::vector<CalendarEntry> entries(const MaintenanceWindow& w, const CalendarSpan& span, std::size_t limit = 500) {
  bool truncated = false;
  auto out = calendar_entries(w, next_fire_of(w), span, limit, truncated);
  CHECK_FALSE(truncated);
  return out;
}

}  // namespace

TEST_CASE("calendar: a one-off window appears when it overlaps the span", "[unit][maintenance]") {
  auto inside = entries(window("2026-11-24T02:00:00", "2026-11-24T04:00:00"), week());
  REQUIRE(inside.size() == 1);
  CHECK(inside[0].start_ms == at("2026-11-24T02:00:00Z"));
  CHECK(inside[0].end_ms == at("2026-11-24T04:00:00Z"));
  CHECK_FALSE(inside[0].forced);
  // Overlapping the span's start: kept whole (the calendar clips what it draws).
  CHECK(entries(window("2026-11-22T23:00:00", "2026-11-23T01:00:00"), week()).size() == 1);
  CHECK(entries(window("2026-11-20T00:00:00", "2026-11-21T00:00:00"), week()).empty());
  CHECK(entries(window("2026-11-30T00:00:00", "2026-11-30T01:00:00"), week()).empty());  // the end is exclusive
}

TEST_CASE("calendar: a recurring window lists every occurrence, in its time zone", "[unit][maintenance]") {
  // 03:00–05:00 Berlin time every day: 02:00Z in November (CET).
  auto daily = entries(window("2026-11-01T03:00:00", "2026-11-01T05:00:00", "0 3 * * *", "Europe/Berlin"), week());
  REQUIRE(daily.size() == 7);
  for (std::size_t i = 0; i < daily.size(); ++i) {
    CHECK(daily[i].start_ms == at("2026-11-23T02:00:00Z") + static_cast<std::int64_t>(i) * 86400000);
    CHECK(daily[i].end_ms - daily[i].start_ms == 2 * 3600 * 1000);
  }
  // Sundays only, and not before its first start.
  CHECK(entries(window("2026-11-01T03:00:00", "2026-11-01T04:00:00", "0 3 * * 0"), week()).size() == 1);
  CHECK(entries(window("2026-12-01T03:00:00", "2026-12-01T04:00:00", "0 3 * * *"), week()).empty());
}

TEST_CASE("calendar: the occurrence in progress at the span's start is included", "[unit][maintenance]") {
  // 22:00–04:00 every day: the one that began on Sunday the 22nd covers Monday 00:00.
  auto e = entries(window("2026-11-01T22:00:00", "2026-11-02T04:00:00", "0 22 * * *"), week());
  REQUIRE(e.size() == 8);
  CHECK(e[0].start_ms == at("2026-11-22T22:00:00Z"));
  CHECK(e[1].start_ms == at("2026-11-23T22:00:00Z"));
}

TEST_CASE("calendar: a window firing every minute is cut at the limit, and says so", "[unit][maintenance]") {
  MaintenanceWindow w = window("2026-11-01T00:00:00", "2026-11-01T00:00:30", "* * * * *");
  bool truncated = false;
  auto e = calendar_entries(w, next_fire_of(w), week(), 100, truncated);
  CHECK(truncated);
  REQUIRE(e.size() == 100);  // at most the limit, the one in progress at the span's start counted
  CHECK(e[0].start_ms == week().from_ms);
  CHECK(e[99].start_ms == week().from_ms + 99 * 60000);
}

TEST_CASE("calendar: activate shows the window on from now, deactivate marks what it cancelled", "[unit][maintenance]") {
  const std::string now = "2026-11-25T12:00:00Z";
  MaintenanceWindow daily = window("2026-11-01T10:00:00", "2026-11-01T14:00:00", "0 10 * * *");

  MaintenanceWindow on = daily;
  force_on(on);
  auto e = entries(on, week(now));
  // Mon, Tue as scheduled; Wed's occurrence cut at now; then on to the span's end.
  REQUIRE(e.size() == 4);
  CHECK_FALSE(e[0].forced);
  CHECK(e[2].start_ms == at("2026-11-25T10:00:00Z"));
  CHECK(e[2].end_ms == at(now));
  CHECK(e[3].forced == std::string("on"));
  CHECK(e[3].start_ms == at(now));
  CHECK(e[3].end_ms == at("2026-11-30T00:00:00Z"));

  MaintenanceWindow off = daily;
  force_off(off, next_fire_of(off), at(now));  // in Wednesday's occurrence: off until 14:00
  e = entries(off, week(now));
  REQUIRE(e.size() == 7);
  for (std::size_t i = 0; i < e.size(); ++i) CHECK(e[i].forced == (i == 2 ? std::optional<std::string>("off") : std::nullopt));

  // A one-off window switched off is off for good.
  MaintenanceWindow once = window("2026-11-25T10:00:00", "2026-11-27T10:00:00");
  force_off(once, next_fire_of(once), at(now));
  e = entries(once, week(now));
  REQUIRE(e.size() == 1);
  CHECK(e[0].forced == std::string("off"));
}

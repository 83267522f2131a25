// core/scheduling/cron_expression + time_zone. Every expected instant is a literal worked out
// by hand from the calendar and each zone's rules (noted beside the case), never computed
// by the code under test; the helpers convert with timegm/gmtime_r, not with the code here.
//
// Calendar facts used: 2027-01-01 is a Friday; 2027-02-01 and 2027-03-01 are Mondays.
// 2027 transitions: Europe/Berlin 03-28 01:00Z (02:00 CET -> 03:00 CEST) and 10-31 01:00Z
// (03:00 CEST -> 02:00 CET); America/New_York 03-14 07:00Z (02:00 EST -> 03:00 EDT) and
// 11-07 06:00Z (02:00 EDT -> 01:00 EST); Australia/Sydney 04-03 16:00Z (03:00 AEDT ->
// 02:00 AEST) and 10-02 16:00Z (02:00 AEST -> 03:00 AEDT); Australia/Lord_Howe 04-03 15:00Z
// (02:00 +11 -> 01:30 +10:30) and 10-02 15:30Z (02:00 +10:30 -> 02:30 +11); Asia/Tokyo
// none (+09 all year).
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include "core/scheduling/cron_expression.hpp"

using namespace steward::cron;
using std::chrono::sys_seconds;

namespace {

sys_seconds utc(const std::string& iso) {  // "2027-03-28T01:00:00Z"
  std::tm tm{};
  const char* end = strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  REQUIRE(end != nullptr);
  REQUIRE(*end == '\0');
  return sys_seconds{std::chrono::seconds{::timegm(&tm)}};
}

std::string iso(sys_seconds t) {
  std::time_t s = t.time_since_epoch().count();
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Expression must_parse(const std::string& text) {
  auto parsed = Expression::parse(text);
  INFO("expression: " << text);
  if (auto* e = std::get_if<Error>(&parsed)) FAIL(e->field << ": " << e->message);
  return std::get<Expression>(parsed);
}

TimeZone must_find(const std::string& name) {
  auto found = TimeZone::find(name);
  if (auto* e = std::get_if<Error>(&found)) FAIL(e->message);
  return std::get<TimeZone>(found);
}

// The next `n` fires after `from` in `zone`, each one after the one before.
std::vector<std::string> fires(const std::string& expr, const std::string& from, int n, const std::string& zone = "UTC") {
  Expression x = must_parse(expr);
  TimeZone tz = must_find(zone);
  std::vector<std::string> out;
  sys_seconds t = utc(from);
  for (int i = 0; i < n; ++i) {
    auto next = x.next_after(t, tz);
    if (!next) break;
    out.push_back(iso(*next));
    t = *next;
  }
  return out;
}

std::string first(const std::string& expr, const std::string& from, const std::string& zone = "UTC") {
  auto f = fires(expr, from, 1, zone);
  return f.empty() ? "none" : f[0];
}

using L = std::vector<std::string>;

Error error_of(const std::string& text) {
  auto parsed = Expression::parse(text);
  INFO("expression: " << text);
  REQUIRE(std::holds_alternative<Error>(parsed));
  return std::get<Error>(parsed);
}

}  // namespace

TEST_CASE("cron_expression: numbers, *, ranges, steps and lists", "[unit][cron]") {
  CHECK(first("* * * * *", "2027-01-01T00:00:00Z") == "2027-01-01T00:01:00Z");  // strictly after
  CHECK(first("* * * * *", "2027-01-01T00:00:30Z") == "2027-01-01T00:01:00Z");
  CHECK(first("5 * * * *", "2027-01-01T00:05:00Z") == "2027-01-01T01:05:00Z");
  CHECK(first("5 * * * *", "2027-01-01T00:04:59Z") == "2027-01-01T00:05:00Z");
  CHECK(fires("*/15 * * * *", "2027-01-01T00:00:00Z", 4) ==
        L{"2027-01-01T00:15:00Z", "2027-01-01T00:30:00Z", "2027-01-01T00:45:00Z", "2027-01-01T01:00:00Z"});
  CHECK(fires("10-20/5 * * * *", "2027-01-01T00:00:00Z", 4) ==
        L{"2027-01-01T00:10:00Z", "2027-01-01T00:15:00Z", "2027-01-01T00:20:00Z", "2027-01-01T01:10:00Z"});
  // a/n: from a to the end of the field.
  CHECK(fires("50/5 * * * *", "2027-01-01T00:00:00Z", 3) ==
        L{"2027-01-01T00:50:00Z", "2027-01-01T00:55:00Z", "2027-01-01T01:50:00Z"});
  CHECK(fires("0 1,3-4,22 * * *", "2027-01-01T00:00:00Z", 5) ==
        L{"2027-01-01T01:00:00Z", "2027-01-01T03:00:00Z", "2027-01-01T04:00:00Z", "2027-01-01T22:00:00Z",
          "2027-01-02T01:00:00Z"});
  CHECK(fires("0 */6 * * *", "2027-01-01T05:00:00Z", 3) ==
        L{"2027-01-01T06:00:00Z", "2027-01-01T12:00:00Z", "2027-01-01T18:00:00Z"});
  CHECK(fires("15 10 1-3 * *", "2027-01-02T12:00:00Z", 3) ==
        L{"2027-01-03T10:15:00Z", "2027-02-01T10:15:00Z", "2027-02-02T10:15:00Z"});
  CHECK(fires("0 0 1 */4 *", "2027-01-01T00:00:00Z", 3) ==  // months 1, 5, 9
        L{"2027-05-01T00:00:00Z", "2027-09-01T00:00:00Z", "2028-01-01T00:00:00Z"});
  CHECK(fires("  0\t12   * * *  ", "2027-01-01T00:00:00Z", 1) == L{"2027-01-01T12:00:00Z"});  // any blanks
  CHECK(fires("0-59/30 0 1 1 *", "2026-12-31T00:00:00Z", 2) == L{"2027-01-01T00:00:00Z", "2027-01-01T00:30:00Z"});
}

TEST_CASE("cron_expression: month and day names, 0 and 7 are Sunday", "[unit][cron]") {
  CHECK(fires("0 0 1 JAN,jul *", "2027-01-01T00:00:00Z", 2) == L{"2027-07-01T00:00:00Z", "2028-01-01T00:00:00Z"});
  CHECK(fires("0 0 1 Mar-May *", "2027-01-01T00:00:00Z", 4) ==
        L{"2027-03-01T00:00:00Z", "2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z", "2028-03-01T00:00:00Z"});
  // From Friday 2027-01-01 12:00: the weekdays after it.
  CHECK(fires("0 12 * * mon-fri", "2027-01-01T12:00:00Z", 3) ==
        L{"2027-01-04T12:00:00Z", "2027-01-05T12:00:00Z", "2027-01-06T12:00:00Z"});
  CHECK(first("0 0 * * 7", "2027-01-01T00:00:00Z") == "2027-01-03T00:00:00Z");
  CHECK(first("0 0 * * 0", "2027-01-01T00:00:00Z") == "2027-01-03T00:00:00Z");
  CHECK(first("0 0 * * SUN", "2027-01-01T00:00:00Z") == "2027-01-03T00:00:00Z");
  CHECK(first("0 0 * * sun", "2027-01-01T00:00:00Z") == "2027-01-03T00:00:00Z");
  CHECK(fires("0 0 * * 5-7", "2027-01-01T00:00:00Z", 3) ==  // Fri, Sat, Sun
        L{"2027-01-02T00:00:00Z", "2027-01-03T00:00:00Z", "2027-01-08T00:00:00Z"});
  CHECK(fires("0 0 * * 0,7", "2027-01-01T00:00:00Z", 2) == L{"2027-01-03T00:00:00Z", "2027-01-10T00:00:00Z"});
  CHECK(fires("0 0 * * */2", "2027-01-01T00:00:00Z", 4) ==  // Sun, Tue, Thu, Sat
        L{"2027-01-02T00:00:00Z", "2027-01-03T00:00:00Z", "2027-01-05T00:00:00Z", "2027-01-07T00:00:00Z"});
  CHECK(fires("0 0 * * TUE/2", "2027-01-01T00:00:00Z", 3) ==  // Tue, Thu, Sat
        L{"2027-01-02T00:00:00Z", "2027-01-05T00:00:00Z", "2027-01-07T00:00:00Z"});
}

TEST_CASE("cron_expression: day-of-month OR day-of-week when both are restricted", "[unit][cron]") {
  // Fridays in January 2027: 1, 8, 15, 22, 29; the 13th is a Wednesday.
  CHECK(fires("0 0 13 * FRI", "2027-01-01T00:00:00Z", 5) ==
        L{"2027-01-08T00:00:00Z", "2027-01-13T00:00:00Z", "2027-01-15T00:00:00Z", "2027-01-22T00:00:00Z",
          "2027-01-29T00:00:00Z"});
  // One of them `*`: both must match, so only Fridays or only the 13th.
  CHECK(fires("0 0 * * FRI", "2027-01-01T00:00:00Z", 2) == L{"2027-01-08T00:00:00Z", "2027-01-15T00:00:00Z"});
  CHECK(fires("0 0 13 * *", "2027-01-01T00:00:00Z", 2) == L{"2027-01-13T00:00:00Z", "2027-02-13T00:00:00Z"});
  // `*/10` is restricted too: days 1, 11, 21, 31 or a Monday (Jan 4, 11, 18, 25).
  CHECK(fires("0 0 */10 * MON", "2027-01-01T00:00:00Z", 6) ==
        L{"2027-01-04T00:00:00Z", "2027-01-11T00:00:00Z", "2027-01-18T00:00:00Z", "2027-01-21T00:00:00Z",
          "2027-01-25T00:00:00Z", "2027-01-31T00:00:00Z"});
  // A day-of-month February lacks, saved by the day-of-week: every Monday of February.
  CHECK(fires("0 0 30 2 MON", "2027-01-01T00:00:00Z", 2) == L{"2027-02-01T00:00:00Z", "2027-02-08T00:00:00Z"});
}

TEST_CASE("cron_expression: month and year rollovers, leap days", "[unit][cron]") {
  CHECK(fires("0 0 31 * *", "2027-01-31T00:00:00Z", 3) ==  // no 31st in Feb, Apr
        L{"2027-03-31T00:00:00Z", "2027-05-31T00:00:00Z", "2027-07-31T00:00:00Z"});
  CHECK(fires("59 23 31 12 *", "2027-06-01T00:00:00Z", 2) == L{"2027-12-31T23:59:00Z", "2028-12-31T23:59:00Z"});
  CHECK(first("* * * * *", "2027-12-31T23:59:00Z") == "2028-01-01T00:00:00Z");
  CHECK(first("0 0 1 * *", "2027-12-15T00:00:00Z") == "2028-01-01T00:00:00Z");
  CHECK(fires("0 0 29 2 *", "2027-01-01T00:00:00Z", 3) ==
        L{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z"});
  CHECK(first("0 0 29 2 *", "2096-03-01T00:00:00Z") == "2104-02-29T00:00:00Z");  // 2100 is no leap year
  CHECK(first("0 0 29 2 *", "2000-01-01T00:00:00Z") == "2000-02-29T00:00:00Z");  // 2000 is
  CHECK(fires("0 12 28-31 2 *", "2028-02-27T00:00:00Z", 3) ==
        L{"2028-02-28T12:00:00Z", "2028-02-29T12:00:00Z", "2029-02-28T12:00:00Z"});
}

TEST_CASE("cron_expression: macros", "[unit][cron]") {
  const std::string from = "2027-01-01T00:30:00Z";  // a Friday
  CHECK(first("@hourly", from) == "2027-01-01T01:00:00Z");
  CHECK(first("@daily", from) == "2027-01-02T00:00:00Z");
  CHECK(first("@midnight", from) == "2027-01-02T00:00:00Z");
  CHECK(first("@weekly", from) == "2027-01-03T00:00:00Z");
  CHECK(first("@monthly", from) == "2027-02-01T00:00:00Z");
  CHECK(first("@yearly", from) == "2028-01-01T00:00:00Z");
  CHECK(first("@annually", from) == "2028-01-01T00:00:00Z");
  CHECK(first("@DAILY", from) == "2027-01-02T00:00:00Z");
  CHECK(first(" @daily ", from) == "2027-01-02T00:00:00Z");
  CHECK_FALSE(must_parse("@hourly").hour_restricted());
  CHECK(must_parse("@daily").hour_restricted());
}

TEST_CASE("cron_expression: an optional leading seconds field", "[unit][cron]") {
  CHECK(fires("*/20 * * * * *", "2027-01-01T00:00:00Z", 3) ==
        L{"2027-01-01T00:00:20Z", "2027-01-01T00:00:40Z", "2027-01-01T00:01:00Z"});
  CHECK(first("30 0 12 * * *", "2027-01-01T00:00:00Z") == "2027-01-01T12:00:30Z");
  CHECK(must_parse("0 * * * * *").has_seconds());
  CHECK_FALSE(must_parse("* * * * *").has_seconds());
  CHECK(error_of("60 * * * * *").message == "second 60 out of range 0-59");
}

TEST_CASE("cron_expression: each error names its field and says what is wrong", "[unit][cron]") {
  struct Case {
    std::string expr, field, message;
  };
  const std::vector<Case> cases = {
      {"", "expression", "expected 5 fields, got 0 (minute hour day-of-month month day-of-week; or 6 with a seconds field first)"},
      {"* * * *", "expression", "expected 5 fields, got 4 (minute hour day-of-month month day-of-week; or 6 with a seconds field first)"},
      {"* * * * * * *", "expression", "expected 5 fields, got 7 (minute hour day-of-month month day-of-week; or 6 with a seconds field first)"},
      {"x * * * *", "minute", "minute: 'x' is not a number"},
      {"60 * * * *", "minute", "minute 60 out of range 0-59"},
      {"99999999999 * * * *", "minute", "minute 99999999999 out of range 0-59"},
      {"0 24 * * *", "hour", "hour 24 out of range 0-23"},
      {"0 JAN * * *", "hour", "hour: 'JAN' is not a number"},
      {"0 0 32 * *", "day-of-month", "day-of-month 32 out of range 1-31"},
      {"0 0 0 * *", "day-of-month", "day-of-month 0 out of range 1-31"},
      {"0 0 * 13 *", "month", "month 13 out of range 1-12"},
      {"0 0 * 0 *", "month", "month 0 out of range 1-12"},
      {"0 0 * FOO *", "month", "month: 'FOO' is not a number or a month name (JAN-DEC)"},
      {"0 0 * * 8", "day-of-week", "day-of-week 8 out of range 0-7"},
      {"0 0 * * MONDAY", "day-of-week", "day-of-week: 'MONDAY' is not a number or a day name (SUN-SAT)"},
      {"0 */0 * * *", "hour", "hour step 0 is invalid"},
      {"*/x * * * *", "minute", "minute step 'x' is not a number"},
      {"5/ * * * *", "minute", "minute step '' is not a number"},
      {"*/61 * * * *", "minute", "minute step 61 out of range 1-60"},
      {"/5 * * * *", "minute", "minute: '/5' has no value before '/'"},
      {"0 5-2 * * *", "hour", "hour range 5-2 goes backwards (write it as two ranges)"},
      {"0 0 * * FRI-MON", "day-of-week", "day-of-week range FRI-MON goes backwards (write it as two ranges)"},
      {"1- * * * *", "minute", "minute: '1-' is not a valid range"},
      {"-1 * * * *", "minute", "minute: '-1' is not a valid range"},
      {"1,,2 * * * *", "minute", "minute: empty item in list '1,,2'"},
      {"1, * * * *", "minute", "minute: empty item in list '1,'"},
      {"0 0 30 2 *", "day-of-month", "day-of-month 30 never occurs in month 2: the expression never fires"},
      {"0 0 31 4,6,9,11 *", "day-of-month", "day-of-month 31 never occurs in month 4,6,9,11: the expression never fires"},
      {"0 0 30-31 FEB *", "day-of-month", "day-of-month 30-31 never occurs in month FEB: the expression never fires"},
      {"@reboot", "expression",
       "unknown macro '@reboot' (expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually)"},
      {"@daily 5", "expression", "@daily stands alone, got 2 fields"},
  };
  for (const auto& c : cases) {
    Error e = error_of(c.expr);
    INFO("expression: '" << c.expr << "'");
    CHECK(e.field == c.field);
    CHECK(e.message == c.message);
  }
  // Still possible, so no error: the 31st of the months that have one, Feb 29.
  CHECK(std::holds_alternative<Expression>(Expression::parse("0 0 31 1-12 *")));
  CHECK(std::holds_alternative<Expression>(Expression::parse("0 0 29 2 *")));
}

TEST_CASE("cron_expression: time zones by IANA name, UTC and fixed offsets need no lookups", "[unit][cron]") {
  CHECK(must_find("UTC").has_fixed_offset());
  CHECK(TimeZone{}.has_fixed_offset());
  CHECK(TimeZone{}.name() == "UTC");
  CHECK(must_find("Etc/GMT-14").has_fixed_offset());
  CHECK(must_find("Etc/GMT-14").fixed_offset() == 14 * 3600);
  CHECK_FALSE(must_find("Europe/Berlin").has_fixed_offset());
  CHECK(must_find("Europe/Berlin").name() == "Europe/Berlin");
  // Etc/GMT-14 is UTC+14: 2027-01-01T00:00Z is 14:00 there, its next midnight is 10:00Z.
  CHECK(first("0 0 * * *", "2027-01-01T00:00:00Z", "Etc/GMT-14") == "2027-01-01T10:00:00Z");
  for (std::string bad : {"Mars/Base", "europe/berlin", "", "../../etc/passwd", "Europe/Berlin "}) {
    auto found = TimeZone::find(bad);
    INFO("zone: '" << bad << "'");
    REQUIRE(std::holds_alternative<Error>(found));
    CHECK(std::get<Error>(found).field == "time zone");
    CHECK(std::get<Error>(found).message == "unknown time zone '" + bad +
                                                 "' (expected an IANA name such as UTC, Europe/Berlin or America/New_York)");
  }
}

TEST_CASE("cron_expression: Europe/Berlin spring forward and fall back", "[unit][cron][dst]") {
  const std::string z = "Europe/Berlin";
  // Spring, 2027-03-28: 02:00-02:59 do not exist. Restricted hour: once, at 03:00 CEST = 01:00Z.
  CHECK(fires("30 2 * * *", "2027-03-27T00:00:00Z", 3, z) ==
        L{"2027-03-27T01:30:00Z", "2027-03-28T01:00:00Z", "2027-03-29T00:30:00Z"});
  CHECK(first("0 2 * * *", "2027-03-27T12:00:00Z", z) == "2027-03-28T01:00:00Z");
  // Two skipped times of the same gap fire once between them.
  CHECK(fires("0,30 2 * * *", "2027-03-28T00:00:00Z", 2, z) == L{"2027-03-28T01:00:00Z", "2027-03-29T00:00:00Z"});
  CHECK(fires("* 2 * * *", "2027-03-28T00:30:00Z", 2, z) == L{"2027-03-28T01:00:00Z", "2027-03-29T00:00:00Z"});
  // 02:30 moves to 03:00 CEST; 03:30 CEST is real. 02:00 and 03:00 are the same instant: once.
  CHECK(fires("30 2,3 * * *", "2027-03-28T00:00:00Z", 3, z) ==
        L{"2027-03-28T01:00:00Z", "2027-03-28T01:30:00Z", "2027-03-29T00:30:00Z"});
  CHECK(fires("0 2,3 * * *", "2027-03-28T00:00:00Z", 2, z) == L{"2027-03-28T01:00:00Z", "2027-03-29T00:00:00Z"});
  // Hour `*`: the missing times are skipped.
  CHECK(fires("30 * * * *", "2027-03-28T00:00:00Z", 3, z) ==
        L{"2027-03-28T00:30:00Z", "2027-03-28T01:30:00Z", "2027-03-28T02:30:00Z"});
  CHECK(fires("0 * * * *", "2027-03-27T23:30:00Z", 3, z) ==
        L{"2027-03-28T00:00:00Z", "2027-03-28T01:00:00Z", "2027-03-28T02:00:00Z"});

  // Fall, 2027-10-31: 02:00-02:59 happen twice (00:00Z-00:59Z CEST, 01:00Z-01:59Z CET).
  // Restricted hour: the first occurrence only.
  CHECK(fires("30 2 * * *", "2027-10-30T00:00:00Z", 3, z) ==
        L{"2027-10-30T00:30:00Z", "2027-10-31T00:30:00Z", "2027-11-01T01:30:00Z"});
  CHECK(first("30 2 * * *", "2027-10-31T00:30:00Z", z) == "2027-11-01T01:30:00Z");
  CHECK(fires("* 2 * * *", "2027-10-31T00:58:00Z", 2, z) == L{"2027-10-31T00:59:00Z", "2027-11-01T01:00:00Z"});
  // Hour `*`: both occurrences, so it keeps firing every 60 minutes of real time.
  CHECK(fires("30 * * * *", "2027-10-30T23:00:00Z", 4, z) ==
        L{"2027-10-30T23:30:00Z", "2027-10-31T00:30:00Z", "2027-10-31T01:30:00Z", "2027-10-31T02:30:00Z"});
  CHECK(fires("@hourly", "2027-10-30T22:30:00Z", 5, z) ==
        L{"2027-10-30T23:00:00Z", "2027-10-31T00:00:00Z", "2027-10-31T01:00:00Z", "2027-10-31T02:00:00Z",
          "2027-10-31T03:00:00Z"});
  // Starting between the two occurrences: the second ones are still to come.
  CHECK(first("30 * * * *", "2027-10-31T00:45:00Z", z) == "2027-10-31T01:30:00Z");
  CHECK(first("15 * * * *", "2027-10-31T00:50:00Z", z) == "2027-10-31T01:15:00Z");
  CHECK(first("30 * * * *", "2027-10-31T01:00:00Z", z) == "2027-10-31T01:30:00Z");
  CHECK(first("30 * * * *", "2027-10-31T01:30:00Z", z) == "2027-10-31T02:30:00Z");
  // An ordinary summer day: 12:00 CEST.
  CHECK(first("0 12 * * *", "2027-07-01T00:00:00Z", z) == "2027-07-01T10:00:00Z");
}

TEST_CASE("cron_expression: America/New_York spring forward and fall back", "[unit][cron][dst]") {
  const std::string z = "America/New_York";
  // 2027-03-14: 02:00 EST -> 03:00 EDT (07:00Z).
  CHECK(fires("30 2 * * *", "2027-03-13T12:00:00Z", 3, z) ==
        L{"2027-03-14T07:00:00Z", "2027-03-15T06:30:00Z", "2027-03-16T06:30:00Z"});
  CHECK(fires("*/30 * * * *", "2027-03-14T06:00:00Z", 3, z) ==
        L{"2027-03-14T06:30:00Z", "2027-03-14T07:00:00Z", "2027-03-14T07:30:00Z"});
  // 2027-11-07: 02:00 EDT -> 01:00 EST (06:00Z); 01:00-01:59 twice.
  CHECK(fires("30 1 * * *", "2027-11-06T12:00:00Z", 2, z) == L{"2027-11-07T05:30:00Z", "2027-11-08T06:30:00Z"});
  CHECK(fires("30 * * * *", "2027-11-07T04:00:00Z", 4, z) ==
        L{"2027-11-07T04:30:00Z", "2027-11-07T05:30:00Z", "2027-11-07T06:30:00Z", "2027-11-07T07:30:00Z"});
  CHECK(first("0 0 * * *", "2027-06-30T12:00:00Z", z) == "2027-07-01T04:00:00Z");  // midnight EDT
}

TEST_CASE("cron_expression: Australia/Sydney, southern hemisphere", "[unit][cron][dst]") {
  const std::string z = "Australia/Sydney";
  // Spring 2027-10-03: 02:00 AEST -> 03:00 AEDT (2027-10-02T16:00Z).
  CHECK(fires("30 2 * * *", "2027-10-02T12:00:00Z", 3, z) ==
        L{"2027-10-02T16:00:00Z", "2027-10-03T15:30:00Z", "2027-10-04T15:30:00Z"});
  CHECK(fires("30 * * * *", "2027-10-02T14:00:00Z", 3, z) ==
        L{"2027-10-02T14:30:00Z", "2027-10-02T15:30:00Z", "2027-10-02T16:30:00Z"});
  // Fall 2027-04-04: 03:00 AEDT -> 02:00 AEST (2027-04-03T16:00Z); 02:00-02:59 twice.
  CHECK(fires("30 2 * * *", "2027-04-03T12:00:00Z", 2, z) == L{"2027-04-03T15:30:00Z", "2027-04-04T16:30:00Z"});
  CHECK(fires("30 * * * *", "2027-04-03T14:00:00Z", 4, z) ==
        L{"2027-04-03T14:30:00Z", "2027-04-03T15:30:00Z", "2027-04-03T16:30:00Z", "2027-04-03T17:30:00Z"});
}

TEST_CASE("cron_expression: Australia/Lord_Howe, a 30-minute shift", "[unit][cron][dst]") {
  const std::string z = "Australia/Lord_Howe";
  // Spring 2027-10-03: 02:00 (+10:30) -> 02:30 (+11) at 2027-10-02T15:30Z; 02:00-02:29 missing.
  CHECK(fires("15 2 * * *", "2027-10-02T00:00:00Z", 2, z) == L{"2027-10-02T15:30:00Z", "2027-10-03T15:15:00Z"});
  CHECK(first("45 2 * * *", "2027-10-02T00:00:00Z", z) == "2027-10-02T15:45:00Z");  // 02:45 exists
  CHECK(fires("0,30 * * * *", "2027-10-02T14:00:00Z", 3, z) ==
        L{"2027-10-02T14:30:00Z", "2027-10-02T15:00:00Z", "2027-10-02T15:30:00Z"});
  CHECK(fires("*/15 * * * *", "2027-10-02T15:00:00Z", 3, z) ==
        L{"2027-10-02T15:15:00Z", "2027-10-02T15:30:00Z", "2027-10-02T15:45:00Z"});
  // Fall 2027-04-04: 02:00 (+11) -> 01:30 (+10:30) at 2027-04-03T15:00Z; 01:30-01:59 twice.
  CHECK(fires("45 1 * * *", "2027-04-03T00:00:00Z", 2, z) == L{"2027-04-03T14:45:00Z", "2027-04-04T15:15:00Z"});
  CHECK(first("30 1 * * *", "2027-04-03T14:30:00Z", z) == "2027-04-04T15:00:00Z");
  CHECK(fires("*/15 * * * *", "2027-04-03T14:00:00Z", 8, z) ==
        L{"2027-04-03T14:15:00Z", "2027-04-03T14:30:00Z", "2027-04-03T14:45:00Z", "2027-04-03T15:00:00Z",
          "2027-04-03T15:15:00Z", "2027-04-03T15:30:00Z", "2027-04-03T15:45:00Z", "2027-04-03T16:00:00Z"});
}

TEST_CASE("cron_expression: Asia/Tokyo has no DST", "[unit][cron][dst]") {
  const std::string z = "Asia/Tokyo";
  CHECK(fires("0 9 * * *", "2027-03-28T00:00:00Z", 2, z) == L{"2027-03-29T00:00:00Z", "2027-03-30T00:00:00Z"});
  CHECK(fires("30 2 * * *", "2027-03-27T00:00:00Z", 2, z) == L{"2027-03-27T17:30:00Z", "2027-03-28T17:30:00Z"});
  CHECK(fires("30 2 * * *", "2027-10-30T00:00:00Z", 2, z) == L{"2027-10-30T17:30:00Z", "2027-10-31T17:30:00Z"});
}

TEST_CASE("cron_expression: a year of fires never repeats an instant and `*` hours keep real time", "[unit][cron][dst]") {
  struct Case {
    std::string expr, zone;
    std::int64_t step;  // the exact spacing of consecutive fires, 0 when it varies
  };
  const std::vector<Case> cases = {
      {"30 * * * *", "Europe/Berlin", 3600},       {"0,30 * * * *", "Australia/Lord_Howe", 1800},
      {"*/10 * * * *", "America/New_York", 600},   {"15 * * * *", "Australia/Sydney", 3600},
      {"30 2 * * *", "Europe/Berlin", 0},          {"*/20 1,2 * * *", "Australia/Lord_Howe", 0},
      {"0 0 * * *", "Asia/Tokyo", 86400},
  };
  for (const auto& c : cases) {
    INFO(c.expr << " in " << c.zone);
    Expression x = must_parse(c.expr);
    TimeZone tz = must_find(c.zone);
    sys_seconds t = utc("2027-01-01T00:00:00Z"), end = utc("2028-01-01T00:00:00Z");
    int count = 0;
    while (t < end) {
      auto next = x.next_after(t, tz);
      REQUIRE(next);
      REQUIRE(*next > t);
      if (c.step && count) REQUIRE((*next - t).count() == c.step);
      t = *next;
      ++count;
    }
    CHECK(count > 300);
  }
}

TEST_CASE("cron_expression: next fire is cheap", "[unit][cron]") {
  Expression x = must_parse("*/5 9-17 * * MON-FRI");
  TimeZone tz = must_find("Europe/Berlin");
  sys_seconds t = utc("2027-01-01T00:00:00Z");
  auto begun = std::chrono::steady_clock::now();
  for (int i = 0; i < 100000; ++i) t = *x.next_after(t, tz);
  auto elapsed = std::chrono::steady_clock::now() - begun;
  // 100,000 fires, about 4 years of working days; generous for sanitizer builds.
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() < 3000);
  CHECK(t > utc("2030-01-01T00:00:00Z"));
}

TEST_CASE("cron_expression: ISO 8601 instants in and out", "[unit][cron]") {
  CHECK(format_utc(utc("2028-02-29T00:00:00Z")) == "2028-02-29T00:00:00Z");
  CHECK(format_utc(utc("1999-12-31T23:59:59Z")) == "1999-12-31T23:59:59Z");
  CHECK(parse_instant("2027-03-28T00:00:00Z") == utc("2027-03-28T00:00:00Z"));
  CHECK(parse_instant("2027-03-28T00:00:00+02:00") == utc("2027-03-27T22:00:00Z"));
  CHECK(parse_instant("2027-03-28T00:00:00-0530") == utc("2027-03-28T05:30:00Z"));
  CHECK(parse_instant("2027-03-28T00:00Z") == utc("2027-03-28T00:00:00Z"));
  CHECK(parse_instant("2027-03-28T00:00:00.750Z") == utc("2027-03-28T00:00:00Z"));
  CHECK(parse_instant("2028-02-29T12:00:00z") == utc("2028-02-29T12:00:00Z"));
  for (const char* bad : {"2027-03-28T00:00:00", "2027-02-29T00:00:00Z", "2027-03-28 00:00:00Z", "yesterday", "",
                          "2027-03-28T24:00:00Z", "2027-03-28T00:00:00+25:00", "2027-03-28T00:00:00Zjunk", "1711584000"}) {
    INFO(bad);
    CHECK_FALSE(parse_instant(bad));
  }
}

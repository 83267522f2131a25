// More cron cases, a second independent set beside cron_expression_test.cpp: every expected
// instant below was worked out by hand from the calendar (and each zone's tz rules, checked
// against Python's zoneinfo), never computed by the code under test.
#include <catch2/catch.hpp>
#include <ctime>

#include "core/scheduling/compiled_schedule.hpp"
#include "core/scheduling/cron_expression.hpp"

using namespace steward;

namespace {

std::int64_t parse_utc(const std::string& iso) {  // "2027-03-28T01:00:00Z"
  std::tm tm{};
  strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return ::timegm(&tm);
}

std::string format_utc(std::int64_t s) {
  std::time_t t = s;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The next `n` fires after `from`, as ISO strings.
std::vector<std::string> fires(const std::string& expr, const std::string& zone, const std::string& from, int n = 1) {
  auto parsed = cron::Expression::parse(expr);
  INFO(expr);
  REQUIRE(std::holds_alternative<cron::Expression>(parsed));
  const auto& cron = std::get<cron::Expression>(parsed);
  auto z = cron::TimeZone::find(zone);
  REQUIRE(std::holds_alternative<cron::TimeZone>(z));
  std::vector<std::string> out;
  std::int64_t t = parse_utc(from);
  for (int i = 0; i < n; ++i) {
    auto next = cron.next_after(std::chrono::sys_seconds{std::chrono::seconds{t}}, std::get<cron::TimeZone>(z));
    if (!next) break;
    t = next->time_since_epoch().count();
    out.push_back(format_utc(t));
  }
  return out;
}

std::string first(const std::string& expr, const std::string& from, const std::string& zone = "UTC") {
  auto f = fires(expr, zone, from);
  return f.empty() ? "" : f[0];
}

cron::Error error_of(const std::string& expr) {
  auto parsed = cron::Expression::parse(expr);
  INFO(expr);
  REQUIRE(std::holds_alternative<cron::Error>(parsed));
  return std::get<cron::Error>(parsed);
}

using V = std::vector<std::string>;
const std::string kNewYear = "2027-01-01T00:00:00Z";  // a Friday

}  // namespace

TEST_CASE("cron syntax: wildcards, lists, ranges, steps, names", "[unit][cron]") {
  CHECK(first("* * * * *", kNewYear) == "2027-01-01T00:01:00Z");
  CHECK(first("*/15 * * * *", kNewYear) == "2027-01-01T00:15:00Z");
  CHECK(first("5 4 * * *", kNewYear) == "2027-01-01T04:05:00Z");
  CHECK(first("0,30 * * * *", "2027-01-01T00:10:00Z") == "2027-01-01T00:30:00Z");
  CHECK(fires("15/20 * * * *", "UTC", kNewYear, 4) == V{"2027-01-01T00:15:00Z", "2027-01-01T00:35:00Z",
                                                        "2027-01-01T00:55:00Z", "2027-01-01T01:15:00Z"});
  CHECK(first("30 9-17/2 * * 1-5", "2027-01-01T10:00:00Z") == "2027-01-01T11:30:00Z");
  CHECK(first("30 9-17/2 * * 1-5", "2027-01-01T17:30:00Z") == "2027-01-04T09:30:00Z");  // Fri -> Mon
  CHECK(first("0 0 * * MON", kNewYear) == "2027-01-04T00:00:00Z");
  CHECK(first("0 0 * * mon-wed", "2027-01-05T12:00:00Z") == "2027-01-06T00:00:00Z");
  CHECK(first("0 0 * * 0", kNewYear) == "2027-01-03T00:00:00Z");
  CHECK(first("0 0 * * 7", kNewYear) == "2027-01-03T00:00:00Z");  // 7 is Sunday too
  CHECK(first("0 0 * * SUN", kNewYear) == "2027-01-03T00:00:00Z");
  CHECK(first("0 12 1 * *", kNewYear) == "2027-01-01T12:00:00Z");
  CHECK(first("0 0 1 JAN *", kNewYear) == "2028-01-01T00:00:00Z");
  CHECK(first("0 0 * FEB-MAR *", kNewYear) == "2027-02-01T00:00:00Z");
  CHECK(first("0 0 31 * *", "2027-02-01T00:00:00Z") == "2027-03-31T00:00:00Z");  // skips February
  CHECK(first("0 0 29 2 *", kNewYear) == "2028-02-29T00:00:00Z");                // the next leap day
  CHECK(first("59 23 31 12 *", "2027-12-31T23:59:00Z") == "2028-12-31T23:59:00Z");
  CHECK(first("*/10 * * * * *", kNewYear) == "2027-01-01T00:00:10Z");  // 6 fields: seconds first
  CHECK(first("30 0 0 * * *", kNewYear) == "2027-01-01T00:00:30Z");
}

TEST_CASE("cron: day-of-month and day-of-week both restricted means either", "[unit][cron]") {
  // Friday the 13th in Vixie cron means "every 13th and every Friday".
  CHECK(fires("0 0 13 * 5", "UTC", kNewYear, 3) ==
        V{"2027-01-08T00:00:00Z", "2027-01-13T00:00:00Z", "2027-01-15T00:00:00Z"});
  CHECK(first("0 0 13 * *", kNewYear) == "2027-01-13T00:00:00Z");
  CHECK(first("0 0 * * 5", kNewYear) == "2027-01-08T00:00:00Z");
  CHECK(first("0 0 */2 * 1", kNewYear) == "2027-01-03T00:00:00Z");  // the 3rd (odd days) beats Monday the 4th
}

TEST_CASE("cron macros", "[unit][cron]") {
  CHECK(first("@yearly", kNewYear) == "2028-01-01T00:00:00Z");
  CHECK(first("@annually", kNewYear) == "2028-01-01T00:00:00Z");
  CHECK(first("@monthly", kNewYear) == "2027-02-01T00:00:00Z");
  CHECK(first("@weekly", kNewYear) == "2027-01-03T00:00:00Z");
  CHECK(first("@daily", kNewYear) == "2027-01-02T00:00:00Z");
  CHECK(first("@midnight", kNewYear) == "2027-01-02T00:00:00Z");
  CHECK(first("@hourly", kNewYear) == "2027-01-01T01:00:00Z");
}

TEST_CASE("cron errors point at the bad field", "[unit][cron]") {
  CHECK(error_of("60 * * * *").message == "minute 60 out of range 0-59");
  CHECK(error_of("60 * * * *").field == "minute");
  CHECK(error_of("* 24 * * *").message == "hour 24 out of range 0-23");
  CHECK(error_of("* * 32 * *").message == "day-of-month 32 out of range 1-31");
  CHECK(error_of("* * 0 * *").message == "day-of-month 0 out of range 1-31");
  CHECK(error_of("* * * 13 *").message == "month 13 out of range 1-12");
  CHECK(error_of("* * * * 8").message == "day-of-week 8 out of range 0-7");
  CHECK(error_of("61 * * * * *").message == "second 61 out of range 0-59");
  CHECK(error_of("* * * *").field == "expression");
  CHECK(error_of("* * * *").message.find("got 4") != std::string::npos);
  CHECK(error_of("* * * * * * *").message.find("got 7") != std::string::npos);
  CHECK(error_of("").message.find("got 0") != std::string::npos);
  CHECK(error_of("*/0 * * * *").message == "minute step 0 is invalid");
  CHECK(error_of("x * * * *").message == "minute: 'x' is not a number");
  CHECK(error_of("* * * FOO *").message == "month: 'FOO' is not a number or a month name (JAN-DEC)");
  CHECK(error_of("5-1 * * * *").message.rfind("minute range 5-1 goes backwards", 0) == 0);
  CHECK(error_of("1,,2 * * * *").field == "minute");
  CHECK(error_of("0 0 30 2 *").message.find("never fires") != std::string::npos);
  CHECK(error_of("0 0 31 4,6 *").field == "day-of-month");
  CHECK(error_of("@often").message.rfind("unknown macro '@often'", 0) == 0);
  CHECK(std::holds_alternative<cron::Expression>(cron::Expression::parse("0 0 31 2,3 *")));  // March has a 31st
  CHECK(std::holds_alternative<cron::Expression>(cron::Expression::parse("0 0 30 2 1")));    // Mondays in February
}

TEST_CASE("DST Europe/Berlin: spring forward and fall back", "[unit][cron][dst]") {
  // 2027-03-28: 02:00 CET -> 03:00 CEST. 02:30 does not exist: a fixed-hour job fires once
  // when the gap ends (03:00 CEST = 01:00Z); an every-hour job skips it.
  CHECK(fires("30 2 * * *", "Europe/Berlin", "2027-03-27T12:00:00Z", 2) ==
        V{"2027-03-28T01:00:00Z", "2027-03-29T00:30:00Z"});
  CHECK(fires("30 * * * *", "Europe/Berlin", "2027-03-28T00:00:00Z", 3) ==
        V{"2027-03-28T00:30:00Z", "2027-03-28T01:30:00Z", "2027-03-28T02:30:00Z"});
  CHECK(fires("0,30 2 * * *", "Europe/Berlin", "2027-03-27T12:00:00Z", 2) ==
        V{"2027-03-28T01:00:00Z", "2027-03-29T00:00:00Z"});  // two times in the gap: one fire
  // 2027-10-31: 03:00 CEST -> 02:00 CET. 02:30 happens twice (00:30Z and 01:30Z): a fixed-hour
  // job fires at the first only; an every-hour job at both.
  CHECK(fires("30 2 * * *", "Europe/Berlin", "2027-10-30T12:00:00Z", 2) ==
        V{"2027-10-31T00:30:00Z", "2027-11-01T01:30:00Z"});
  CHECK(fires("30 * * * *", "Europe/Berlin", "2027-10-30T23:00:00Z", 4) ==
        V{"2027-10-30T23:30:00Z", "2027-10-31T00:30:00Z", "2027-10-31T01:30:00Z", "2027-10-31T02:30:00Z"});
}

TEST_CASE("DST America/New_York", "[unit][cron][dst]") {
  CHECK(fires("30 2 * * *", "America/New_York", "2027-03-13T12:00:00Z", 2) ==
        V{"2027-03-14T07:00:00Z", "2027-03-15T06:30:00Z"});
  CHECK(fires("30 1 * * *", "America/New_York", "2027-11-06T12:00:00Z", 2) ==
        V{"2027-11-07T05:30:00Z", "2027-11-08T06:30:00Z"});
}

TEST_CASE("DST Australia/Sydney (southern hemisphere)", "[unit][cron][dst]") {
  CHECK(fires("30 2 * * *", "Australia/Sydney", "2027-10-01T17:00:00Z", 2) ==
        V{"2027-10-02T16:00:00Z", "2027-10-03T15:30:00Z"});
  CHECK(fires("30 2 * * *", "Australia/Sydney", "2027-04-03T00:00:00Z", 2) ==
        V{"2027-04-03T15:30:00Z", "2027-04-04T16:30:00Z"});
}

TEST_CASE("DST Australia/Lord_Howe: a 30-minute shift", "[unit][cron][dst]") {
  // 2027-10-03: 02:00 -> 02:30 (UTC+10:30 -> +11). 02:15 does not exist; 02:45 does.
  CHECK(fires("15 2 * * *", "Australia/Lord_Howe", "2027-10-02T12:00:00Z", 2) ==
        V{"2027-10-02T15:30:00Z", "2027-10-03T15:15:00Z"});
  CHECK(first("45 2 * * *", "2027-10-02T12:00:00Z", "Australia/Lord_Howe") == "2027-10-02T15:45:00Z");
  // 2027-04-04: 02:00 -> 01:30 (UTC+11 -> +10:30). 01:45 happens twice: 14:45Z and 15:15Z.
  CHECK(first("45 1 * * *", "2027-04-03T12:00:00Z", "Australia/Lord_Howe") == "2027-04-03T14:45:00Z");
  CHECK(fires("45 1 * * *", "Australia/Lord_Howe", "2027-04-03T12:00:00Z", 2)[1] == "2027-04-04T15:15:00Z");
  CHECK(fires("45 * * * *", "Australia/Lord_Howe", "2027-04-03T14:00:00Z", 3) ==
        V{"2027-04-03T14:45:00Z", "2027-04-03T15:15:00Z", "2027-04-03T16:15:00Z"});
}

TEST_CASE("a zone without DST, and unknown zones", "[unit][cron]") {
  CHECK(fires("0 9 * * *", "Asia/Tokyo", kNewYear, 2) == V{"2027-01-02T00:00:00Z", "2027-01-03T00:00:00Z"});
  CHECK(std::holds_alternative<cron::Error>(cron::TimeZone::find("Mars/Olympus_Mons")));
  auto bad_zone = compile_schedule("0 3 * * *", "Mars/Olympus_Mons");
  REQUIRE(std::holds_alternative<SchemaError>(bad_zone));
  CHECK(std::get<SchemaError>(bad_zone).path == "timezone");
  auto bad_expr = compile_schedule("0 3 * * * * *", "UTC");
  REQUIRE(std::holds_alternative<SchemaError>(bad_expr));
  CHECK(std::get<SchemaError>(bad_expr).path == "schedule");
  auto ok = compile_schedule("0 3 * * *", "Europe/Berlin");
  REQUIRE(std::holds_alternative<CompiledSchedule>(ok));
  // Milliseconds: strictly after, also inside a second.
  CHECK(std::get<CompiledSchedule>(ok).next_after_ms(parse_utc("2027-01-01T02:00:00Z") * 1000 - 1) ==
        parse_utc("2027-01-01T02:00:00Z") * 1000);
  CHECK(std::get<CompiledSchedule>(ok).next_after_ms(parse_utc("2027-01-01T02:00:00Z") * 1000 + 1) ==
        parse_utc("2027-01-02T02:00:00Z") * 1000);
}

// `steward cron next` and GET /api/cron/next: the real binary and a real daemon. Expected
// instants are worked out by hand (Europe/Berlin: 2027-03-28 02:00 CET -> 03:00 CEST at
// 01:00Z; 2027-10-31 03:00 CEST -> 02:00 CET at 01:00Z).
#include <catch2/catch.hpp>
#include <regex>
#include <sstream>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;

namespace {
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}
}  // namespace

TEST_CASE("cron CLI: next fire times, one UTC instant per line and nothing else", "[runtime][cron]") {
  auto r = run_steward({"cron", "next", "30 2 * * *", "--tz", "Europe/Berlin", "--from", "2027-03-27T00:00:00Z", "-n", "3"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "2027-03-27T01:30:00Z\n2027-03-28T01:00:00Z\n2027-03-29T00:30:00Z\n");
  CHECK(r.err.empty());

  // Fall back with a `*` hour: both 02:30s, 60 minutes apart. --count is -n's long form.
  r = run_steward({"cron", "next", "30 * * * *", "--tz", "Europe/Berlin", "--from", "2027-10-31T00:00:00Z", "--count", "3"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "2027-10-31T00:30:00Z\n2027-10-31T01:30:00Z\n2027-10-31T02:30:00Z\n");

  // An offset in --from; UTC by default; five lines by default.
  r = run_steward({"cron", "next", "0 0 * * *", "--from", "2027-03-28T00:00:00+02:00"});
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "2027-03-28T00:00:00Z\n2027-03-29T00:00:00Z\n2027-03-30T00:00:00Z\n2027-03-31T00:00:00Z\n2027-04-01T00:00:00Z\n");

  // Leap day, macros, and fields given as separate arguments.
  r = run_steward({"cron", "next", "0 0 29 2 *", "--from", "2027-01-01T00:00:00Z", "-n", "2"});
  CHECK(r.out == "2028-02-29T00:00:00Z\n2032-02-29T00:00:00Z\n");
  r = run_steward({"cron", "next", "@weekly", "--from", "2027-01-01T00:00:00Z", "-n", "1"});
  CHECK(r.out == "2027-01-03T00:00:00Z\n");
  r = run_steward({"cron", "next", "15", "10", "*", "*", "MON", "--from", "2027-01-01T00:00:00Z", "-n", "1"});
  CHECK(r.out == "2027-01-04T10:15:00Z\n");

  // Lord Howe's half-hour gap: 02:15 does not exist on 2027-10-03, so 02:30 (+11) = 15:30Z.
  r = run_steward({"cron", "next", "15 2 * * *", "--tz", "Australia/Lord_Howe", "--from", "2027-10-02T00:00:00Z", "-n", "2"});
  CHECK(r.out == "2027-10-02T15:30:00Z\n2027-10-03T15:15:00Z\n");

  // Without --from: from now, in order.
  r = run_steward({"cron", "next", "*/5 * * * *"});
  CHECK(r.exit_code == 0);
  auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 5);
  static const std::regex kInstant(R"(\d{4}-\d\d-\d\dT\d\d:\d[05]:00Z)");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CHECK(std::regex_match(lines[i], kInstant));
    if (i) CHECK(lines[i - 1] < lines[i]);
  }
}

TEST_CASE("cron CLI: bad input exits 2 with the reason on stderr and nothing on stdout", "[runtime][cron]") {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"cron", "next", "0 0 32 * *"}, "day-of-month 32 out of range 1-31"},
      {{"cron", "next", "x * * * *"}, "minute: 'x' is not a number"},
      {{"cron", "next", "* * * *"}, "expected 5 fields, got 4"},
      {{"cron", "next", "0 */0 * * *"}, "hour step 0 is invalid"},
      {{"cron", "next", "0 0 30 2 *"}, "never fires"},
      {{"cron", "next", "0 0 * * *", "--tz", "Mars/Base"}, "unknown time zone 'Mars/Base'"},
      {{"cron", "next", "0 0 * * *", "--from", "yesterday"}, "--from 'yesterday' is not an ISO 8601 instant"},
      {{"cron", "next", "0 0 * * *", "--from", "2027-03-28T00:00:00"}, "is not an ISO 8601 instant"},
      {{"cron", "next", "0 0 * * *", "-n", "0"}, "-n '0' must be a whole number from 1 to 1000"},
      {{"cron", "next", "0 0 * * *", "-n", "1001"}, "from 1 to 1000"},
      {{"cron", "next", "0 0 * * *", "-n", "x"}, "from 1 to 1000"},
      {{"cron", "next"}, "expected a cron expression"},
      {{"cron"}, "expected 'next EXPR"},
      {{"cron", "list"}, "expected 'next EXPR"},
  };
  for (const auto& c : cases) {
    auto r = run_steward(c.args);
    INFO(c.args.back() << " -> " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find(c.message) != std::string::npos);
  }
}

TEST_CASE("cron API: GET /api/cron/next", "[runtime][cron]") {
  Daemon d;
  auto r = d.api("GET", "/api/cron/next?expr=30+2+*+*+*&tz=Europe/Berlin&n=3&from=2027-03-27T00:00:00Z");
  REQUIRE(r.status == 200);
  CHECK(r.json() == json{{"expr", "30 2 * * *"},
                         {"tz", "Europe/Berlin"},
                         {"next", {"2027-03-27T01:30:00Z", "2027-03-28T01:00:00Z", "2027-03-29T00:30:00Z"}}});

  // Fall back, restricted hour: once, at the first 02:30 (CEST).
  r = d.api("GET", "/api/cron/next?expr=30%202%20*%20*%20*&tz=Europe/Berlin&n=2&from=2027-10-30T12:00:00Z");
  REQUIRE(r.status == 200);
  CHECK(r.json()["next"] == json{"2027-10-31T00:30:00Z", "2027-11-01T01:30:00Z"});

  // Defaults: UTC, 5 instants from now, in order.
  r = d.api("GET", "/api/cron/next?expr=@hourly");
  REQUIRE(r.status == 200);
  CHECK(r.json()["tz"] == "UTC");
  auto next = r.json()["next"];
  REQUIRE(next.size() == 5);
  for (std::size_t i = 1; i < next.size(); ++i) CHECK(next[i - 1].get<std::string>() < next[i].get<std::string>());
  CHECK(std::regex_match(next[0].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:00:00Z)")));

  // A view-only key may ask (it is read-only).
  auto viewer = last_line(
      run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", "view-only", "--name", "viewer"}).out);
  CHECK(d.api_as(viewer, "GET", "/api/cron/next?expr=0+3+*+*+*&n=1").status == 200);
  CHECK(d.api_as("", "GET", "/api/cron/next?expr=0+3+*+*+*").status == 401);
}

TEST_CASE("cron API: bad expr, tz or n is a 400 naming the parameter", "[runtime][cron]") {
  Daemon d;
  struct Case {
    std::string query, field, message;
  };
  const std::vector<Case> cases = {
      {"expr=0+0+32+*+*", "expr", "day-of-month 32 out of range 1-31"},
      {"expr=0+0+30+2+*", "expr", "day-of-month 30 never occurs in month 2: the expression never fires"},
      {"expr=*+*+*+*", "expr",
       "expected 5 fields, got 4 (minute hour day-of-month month day-of-week; or 6 with a seconds field first)"},
      {"n=3", "expr", "expr is required: a cron expression such as '30 2 * * *'"},
      {"expr=0+0+*+*+*&tz=Mars/Base", "tz",
       "unknown time zone 'Mars/Base' (expected an IANA name such as UTC, Europe/Berlin or America/New_York)"},
      {"expr=0+0+*+*+*&n=0", "n", "n must be a whole number from 1 to 100, got '0'"},
      {"expr=0+0+*+*+*&n=101", "n", "n must be a whole number from 1 to 100, got '101'"},
      {"expr=0+0+*+*+*&n=five", "n", "n must be a whole number from 1 to 100, got 'five'"},
  };
  for (const auto& c : cases) {
    auto r = d.api("GET", "/api/cron/next?" + c.query);
    INFO(c.query << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(r.json()["error"]["code"] == "invalid_field");
    CHECK(r.json()["error"]["field"] == c.field);
    CHECK(r.json()["error"]["message"] == c.message);
  }
  auto r = d.api("GET", "/api/cron/next?expr=0+0+*+*+*&from=soon");
  CHECK(r.status == 400);
  CHECK(r.json()["error"]["field"] == "from");
}

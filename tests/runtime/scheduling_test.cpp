// Scheduled automations in a real daemon: fires on time, the next fire in the automation's
// JSON, and a restart across scheduled times records every missed fire once, never twice.
#include <signal.h>

#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {
json runs_of(const Daemon& d, const std::string& key, const std::string& id) {
  return d.api_as(key, "GET", "/api/automations/" + id + "/runs?limit=500").json()["runs"];
}
}  // namespace

TEST_CASE("scheduling: fires on time, restarts and crashes never repeat a fire and record the missed ones",
          "[runtime][scheduling]") {
  TempDir data;
  std::string key, id;
  {
    Daemon d(DaemonOptions{data.str(), {}, {}});
    key = d.admin_key();
    auto created = d.api("POST", "/api/automations",
                         {{"name", "tick"}, {"type", "script"}, {"params", {{"command", "echo tick"}}},
                          {"schedule", "*/2 * * * * *"}});
    REQUIRE(created.status == 201);
    id = created.json()["id"];
    auto a = d.api("GET", "/api/automations/" + id).json();
    CHECK(a["schedule"] == "*/2 * * * * *");
    CHECK(a["next_fire"].is_number_integer());
    CHECK(a["next_fire"].get<long>() % 2 == 0);
    std::this_thread::sleep_for(4500ms);
    CHECK(runs_of(d, key, id).size() >= 2);
    d.stop(SIGTERM);
  }
  std::this_thread::sleep_for(4500ms);  // two or three fires pass while nothing runs
  {
    Daemon d(DaemonOptions{data.str(), {}, {}});
    std::this_thread::sleep_for(2500ms);
    d.stop(SIGKILL);  // a crash this time
  }
  std::this_thread::sleep_for(2500ms);
  Daemon d(DaemonOptions{data.str(), {}, {}});
  std::this_thread::sleep_for(1000ms);
  auto runs = runs_of(d, key, id);
  std::set<long> instants;
  int missed = 0, done = 0;
  for (const auto& r : runs) {
    INFO(r.dump());
    CHECK(r["trigger"] == "schedule");
    REQUIRE(r["scheduled"].is_number_integer());
    CHECK(instants.insert(r["scheduled"].get<long>()).second);  // no fire twice
    if (r["status"] == "skipped") {
      CHECK(r["reason"].get<std::string>().rfind("missed", 0) == 0);
      ++missed;
    }
    if (r["status"] == "done") ++done;
  }
  CHECK(missed >= 2);
  CHECK(done >= 3);
  // Every even second between the first and the last fire is accounted for: run or missed
  // (the one a crash caught mid-run is `interrupted`).
  long first = *instants.begin(), last = *instants.rbegin();
  CHECK(static_cast<long>(instants.size()) >= (last - first) / 2);

  // A bad schedule or zone is refused naming the field.
  auto bad = d.api_as(key, "PUT", "/api/automations/" + id,
                      {{"name", "tick"}, {"type", "script"}, {"params", {{"command", "true"}}}, {"schedule", "0 0 32 * *"}});
  CHECK(bad.status == 400);
  CHECK(bad.json()["error"]["field"] == "schedule");
  CHECK(bad.json()["error"]["message"] == "schedule: day-of-month 32 out of range 1-31");
  auto bad_tz = d.api_as(key, "PUT", "/api/automations/" + id,
                         {{"name", "tick"}, {"type", "script"}, {"params", {{"command", "true"}}}, {"schedule", "0 3 * * *"},
                          {"timezone", "Europe/Nowhere"}});
  CHECK(bad_tz.json()["error"]["field"] == "timezone");
  // Removing the schedule stops it at once.
  CHECK(d.api_as(key, "PUT", "/api/automations/" + id, {{"name", "tick"}, {"type", "script"}, {"params", {{"command", "true"}}}})
            .status == 200);
  CHECK(d.api_as(key, "GET", "/api/automations/" + id).json()["next_fire"].is_null());
  auto count = runs_of(d, key, id).size();
  std::this_thread::sleep_for(2500ms);
  CHECK(runs_of(d, key, id).size() == count);
}

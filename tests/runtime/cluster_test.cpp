// Several daemons on one PostgreSQL database (issue 10; docs/operations.md, "Running a
// cluster"): every scheduled fire runs exactly once across daemons, also when one of them is
// killed; a dead daemon's runs are settled when its lease runs out (interrupted, or queued
// again with on_daemon_loss: retry); queued runs are taken by whichever daemon has a free
// worker; a cancel or a ?wait reaches a run on another daemon. Real daemons, real PostgreSQL
// (the `postgres` ctest fixture); these tests run only there.
#include <signal.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "tests/support/daemon.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/test_database.hpp"

using namespace steward::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kLease = "3";  // seconds: short, so a killed daemon is found quickly

struct Cluster {
  explicit Cluster(int daemons, std::vector<std::string> extra = {}) {
    REQUIRE(testing_postgres());
    url = database_url_for(dir.path());
    std::vector<std::string> args = {"--cluster-lease-s", kLease};
    args.insert(args.end(), extra.begin(), extra.end());
    for (int i = 0; i < daemons; ++i) {
      DaemonOptions o;
      o.database = url;
      o.extra_args = args;
      nodes.push_back(std::make_unique<Daemon>(o));
      if (i == 0) key = nodes[0]->admin_key();
    }
    REQUIRE(!key.empty());
  }
  HttpResult api(int node, const std::string& method, const std::string& path, const json& body = nullptr) const {
    return nodes.at(node)->api_as(key, method, path, body);
  }
  std::vector<std::vector<std::string>> sql(const std::string& statement) const { return query_database(url, statement); }
  std::string daemon_id_of(int node) const {
    auto rows = sql("SELECT id FROM daemons WHERE pid = " + std::to_string(nodes.at(node)->pid()));
    return rows.empty() ? "" : rows[0][0];
  }

  TempDir dir;
  std::string url, key;
  std::vector<std::unique_ptr<Daemon>> nodes;
};

std::string create(const Cluster& c, int node, json body) {
  auto r = c.api(node, "POST", "/api/automations", body);
  REQUIRE(r.status == 201);
  return r.json()["id"];
}

json script(const std::string& name, const std::string& command) {
  return {{"name", name}, {"type", "script"}, {"params", {{"command", command}}}};
}

// The body of automation "tick N": `echo tick` on `schedule`.
json ticking(int n, const std::string& schedule) {
  json body = script("tick " + std::to_string(n), "echo tick");
  body["schedule"] = schedule;
  return body;
}

// `count` ticking automations, created through the daemons in turn (each daemon learns of
// the others' automations over the bus).
std::vector<std::string> create_ticking(const Cluster& c, int count, const std::string& schedule) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back(create(c, i % static_cast<int>(c.nodes.size()), ticking(i, schedule)));
  return ids;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every fire instant of an every-`period_s` schedule in [from, to] has exactly one run, for
// each automation; returns how many instants were checked.
int check_exactly_once(const Cluster& c, const std::vector<std::string>& ids, std::int64_t from, std::int64_t to,
                       int period_s) {
  auto doubled = c.sql(
      "SELECT automation_id, scheduled_ms, COUNT(*) FROM runs WHERE trigger = 'schedule' "
      "GROUP BY automation_id, scheduled_ms HAVING COUNT(*) > 1");
  for (const auto& d : doubled) INFO("fire run twice: " + d[0] + " at " + d[1] + " x" + d[2]);
  CHECK(doubled.empty());
  std::map<std::string, std::set<std::int64_t>> fired;
  for (const auto& r : c.sql("SELECT automation_id, scheduled_ms FROM runs WHERE trigger = 'schedule'"))
    fired[r[0]].insert(std::stoll(r[1]));
  const std::int64_t period = period_s * 1000;
  int checked = 0, missing = 0;
  for (const auto& id : ids) {
    for (std::int64_t t = (from / period + 1) * period; t <= to; t += period) {
      ++checked;
      if (!fired[id].count(t)) {
        ++missing;
        if (missing <= 5) UNSCOPED_INFO("no run for " + id + " at " + std::to_string(t));
      }
    }
  }
  CHECK(missing == 0);
  return checked;
}

}  // namespace

TEST_CASE("cluster: three daemons run each fire of 200 automations exactly once", "[runtime][cluster]") {
  Cluster c(3);
  const auto ids = create_ticking(c, 200, "*/5 * * * * *");
  const std::int64_t from = now_ms() + 1000;
  std::this_thread::sleep_for(16s);
  const std::int64_t to = now_ms() - 3000;  // fires of the last seconds may be in flight
  int checked = check_exactly_once(c, ids, from, to, 5);
  CHECK(checked >= 400);
  // The work is shared: more than one daemon ran fires.
  auto by_daemon = c.sql("SELECT COUNT(DISTINCT daemon_id) FROM runs WHERE trigger = 'schedule'");
  CHECK(std::stoi(by_daemon.at(0).at(0)) >= 2);
  auto claims = c.sql("SELECT COUNT(*) FROM schedule_fires f WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE "
                      "r.automation_id = f.automation_id AND r.scheduled_ms = f.fire_ms)");
  CHECK(claims.at(0).at(0) == "0");  // no claim without its run

  // Disabled through one daemon: none of them fires it again.
  json off = ticking(0, "*/5 * * * * *");
  off["enabled"] = false;
  REQUIRE(c.api(2, "PUT", "/api/automations/" + ids[0], off).status == 200);
  std::this_thread::sleep_for(1s);
  const std::string before = c.sql("SELECT COUNT(*) FROM runs WHERE automation_id = '" + ids[0] + "'")[0][0];
  std::this_thread::sleep_for(4s);
  CHECK(c.sql("SELECT COUNT(*) FROM runs WHERE automation_id = '" + ids[0] + "'")[0][0] == before);
}

TEST_CASE("cluster: kill -9 one of three daemons, and no fire is lost or doubled", "[runtime][cluster]") {
  Cluster c(3);
  const auto ids = create_ticking(c, 100, "*/3 * * * * *");
  const std::string victim = c.daemon_id_of(2);
  REQUIRE(!victim.empty());
  const std::int64_t from = now_ms() + 1000;
  std::this_thread::sleep_for(5s);
  c.nodes[2]->stop(SIGKILL);
  // The lease (3 s) runs out; the survivors reap the dead daemon and settle its runs.
  CHECK(eventually([&] { return c.sql("SELECT 1 FROM daemons WHERE id = '" + victim + "'").empty(); }, 10s));
  std::this_thread::sleep_for(4s);
  const std::int64_t to = now_ms() - 3000;
  check_exactly_once(c, ids, from, to, 3);
  CHECK(c.sql("SELECT COUNT(*) FROM runs WHERE daemon_id = '" + victim + "' AND status IN ('queued', 'running')")
            .at(0)
            .at(0) == "0");
  CHECK(std::stoi(c.sql("SELECT COUNT(*) FROM runs WHERE daemon_id = '" + victim + "'").at(0).at(0)) > 0);
}

TEST_CASE("cluster: a dead daemon's runs end interrupted, or run again elsewhere with on_daemon_loss retry",
          "[runtime][cluster]") {
  Cluster c(2);
  json retry = script("retried", "sleep 6; echo finished");
  retry["on_daemon_loss"] = "retry";
  const std::string retried = create(c, 0, retry);
  const std::string plain = create(c, 0, script("plain", "sleep 6; echo finished"));
  auto get = c.api(0, "GET", "/api/automations/" + retried);
  CHECK(get.json()["on_daemon_loss"] == "retry");
  CHECK(c.api(0, "GET", "/api/automations/" + plain).json()["on_daemon_loss"] == "interrupt");
  CHECK(c.api(0, "POST", "/api/automations", json{{"name", "x"}, {"type", "script"},
                                                  {"params", {{"command", "true"}}}, {"on_daemon_loss", "again"}})
            .status == 400);

  // Both run on daemon 1, which is then killed mid-run.
  const std::string r1 = c.api(1, "POST", "/api/automations/" + retried + "/run").json()["run_id"];
  const std::string r2 = c.api(1, "POST", "/api/automations/" + plain + "/run").json()["run_id"];
  const std::string victim = c.daemon_id_of(1);
  REQUIRE(eventually([&] { return c.api(0, "GET", "/api/automations/runs/" + r1).json()["status"] == "running"; }, 5s));
  REQUIRE(eventually([&] { return c.api(0, "GET", "/api/automations/runs/" + r2).json()["status"] == "running"; }, 5s));
  c.nodes[1]->stop(SIGKILL);

  auto interrupted = c.nodes[0]->wait_for_run(r2, 30s);
  CHECK(interrupted["status"] == "interrupted");
  CHECK(interrupted["reason"].get<std::string>().find(victim) != std::string::npos);

  auto again = c.nodes[0]->wait_for_run(r1, 40s);
  CHECK(again["status"] == "done");
  CHECK(again["output"].get<std::string>().find("finished") != std::string::npos);
  CHECK(again["reason"].get<std::string>().find("queued again") != std::string::npos);
  auto row = c.sql("SELECT attempt, daemon_id FROM runs WHERE id = '" + r1 + "'");
  CHECK(row.at(0).at(0) == "2");
  CHECK(row.at(0).at(1) == c.daemon_id_of(0));
}

TEST_CASE("cluster: queued runs are taken by whichever daemon has a free worker", "[runtime][cluster]") {
  Cluster c(3, {"--workers", "1"});
  const std::string id = create(c, 0, script("slow", "sleep 2; echo ok"));
  std::vector<std::string> runs;
  for (int i = 0; i < 6; ++i) {
    auto r = c.api(0, "POST", "/api/automations/" + id + "/run?wait=false");
    REQUIRE(r.status == 200);
    runs.push_back(r.json()["run_id"]);
  }
  // Through daemon 0 only, yet daemons 1 and 2 take the queued ones.
  for (const auto& r : runs) CHECK(c.nodes[0]->wait_for_run(r, 60s)["status"] == "done");
  auto daemons = c.sql("SELECT COUNT(DISTINCT daemon_id) FROM runs WHERE automation_id = '" + id + "'");
  CHECK(daemons.at(0).at(0) == "3");

  // ?wait on daemon 0 answers with the end of a run another daemon executes.
  const std::string busy = c.api(0, "POST", "/api/automations/" + id + "/run?wait=false").json()["run_id"];
  auto waited = c.api(0, "POST", "/api/automations/" + id + "/run?wait=true");
  REQUIRE(waited.status == 200);
  CHECK(waited.json()["status"] == "done");
  CHECK(waited.json()["output"].get<std::string>().find("ok") != std::string::npos);
  c.nodes[0]->wait_for_run(busy, 30s);

  // A cancel through daemon 0 reaches a run executing on another daemon, and one still queued.
  const std::string long_id = create(c, 0, script("long", "sleep 30"));
  std::vector<std::string> longs;
  for (int i = 0; i < 4; ++i)
    longs.push_back(c.api(0, "POST", "/api/automations/" + long_id + "/run?wait=false").json()["run_id"]);
  REQUIRE(eventually(
      [&] {
        return c.sql("SELECT COUNT(*) FROM runs WHERE automation_id = '" + long_id + "' AND status = 'running'")[0][0] ==
               "3";
      },
      10s));
  for (const auto& r : longs) CHECK(c.api(0, "POST", "/api/automations/runs/" + r + "/cancel").status == 202);
  for (const auto& r : longs) {
    auto end = c.nodes[0]->wait_for_run(r, 20s);
    CHECK(end["status"] == "cancelled");
  }
}

TEST_CASE("cluster: concurrency queue runs one at a time across daemons", "[runtime][cluster]") {
  Cluster c(2);
  json body = script("serial", "echo start $(date +%s%N); sleep 1; echo end $(date +%s%N)");
  body["concurrency"] = "queue";
  const std::string id = create(c, 0, body);
  std::vector<std::string> runs;
  for (int i = 0; i < 4; ++i) runs.push_back(c.api(i % 2, "POST", "/api/automations/" + id + "/run?wait=false").json()["run_id"]);
  for (const auto& r : runs) CHECK(c.nodes[0]->wait_for_run(r, 60s)["status"] == "done");
  // No two runs overlap: sorted by start, each starts after the previous one ended.
  auto rows = c.sql("SELECT started_ms, finished_ms FROM runs WHERE automation_id = '" + id + "' ORDER BY started_ms");
  REQUIRE(rows.size() == 4);
  for (size_t i = 1; i < rows.size(); ++i) CHECK(std::stoll(rows[i][0]) >= std::stoll(rows[i - 1][1]));
}

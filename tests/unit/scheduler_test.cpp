// The scheduler in-process, with a real store, engine and bash plugin. Downtime is
// simulated by giving an automation a schedule set minutes ago; live fires use the
// 6-field form with a seconds field so tests take seconds, not minutes.
#include <catch2/catch.hpp>
#include <thread>

#include "core/automations/automation_store.hpp"
#include "core/maintenance/maintenance_policy.hpp"
#include "core/runs/run_launcher.hpp"
#include "core/scheduling/scheduler.hpp"
#include "core/util/clock.hpp"
#include "core/util/ids.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct World {
  World() : db(dir.path(), test::database_url_for(dir.path())), automations(db), runs(db), audit(db), windows(db), maintenance(windows) {
    registry.load_directory(STEWARD_PLUGIN_BUILD_DIR);
    engine = std::make_unique<RunEngine>(runs, registry, EngineOptions{4, 1 << 20});
    approvals = std::make_unique<ApprovalService>(db, runs, *engine, audit);
    launcher = std::make_unique<RunLauncher>(*engine, *approvals, registry, maintenance, runs, audit);
  }
  ~World() {
    if (scheduler) scheduler->stop();
    engine->shutdown(0ms, 5s);
  }
  Automation scheduled(const std::string& schedule, const std::string& command, std::int64_t set_ms_ago,
                       json extra = json::object()) {
    Automation a;
    a.id = new_id("auto");
    a.name = "scheduled";
    a.type = "script";
    a.params = {{"command", command}};
    a.schedule = schedule;
    a.catch_up = extra.value("catch_up", "skip");
    a.concurrency = extra.value("concurrency", "skip");
    a.created_ms = a.updated_ms = now_ms() - set_ms_ago;
    automations.insert(a);
    return a;
  }
  void start_scheduler() {
    scheduler = std::make_unique<Scheduler>(db, automations, runs, *engine, *launcher);
    scheduler->start();
  }
  std::vector<RunRecord> runs_of(const std::string& id) { return runs.list_for_automation(id, 10000, 0); }
  int count(const std::string& id, const std::string& status, const std::string& reason_prefix = "") {
    int n = 0;
    for (const auto& r : runs_of(id)) n += r.status == status && r.reason.rfind(reason_prefix, 0) == 0;
    return n;
  }

  test::TempDir dir;
  store::Database db;
  AutomationStore automations;
  RunStore runs;
  AuditLog audit;
  MaintenanceStore windows;
  MaintenancePolicy maintenance;
  PluginRegistry registry;
  std::unique_ptr<RunEngine> engine;
  std::unique_ptr<ApprovalService> approvals;
  std::unique_ptr<RunLauncher> launcher;
  std::unique_ptr<Scheduler> scheduler;
};

}  // namespace

TEST_CASE("scheduler: fires missed while down are stored as skipped (missed), once each, across restarts",
          "[unit][scheduler]") {
  World w;
  // Every minute, set 5.5 minutes ago: 5 or 6 fires were missed.
  auto a = w.scheduled("* * * * *", "echo late", 330'000);
  w.start_scheduler();
  int missed = w.count(a.id, "skipped", "missed");
  CHECK(missed >= 5);
  CHECK(missed <= 6);
  CHECK(w.runs_of(a.id).size() == static_cast<size_t>(missed));
  auto next = w.scheduler->next_fire_ms(a.id);
  REQUIRE(next);
  CHECK(*next > now_ms());
  CHECK(*next % 60000 == 0);

  // A second daemon start over the same store records nothing new: every fire was claimed.
  w.scheduler->stop();
  w.start_scheduler();
  CHECK(w.count(a.id, "skipped", "missed") == missed);
}

TEST_CASE("scheduler: catch_up once runs one run for all missed fires", "[unit][scheduler]") {
  World w;
  auto a = w.scheduled("* * * * *", "echo caught-up", 200'000, {{"catch_up", "once"}});
  w.start_scheduler();
  for (const auto& r : w.runs_of(a.id))
    if (r.status != "skipped") REQUIRE(w.engine->wait(r.id, 30s));
  auto all = w.runs_of(a.id);
  int done = 0, skipped = 0;
  std::string run_id;
  for (const auto& r : all) {
    if (r.status == "done") {
      ++done;
      run_id = r.id;
      CHECK(r.trigger == "schedule");
      CHECK(r.output == "caught-up\n");
    }
    if (r.status == "skipped") ++skipped;
  }
  CHECK(done == 1);
  CHECK(skipped >= 2);
  for (const auto& r : all)
    if (r.status == "skipped") CHECK(r.reason == "missed: caught up once by " + run_id);
}

TEST_CASE("scheduler: fires on time, and an edit or delete takes effect at once", "[unit][scheduler]") {
  World w;
  auto a = w.scheduled("* * * * * *", "echo tick", 0);  // every second (6-field form)
  w.start_scheduler();
  std::this_thread::sleep_for(2500ms);
  auto fired = w.runs_of(a.id);
  CHECK(fired.size() >= 2);
  CHECK(fired.size() <= 4);
  for (const auto& r : fired) {
    CHECK(r.trigger == "schedule");
    if (r.started_ms) {
      auto row = w.db.query_one("SELECT scheduled_ms FROM runs WHERE id = ?", {r.id});
      REQUIRE(row);
      CHECK(row->integer(0) % 1000 == 0);
      CHECK(*r.started_ms - row->integer(0) < 1000);  // lag from the due instant (loose: noisy machines)
    }
  }
  // Disable: no more fires.
  a.enabled = false;
  a.updated_ms = now_ms();
  w.automations.update(a);
  w.scheduler->refresh(a.id);
  CHECK_FALSE(w.scheduler->next_fire_ms(a.id));
  std::this_thread::sleep_for(300ms);
  auto before = w.runs_of(a.id).size();
  std::this_thread::sleep_for(1500ms);
  CHECK(w.runs_of(a.id).size() == before);
  // Delete a scheduled one: it stops too.
  auto b = w.scheduled("* * * * * *", "echo tock", 0);
  w.scheduler->refresh(b.id);
  CHECK(w.scheduler->next_fire_ms(b.id));
  w.automations.remove(b.id);
  w.scheduler->refresh(b.id);
  CHECK_FALSE(w.scheduler->next_fire_ms(b.id));
}

TEST_CASE("scheduler: concurrency skip stores an overlapping fire as skipped, allow overlaps", "[unit][scheduler]") {
  World w;
  auto skip = w.scheduled("* * * * * *", "sleep 2.5", 0);
  auto allow = w.scheduled("* * * * * *", "sleep 2.5", 0, {{"concurrency", "allow"}});
  w.start_scheduler();
  std::this_thread::sleep_for(2600ms);
  w.scheduler->stop();
  CHECK(w.count(skip.id, "skipped", "overlap") >= 1);
  int started_skip = 0;
  for (const auto& r : w.runs_of(skip.id)) started_skip += r.status != "skipped";
  CHECK(started_skip == 1);
  CHECK(w.count(allow.id, "skipped") == 0);
  CHECK(w.runs_of(allow.id).size() >= 2);
  CHECK(w.engine->active_count_of(allow.id) >= 2);  // overlapping
}

TEST_CASE("scheduler: concurrency queue runs fires one after another, never overlapping", "[unit][scheduler]") {
  World w;
  auto marker = (w.dir.path() / "overlap").string();
  // Each run notes if another run of it was active at the same time.
  std::string cmd = "if [ -e " + marker + ".lock ]; then echo overlap >> " + marker + "; fi; touch " + marker +
                    ".lock; sleep 1.2; rm -f " + marker + ".lock";
  auto q = w.scheduled("* * * * * *", cmd, 0, {{"concurrency", "queue"}});
  w.start_scheduler();
  std::this_thread::sleep_for(2500ms);
  w.scheduler->stop();
  auto all = w.runs_of(q.id);
  CHECK(all.size() >= 2);
  CHECK(w.count(q.id, "skipped") == 0);
  int queued_or_done = 0;
  for (const auto& r : all) queued_or_done += r.status == "queued" || r.status == "running" || r.status == "done";
  CHECK(queued_or_done == static_cast<int>(all.size()));
  for (const auto& r : all) w.engine->wait(r.id, 30s);
  CHECK_FALSE(std::filesystem::exists(marker));  // no two ran at once
}

// Fires scheduled automations on time (docs/scheduling.md). A min-heap of next-fire
// instants and one timer thread: nothing scans all automations per tick. Each fire is
// claimed in the store (schedule_fires, primary key automation + instant) before its run
// starts, so no fire runs twice, across restarts too. After downtime, missed fires follow
// the automation's catch_up (skip: each stored as a `skipped` run, reason `missed`; once:
// one run for all); a fire while a run is active follows its concurrency (skip: stored
// `skipped`, reason `overlap`; queue: waits for the previous run; allow).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "core/audit/audit_log.hpp"
#include "core/cluster/bus.hpp"
#include "core/automations/automation_store.hpp"
#include "core/runs/run_engine.hpp"
#include "core/runs/run_launcher.hpp"
#include "core/runs/run_store.hpp"
#include "core/scheduling/compiled_schedule.hpp"

namespace steward {

class Scheduler {
 public:
  // Missed fires stored one by one after downtime, per automation; beyond that one more
  // skipped run says how many were not itemized.
  static constexpr int kMaxMissedRecords = 1000;

  Scheduler(store::Database& db, AutomationStore& automations, RunStore& runs, RunEngine& engine,
            RunLauncher& launcher);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Loads every enabled, scheduled automation, records or catches up what was missed
  // while the daemon was down, then starts the timer thread.
  void start();
  void stop();
  // Re-reads one automation after it was created, changed, enabled, disabled or deleted,
  // here and (through the bus) on every other daemon of the database.
  void refresh(const std::string& automation_id);
  // Several daemons: changes made through other daemons arrive on `bus`; after a lost
  // connection everything is re-read. Set before start().
  void set_bus(cluster::Bus* bus) { bus_ = bus; }
  // Claims name the daemon that won them. Set before start().
  void set_daemon(std::string daemon_id) { daemon_ = std::move(daemon_id); }
  std::optional<std::int64_t> next_fire_ms(const std::string& automation_id) const;
  std::size_t scheduled_count() const;
  // Reports each fire's lag and counts the runs stored `skipped` here. Set before start().
  void set_metrics(StewardMetrics* metrics) { metrics_ = metrics; }

 private:
  struct Entry {
    CompiledSchedule schedule;
    std::int64_t next_ms = 0;
    std::uint64_t generation = 0;
  };
  struct Due {
    std::int64_t at_ms;
    std::uint64_t generation;
    std::string id;
    bool operator>(const Due& o) const { return at_ms > o.at_ms; }
  };

  void loop();
  void refresh_here(const std::string& automation_id);
  void reload_all();
  // Under mutex_: (re)arms `a` from `after_ms`; removes it when it has no schedule.
  void arm(const Automation& a, std::int64_t after_ms);
  void arm(const std::string& id, CompiledSchedule schedule, std::int64_t after_ms);
  // Records or runs the fires missed between `from` (the last claimed fire, or when the
  // schedule was set) and now.
  void catch_up(const std::string& id, const CompiledSchedule& s, std::int64_t from, std::int64_t now);
  // Claims fires in one transaction; returns the ones this process won.
  std::vector<std::pair<std::string, std::int64_t>> claim(const std::vector<std::pair<std::string, std::int64_t>>& fires);
  void fire(const std::string& automation_id, std::int64_t fire_ms);
  // A run that did not happen, with why; carrying its fire instant when it stands for one.
  void store_skipped(const Automation& a, std::optional<std::int64_t> fire_ms, const std::string& reason);

  store::Database& db_;
  AutomationStore& automations_;
  RunStore& runs_;
  RunEngine& engine_;
  RunLauncher& launcher_;
  StewardMetrics* metrics_ = nullptr;
  cluster::Bus* bus_ = nullptr;
  std::string daemon_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, Entry> entries_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> heap_;
  std::uint64_t next_generation_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace steward

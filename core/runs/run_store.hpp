#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/runs/run_record.hpp"
#include "core/store/database.hpp"

namespace steward {

class RunStore {
 public:
  explicit RunStore(store::Database& db) : db_(db) {}

  // The daemon this process is (cluster::DaemonRegistry::self()). Queued and running runs
  // stored from now on name it, and finish() writes only runs still owned by it. Empty
  // (tests without a daemon): runs name no daemon and finish() does not check.
  void set_owner(std::string daemon_id) { owner_ = std::move(daemon_id); }

  // `plan` (steps, timeout, serial key: RunPlan below), when given, is kept while the run
  // is active so that another daemon can take it over (a retry after this daemon died).
  void insert(const RunRecord& r, const nlohmann::json& plan = nullptr);
  void mark_running(const std::string& id, std::int64_t started_ms);
  // Moves a stored run (e.g. approved, was pending_approval) to `status`.
  void transition(const std::string& id, const std::string& status, std::optional<std::int64_t> started_ms,
                  const nlohmann::json& plan = nullptr);

  // --- the shared queue (several daemons on PostgreSQL; docs/operations.md) ---
  // Stores a new run `queued` for whichever daemon has a free worker first.
  void insert_unclaimed(const RunRecord& r, const nlohmann::json& plan);
  struct Claimed {
    RunRecord run;  // now `running` on this daemon
    nlohmann::json plan;
  };
  // Takes up to `limit` unclaimed queued runs, oldest first, for this daemon and marks them
  // running (SELECT … FOR UPDATE SKIP LOCKED: daemons claiming at once never take the same
  // run and never wait for each other). A run whose plan has a serial key (concurrency:
  // queue) is taken only while no run of its automation is running anywhere.
  std::vector<Claimed> claim_unclaimed(int limit);
  // Queued or running runs of an automation, on any daemon.
  std::size_t active_count(const std::string& automation_id);
  // Cancels a run still waiting unclaimed; false when it is not (claimed meanwhile, or over).
  bool cancel_unclaimed(const std::string& id, const std::string& reason);
  // Which daemon executes a run ("" when none).
  std::string daemon_of(const std::string& id);
  // Stores the final state and the automation's last_run/last_status in one transaction.
  // False (nothing written) when the run had already ended, or another daemon had taken
  // it over because this one's lease ran out.
  bool finish(const RunRecord& r);
  std::optional<RunRecord> get(const std::string& id);
  std::vector<RunRecord> list_for_automation(const std::string& automation_id, int limit, int offset);
  // A daemon died (its lease ran out; called inside the reaping transaction by
  // `by_daemon`): its queued and running runs become `interrupted`, or `queued` again for
  // any daemon to take when their automation says on_daemon_loss: retry and attempts
  // remain. Returns how many runs were settled.
  int settle_daemon_loss(const std::string& dead_daemon, const std::string& by_daemon);
  static constexpr int kMaxAttempts = 3;
  // At start: runs a previous process left queued or running become interrupted.
  int interrupt_unfinished(const std::string& reason);

 private:
  store::Value owner_for(const std::string& status) const;
  void insert_owned(const RunRecord& r, const nlohmann::json& plan, const store::Value& daemon);

  store::Database& db_;
  std::string owner_;
};

}  // namespace steward

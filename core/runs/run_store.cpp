#include "core/runs/run_store.hpp"

#include <set>

#include "core/util/clock.hpp"

namespace steward {

using nlohmann::json;
using store::nullable;
using store::Value;

namespace {
const char* kColumns =
    "id, automation_id, trigger, status, reason, created_ms, started_ms, finished_ms, exit_code, "
    "output, output_truncated, steps_json, requested_by, scheduled_ms";


RunRecord from_row(const store::Row& r) {
  RunRecord run;
  run.id = r.text(0);
  run.automation_id = r.text(1);
  run.trigger = r.text(2);
  run.status = r.text(3);
  run.reason = r.text(4);
  run.created_ms = r.integer(5);
  run.started_ms = r.optional_integer(6);
  run.finished_ms = r.optional_integer(7);
  run.exit_code = r.optional_integer(8);
  run.output = r.text(9);
  run.output_truncated = r.integer(10) != 0;
  run.steps = json::parse(r.text(11));
  run.requested_by = r.text(12);
  run.scheduled_ms = r.optional_integer(13);
  return run;
}
}  // namespace

Value RunStore::owner_for(const std::string& status) const {
  bool active = status == run_status::kQueued || status == run_status::kRunning;
  return active && !owner_.empty() ? Value(owner_) : Value(nullptr);
}

namespace {
Value plan_value(const json& plan) { return plan.is_null() ? Value(nullptr) : Value(plan.dump()); }
}  // namespace

void RunStore::insert(const RunRecord& r, const json& plan) { insert_owned(r, plan, owner_for(r.status)); }

void RunStore::insert_unclaimed(const RunRecord& r, const json& plan) { insert_owned(r, plan, nullptr); }

void RunStore::insert_owned(const RunRecord& r, const json& plan, const Value& daemon) {
  db_.transaction([&] {
    db_.execute(std::string("INSERT INTO runs(") + kColumns +
                    ", daemon_id, plan_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {r.id, r.automation_id, r.trigger, r.status, r.reason, r.created_ms, nullable(r.started_ms),
                 nullable(r.finished_ms), nullable(r.exit_code), r.output, std::int64_t{r.output_truncated},
                 r.steps.dump(), r.requested_by, nullable(r.scheduled_ms), daemon, plan_value(plan)});
    db_.execute("UPDATE automations SET last_run_ms = ?, last_status = ? WHERE id = ?",
                {r.started_ms ? *r.started_ms : r.created_ms, r.status, r.automation_id});
  });
}

void RunStore::mark_running(const std::string& id, std::int64_t started_ms) {
  db_.transaction([&] {
    db_.execute("UPDATE runs SET status = 'running', started_ms = ?, daemon_id = ? WHERE id = ?",
                {started_ms, owner_for(run_status::kRunning), id});
    db_.execute("UPDATE automations SET last_run_ms = ?, last_status = 'running' WHERE id = "
                "(SELECT automation_id FROM runs WHERE id = ?)",
                {started_ms, id});
  });
}

void RunStore::transition(const std::string& id, const std::string& status, std::optional<std::int64_t> started_ms,
                          const json& plan) {
  db_.transaction([&] {
    db_.execute("UPDATE runs SET status = ?, started_ms = ?, daemon_id = ?, plan_json = ? WHERE id = ?",
                {status, nullable(started_ms), owner_for(status), plan_value(plan), id});
    db_.execute("UPDATE automations SET last_status = ? WHERE id = (SELECT automation_id FROM runs WHERE id = ?)",
                {status, id});
  });
}

bool RunStore::finish(const RunRecord& r) {
  return db_.transaction([&] {
    // Only while the run is still this daemon's and not over: a daemon whose lease ran out
    // may find its runs already settled by another (interrupted, or queued again), and
    // must not overwrite that.
    auto changed = db_.execute(
        "UPDATE runs SET status = ?, reason = ?, started_ms = ?, finished_ms = ?, exit_code = ?, "
        "output = ?, output_truncated = ?, steps_json = ?, plan_json = NULL WHERE id = ? "
        "AND status IN ('pending_approval', 'queued', 'running') AND (? = '' OR daemon_id IS NULL OR daemon_id = ?)",
        {r.status, r.reason, nullable(r.started_ms), nullable(r.finished_ms), nullable(r.exit_code), r.output,
         std::int64_t{r.output_truncated}, r.steps.dump(), r.id, owner_, owner_});
    if (changed == 0 && db_.query_one("SELECT 1 FROM runs WHERE id = ?", {r.id})) return false;
    // The row may be missing when the transaction that created it was rolled back after
    // the run had started (a burst of scheduled fires is committed together): the run
    // happened, so it is recorded whole now.
    if (changed == 0)
      db_.execute(std::string("INSERT INTO runs(") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  {r.id, r.automation_id, r.trigger, r.status, r.reason, r.created_ms, nullable(r.started_ms),
                   nullable(r.finished_ms), nullable(r.exit_code), r.output, std::int64_t{r.output_truncated}, r.steps.dump(),
                   r.requested_by, nullable(r.scheduled_ms)});
    db_.execute("UPDATE automations SET last_run_ms = ?, last_status = ? WHERE id = ?",
                {r.started_ms ? *r.started_ms : r.created_ms, r.status, r.automation_id});
    return true;
  });
}

std::optional<RunRecord> RunStore::get(const std::string& id) {
  auto row = db_.query_one(std::string("SELECT ") + kColumns + " FROM runs WHERE id = ?", {id});
  if (!row) return std::nullopt;
  return from_row(*row);
}

std::vector<RunRecord> RunStore::list_for_automation(const std::string& automation_id, int limit, int offset) {
  std::vector<RunRecord> out;
  for (const auto& r : db_.query(std::string("SELECT ") + kColumns +
                                     " FROM runs WHERE automation_id = ? ORDER BY created_ms DESC, id "
                                     "LIMIT ? OFFSET ?",
                                 {automation_id, std::int64_t{limit}, std::int64_t{offset}}))
    out.push_back(from_row(r));
  return out;
}

std::vector<RunStore::Claimed> RunStore::claim_unclaimed(int limit) {
  std::vector<Claimed> out;
  if (limit <= 0 || owner_.empty()) return out;
  const std::string lock = db_.is_postgres() ? " FOR UPDATE SKIP LOCKED" : "";
  db_.transaction([&] {
    // The whole record with its plan in one read: a claim costs no extra round trip per run.
    auto rows = db_.query(std::string("SELECT ") + kColumns +
                              ", plan_json FROM runs WHERE status = 'queued' AND daemon_id IS NULL "
                              "AND plan_json IS NOT NULL ORDER BY created_ms, id LIMIT ?" + lock,
                          {std::int64_t{limit}});
    bool serial_locked = false;
    std::set<std::string> serial_taken;  // automations whose run this claim already took
    const std::int64_t now = now_ms();
    for (const auto& row : rows) {
      json plan = json::parse(row.text(14), nullptr, false);
      if (!plan.is_object()) continue;
      RunRecord run = from_row(row);
      if (!plan.value("serial_key", std::string()).empty()) {
        // One claimer at a time decides about serial runs: otherwise two daemons could each
        // see no running run of the automation and both start one.
        if (!serial_locked) db_.serialize(store::kSerialClaimLock);
        serial_locked = true;
        if (serial_taken.count(run.automation_id) ||
            db_.query_one("SELECT 1 FROM runs WHERE automation_id = ? AND status = 'running'", {run.automation_id}))
          continue;
        serial_taken.insert(run.automation_id);
      }
      db_.execute("UPDATE runs SET status = 'running', daemon_id = ?, started_ms = ? WHERE id = ?", {owner_, now, run.id});
      db_.execute("UPDATE automations SET last_run_ms = ?, last_status = 'running' WHERE id = ?", {now, run.automation_id});
      run.status = run_status::kRunning;
      run.started_ms = now;
      out.push_back({std::move(run), std::move(plan)});
    }
  });
  return out;
}

std::size_t RunStore::active_count(const std::string& automation_id) {
  auto row = db_.query_one("SELECT COUNT(*) FROM runs WHERE automation_id = ? AND status IN ('queued', 'running')",
                           {automation_id});
  return row ? static_cast<std::size_t>(row->integer(0)) : 0;
}

bool RunStore::cancel_unclaimed(const std::string& id, const std::string& reason) {
  return db_.transaction([&] {
    auto n = db_.execute("UPDATE runs SET status = 'cancelled', reason = ?, finished_ms = ?, plan_json = NULL "
                         "WHERE id = ? AND status = 'queued' AND daemon_id IS NULL",
                         {reason, now_ms(), id});
    if (n == 1)
      db_.execute("UPDATE automations SET last_status = 'cancelled' WHERE id = (SELECT automation_id FROM runs WHERE id = ?)",
                  {id});
    return n == 1;
  });
}

std::string RunStore::daemon_of(const std::string& id) {
  auto row = db_.query_one("SELECT daemon_id FROM runs WHERE id = ?", {id});
  return row ? row->text(0) : "";
}

int RunStore::settle_daemon_loss(const std::string& dead, const std::string& by) {
  const std::int64_t now = now_ms();
  std::size_t n = 0;
  // Retry: back in the shared queue, a fresh start, the attempt counted. Only runs whose
  // plan was kept (plan_json) can be taken by another daemon.
  n += db_.execute(
      "UPDATE runs SET status = 'queued', daemon_id = NULL, started_ms = NULL, attempt = attempt + 1, "
      "reason = ? WHERE daemon_id = ? AND status IN ('queued', 'running') AND plan_json IS NOT NULL "
      "AND attempt < ? AND automation_id IN (SELECT id FROM automations WHERE on_daemon_loss = 'retry')",
      {"the daemon stopped during the run (" + dead + "); queued again by " + by, dead, std::int64_t{kMaxAttempts}});
  n += db_.execute(
      "UPDATE runs SET status = 'interrupted', finished_ms = ?, plan_json = NULL, "
      "reason = CASE WHEN started_ms IS NULL THEN ? ELSE ? END WHERE daemon_id = ? AND status IN ('queued', 'running')",
      {now, "the daemon stopped before the run started (" + dead + ", found by " + by + ")",
       "the daemon stopped while the run was in progress (" + dead + ", found by " + by + ")", dead});
  db_.execute(
      "UPDATE automations SET last_status = 'interrupted' WHERE last_status IN ('running', 'queued') AND NOT EXISTS "
      "(SELECT 1 FROM runs WHERE runs.automation_id = automations.id AND runs.status IN ('running', 'queued'))");
  return static_cast<int>(n);
}

int RunStore::interrupt_unfinished(const std::string& reason) {
  return db_.transaction([&] {
    auto n = db_.execute(
        "UPDATE runs SET status = 'interrupted', reason = ?, finished_ms = ? "
        "WHERE status IN ('running', 'queued') OR (status = 'pending_approval' AND id IN "
        "(SELECT run_id FROM approval_requests WHERE status = 'approved'))",
        {reason, now_ms()});
    db_.execute(
        "UPDATE automations SET last_status = 'interrupted' WHERE id IN "
        "(SELECT automation_id FROM runs WHERE status = 'interrupted' AND reason = ?) "
        "AND last_status IN ('running', 'queued')",
        {reason});
    return static_cast<int>(n);
  });
}

}  // namespace steward

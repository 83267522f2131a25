#include "core/approvals/approval_service.hpp"

#include "core/metrics/steward_metrics.hpp"

#include <algorithm>

#include "core/util/clock.hpp"
#include "core/util/ids.hpp"
#include "core/util/log.hpp"

namespace steward {

using nlohmann::json;
using store::Value;

namespace {

const char* kColumns =
    "id, kind, status, title, description, requested_by, automation_id, run_id, subject_json, approvers_json, "
    "min_approvals, created_ms, expires_ms, decided_ms, reason";

ApprovalRequest from_row(const store::Row& r) {
  ApprovalRequest a;
  a.id = r.text(0);
  a.kind = r.text(1);
  a.status = r.text(2);
  a.title = r.text(3);
  a.description = r.text(4);
  a.requested_by = r.text(5);
  a.automation_id = r.text(6);
  a.run_id = r.text(7);
  a.subject = json::parse(r.text(8));
  a.approvers = json::parse(r.text(9)).get<std::vector<std::string>>();
  a.min_approvals = static_cast<int>(r.integer(10));
  a.created_ms = r.integer(11);
  a.expires_ms = r.optional_integer(12);
  a.decided_ms = r.optional_integer(13);
  a.reason = r.text(14);
  return a;
}

RunRecord rejected_run(const RunRecord& held, const std::string& reason) {
  RunRecord r = held;
  r.status = run_status::kRejected;
  r.reason = reason;
  r.finished_ms = now_ms();
  return r;
}

}  // namespace

ApprovalService::ApprovalService(store::Database& db, RunStore& runs, RunEngine& engine, AuditLog& audit)
    : db_(db), runs_(runs), engine_(engine), audit_(audit) {}

// A held run that will never start (rejected, expired): stored, and counted like any run end.
void ApprovalService::end_held(const RunRecord& ended) {
  runs_.finish(ended);
  if (metrics_) metrics_->run_ended(ended);
}

ApprovalService::~ApprovalService() {
  {
    std::lock_guard lock(expiry_mutex_);
    stopping_ = true;
  }
  expiry_cv_.notify_all();
  if (expiry_thread_.joinable()) expiry_thread_.join();
}

void ApprovalService::start_expiry(std::chrono::milliseconds interval) {
  expiry_thread_ = std::thread([this, interval] {
    std::unique_lock lock(expiry_mutex_);
    while (!expiry_cv_.wait_for(lock, interval, [&] { return stopping_; })) {
      lock.unlock();
      try {
        expire_due();
      } catch (const std::exception& e) {
        log(LogLevel::Error, "approvals", std::string("expiry sweep failed: ") + e.what());
      }
      lock.lock();
    }
  });
}

void ApprovalService::insert_request(const ApprovalRequest& r) {
  db_.execute(std::string("INSERT INTO approval_requests(") + kColumns +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
              {r.id, r.kind, r.status, r.title, r.description, r.requested_by,
               r.automation_id.empty() ? Value(nullptr) : Value(r.automation_id),
               r.run_id.empty() ? Value(nullptr) : Value(r.run_id), r.subject.dump(), json(r.approvers).dump(),
               std::int64_t{r.min_approvals}, r.created_ms, r.expires_ms ? Value(*r.expires_ms) : Value(nullptr)});
}

ApprovalRequest ApprovalService::hold_run(RunRecord run, const std::vector<Step>& steps, std::int64_t timeout_s,
                                          const ApprovalSettings& settings, const std::string& title) {
  ApprovalRequest r;
  r.id = new_id("apr");
  r.kind = "run";
  r.status = approval_status::kPending;
  r.title = title;
  r.requested_by = run.requested_by;
  r.automation_id = run.automation_id;
  r.run_id = run.id;
  r.subject = {{"steps", steps_json(steps)}, {"timeout_s", timeout_s}};
  r.approvers = settings.approvers;
  r.min_approvals = settings.min_approvals;
  r.created_ms = now_ms();
  r.expires_ms = r.created_ms + settings.expires_in_s * 1000;
  run.status = run_status::kPendingApproval;
  run.reason = "waiting for approval " + r.id;
  db_.transaction([&] {
    runs_.insert(run);
    insert_request(r);
  });
  audit_.append(r.requested_by, "approval.requested", r.id, "pending", "run " + run.id);
  return r;
}

ApprovalRequest ApprovalService::propose(const ProposalInput& in, const std::string& requested_by) {
  ApprovalRequest r;
  r.id = new_id("apr");
  r.kind = "proposal";
  r.status = approval_status::kPending;
  r.title = in.title;
  r.description = in.description;
  r.requested_by = requested_by;
  r.subject = {{"steps", steps_json(in.steps)}, {"timeout_s", in.timeout_s}};
  r.approvers = in.approvers;
  r.min_approvals = in.min_approvals;
  r.created_ms = now_ms();
  r.expires_ms = r.created_ms + in.expires_in_s * 1000;
  insert_request(r);
  audit_.append(requested_by, "approval.requested", r.id, "pending", "proposal: " + in.title);
  return r;
}

void ApprovalService::load_decisions(ApprovalRequest& r) {
  r.decisions.clear();
  for (const auto& row : db_.query("SELECT actor, decision, comment, created_ms FROM approval_decisions "
                                   "WHERE request_id = ? ORDER BY created_ms, actor",
                                   {r.id}))
    r.decisions.push_back({row.text(0), row.text(1), row.text(2), row.integer(3)});
}

std::optional<ApprovalRequest> ApprovalService::get(const std::string& id) {
  auto row = db_.query_one(std::string("SELECT ") + kColumns + " FROM approval_requests WHERE id = ?", {id});
  if (!row) return std::nullopt;
  auto r = from_row(*row);
  load_decisions(r);
  return r;
}

std::vector<ApprovalRequest> ApprovalService::list(const ApprovalFilter& f) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM approval_requests WHERE 1 = 1";
  store::Params params;
  if (f.kind) {
    sql += " AND kind = ?";
    params.emplace_back(*f.kind);
  }
  if (f.status) {
    sql += " AND status = ?";
    params.emplace_back(*f.status);
  }
  if (f.since_ms) {
    sql += " AND created_ms >= ?";
    params.emplace_back(*f.since_ms);
  }
  sql += " ORDER BY created_ms DESC, id LIMIT ? OFFSET ?";
  params.emplace_back(std::int64_t{f.limit});
  params.emplace_back(std::int64_t{f.offset});
  std::vector<ApprovalRequest> out;
  for (const auto& row : db_.query(sql, params)) {
    out.push_back(from_row(row));
    load_decisions(out.back());
  }
  return out;
}

bool ApprovalService::expire_locked(ApprovalRequest& r) {
  r.status = approval_status::kExpired;
  r.decided_ms = now_ms();
  r.reason = "no decision before the request expired";
  if (db_.execute("UPDATE approval_requests SET status = ?, decided_ms = ?, reason = ? WHERE id = ? AND status = 'pending'",
                  {r.status, *r.decided_ms, r.reason, r.id}) != 1)
    return false;  // another daemon decided or expired it first
  if (r.kind == "run")
    if (auto held = runs_.get(r.run_id)) end_held(rejected_run(*held, "approval request " + r.id + " expired"));
  return true;
}

int ApprovalService::expire_due() {
  auto due = db_.query("SELECT id FROM approval_requests WHERE status = 'pending' AND expires_ms <= ?", {now_ms()});
  int n = 0;
  for (const auto& row : due) {
    bool expired = db_.transaction([&] {
      db_.lock_row("approval_requests", row.text(0));  // every daemon runs this sweep
      auto r = get(row.text(0));
      if (!r || r->status != approval_status::kPending) return false;
      return expire_locked(*r);
    });
    if (expired) {
      ++n;
      audit_.append("steward", "approval.expired", row.text(0), "expired");
    }
  }
  return n;
}

ApprovalRequest ApprovalService::decide(const std::string& id, const Principal& who, bool approve,
                                        const std::string& comment) {
  enum class Outcome { Recorded, Approved, Rejected, Expired };
  Outcome outcome = Outcome::Recorded;
  ApprovalRequest request;
  // One transaction: concurrent decisions on one request serialize here, so only one of
  // them can see the last needed approval and start the run.
  db_.transaction([&] {
    // Several daemons: decisions on one request arriving through different daemons wait
    // for each other here, so the last needed approval is seen by exactly one of them.
    db_.lock_row("approval_requests", id);
    auto found = get(id);
    if (!found) throw ApprovalError(ApprovalError::Kind::NotFound, "no approval request '" + id + "'");
    request = *found;
    if (request.status != approval_status::kPending)
      throw ApprovalError(ApprovalError::Kind::Conflict, "approval request " + id + " is already " + request.status);
    if (request.expires_ms && *request.expires_ms <= now_ms()) {
      expire_locked(request);
      outcome = Outcome::Expired;
      return;  // committed; reported as a conflict below
    }
    if (who.name == request.requested_by)
      throw ApprovalError(ApprovalError::Kind::Forbidden,
                          "'" + who.name + "' requested this and cannot decide it; another person must");
    bool listed = std::find(request.approvers.begin(), request.approvers.end(), who.name) != request.approvers.end();
    if (!request.approvers.empty() && !listed && who.role != Role::Admin)
      throw ApprovalError(ApprovalError::Kind::Forbidden, "'" + who.name + "' is not among the approvers of " + id);
    for (const auto& d : request.decisions)
      if (d.actor == who.name)
        throw ApprovalError(ApprovalError::Kind::Conflict, "'" + who.name + "' already decided on " + id);

    std::int64_t now = now_ms();
    db_.execute("INSERT INTO approval_decisions(request_id, actor, decision, comment, created_ms) VALUES (?, ?, ?, ?, ?)",
                {id, who.name, std::string(approve ? "approve" : "reject"), comment, now});
    request.decisions.push_back({who.name, approve ? "approve" : "reject", comment, now});

    if (!approve) {
      request.status = approval_status::kRejected;
      request.decided_ms = now;
      request.reason = "rejected by " + who.name + (comment.empty() ? "" : ": " + comment);
      db_.execute("UPDATE approval_requests SET status = ?, decided_ms = ?, reason = ? WHERE id = ?",
                  {request.status, now, request.reason, id});
      if (request.kind == "run")
        if (auto held = runs_.get(request.run_id)) end_held(rejected_run(*held, request.reason));
      outcome = Outcome::Rejected;
      return;
    }
    if (request.approvals() < request.min_approvals) return;

    request.status = approval_status::kApproved;
    request.decided_ms = now;
    if (request.kind == "proposal") {
      // The run is stored now, in the same transaction, so an approved proposal always
      // shows its run; it starts right after the commit.
      RunRecord run = new_run("", "proposal", request.requested_by);
      run.status = run_status::kPendingApproval;
      run.reason = "approved proposal " + id;
      runs_.insert(run);
      request.run_id = run.id;
    }
    db_.execute("UPDATE approval_requests SET status = ?, decided_ms = ?, run_id = ? WHERE id = ?",
                {request.status, now, request.run_id, id});
    outcome = Outcome::Approved;
  });

  if (outcome == Outcome::Expired) {
    audit_.append("steward", "approval.expired", id, "expired");
    throw ApprovalError(ApprovalError::Kind::Conflict, "approval request " + id + " has expired");
  }
  std::string tally = std::to_string(request.approvals()) + "/" + std::to_string(request.min_approvals);
  audit_.append(who.name, approve ? "approval.approve" : "approval.reject", id,
                outcome == Outcome::Approved ? "approved" : outcome == Outcome::Rejected ? "rejected" : "pending " + tally,
                comment);
  if (outcome == Outcome::Approved) start_approved(request);
  return request;
}

void ApprovalService::start_approved(const ApprovalRequest& r) {
  auto held = runs_.get(r.run_id);
  if (!held) return;
  try {
    engine_.start(*held, steps_from_json(r.subject.at("steps")), r.subject.value("timeout_s", std::int64_t{3600}));
  } catch (const EngineStopped&) {
    // Approved while shutting down: the next start records this run as interrupted.
    log(LogLevel::Warning, "approvals", "approved run " + r.run_id + " not started: the daemon is stopping");
  }
}

}  // namespace steward

// The approval gate's decisions (DESIGN.md §2). Every rule lives here, so both views
// (/api/approvals and /api/v1/act/proposals) and every trigger obey the same ones:
// nobody approves their own request; only listed approvers (or admins) decide when a
// list is set; N-of-M approvals start the run exactly once; one rejection rejects;
// an expired request rejects its run.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/approvals/approval_request.hpp"
#include "core/approvals/approval_settings.hpp"
#include "core/audit/audit_log.hpp"
#include "core/keys/key_store.hpp"
#include "core/runs/run_engine.hpp"
#include "core/runs/run_store.hpp"

namespace steward {

class StewardMetrics;

class ApprovalError : public std::runtime_error {
 public:
  enum class Kind { NotFound, Forbidden, Conflict };
  ApprovalError(Kind k, const std::string& message) : std::runtime_error(message), kind(k) {}
  Kind kind;
};

struct ApprovalFilter {
  std::optional<std::string> kind;    // "run" | "proposal"
  std::optional<std::string> status;  // pending | approved | rejected | expired
  std::optional<std::int64_t> since_ms;
  int limit = 100;
  int offset = 0;
};

struct ProposalInput {
  std::string title;
  std::string description;
  std::vector<Step> steps;
  std::int64_t timeout_s = 3600;
  std::vector<std::string> approvers;
  int min_approvals = 1;
  std::int64_t expires_in_s = 86400;
};

class ApprovalService {
 public:
  ApprovalService(store::Database& db, RunStore& runs, RunEngine& engine, AuditLog& audit);
  ~ApprovalService();
  ApprovalService(const ApprovalService&) = delete;
  ApprovalService& operator=(const ApprovalService&) = delete;

  // Counts rejected and expired runs in /metrics; optional.
  void set_metrics(StewardMetrics* metrics) { metrics_ = metrics; }

  // Expires due requests every `interval` on a background thread.
  void start_expiry(std::chrono::milliseconds interval);

  // Stores `run` as pending_approval with its request, in one transaction.
  ApprovalRequest hold_run(RunRecord run, const std::vector<Step>& steps, std::int64_t timeout_s,
                           const ApprovalSettings& settings, const std::string& title);
  ApprovalRequest propose(const ProposalInput& input, const std::string& requested_by);

  // Approve or reject. Throws ApprovalError (NotFound, Forbidden, Conflict).
  ApprovalRequest decide(const std::string& id, const Principal& who, bool approve, const std::string& comment);

  std::optional<ApprovalRequest> get(const std::string& id);
  std::vector<ApprovalRequest> list(const ApprovalFilter& filter);
  // Expires every pending request past its time; returns how many.
  int expire_due();

 private:
  void end_held(const RunRecord& ended);
  StewardMetrics* metrics_ = nullptr;
  void insert_request(const ApprovalRequest& r);
  void load_decisions(ApprovalRequest& r);
  bool expire_locked(ApprovalRequest& r);  // false: not pending any more  // inside a transaction
  void start_approved(const ApprovalRequest& r);

  store::Database& db_;
  RunStore& runs_;
  RunEngine& engine_;
  AuditLog& audit_;

  std::mutex expiry_mutex_;
  std::condition_variable expiry_cv_;
  bool stopping_ = false;
  std::thread expiry_thread_;
};

}  // namespace steward

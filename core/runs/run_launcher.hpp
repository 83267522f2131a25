// The one way a run of an automation begins, whatever triggered it (REST, v1, webhook,
// schedule): plan, then the policy chain, then the engine. Keeping every trigger on this
// path is what makes the policies impossible to bypass through another endpoint.
// Policy chain: maintenance windows (docs/maintenance.md), then the approval gate.
// Concurrency joins here.
#pragma once

#include <optional>
#include <string>

#include "core/approvals/approval_service.hpp"
#include "core/audit/audit_log.hpp"
#include "core/automations/automation.hpp"
#include "core/automations/trigger_input.hpp"
#include "core/maintenance/maintenance_policy.hpp"
#include "core/runs/run_engine.hpp"
#include "core/runs/run_store.hpp"

namespace steward {

struct Launch {
  RunRecord run;
  std::optional<ApprovalRequest> approval;  // set when the run waits for approval
};

struct LaunchOptions {
  // Ignore maintenance windows for this run (a manual run by an admin; the API checks who
  // asks). Recorded in the run's reason and the audit log when a window was overridden.
  bool override_maintenance = false;
  // Concurrency `skip` for automatic fires: if a run of the automation is still active,
  // this one is stored `skipped` (reason overlap) instead of starting.
  bool skip_if_overlapping = false;
  // The fire instant a scheduled run stands for; stored with the run when it is created.
  std::optional<std::int64_t> scheduled_ms;
  // A webhook's body and headers, rendered into the planned steps (trigger_input.hpp).
  std::optional<TriggerInput> input;
};

class RunLauncher {
 public:
  RunLauncher(RunEngine& engine, ApprovalService& approvals, const PluginRegistry& registry,
              MaintenancePolicy& maintenance, RunStore& runs, AuditLog& audit)
      : engine_(engine), approvals_(approvals), registry_(registry), maintenance_(maintenance), runs_(runs),
        audit_(audit) {}

  // Throws EngineStopped during shutdown.
  Launch launch(const Automation& automation, const std::string& trigger, const std::string& requested_by,
                const LaunchOptions& options = {});
  // Counts the runs stored here in a final status (skipped, unplannable). Set once at start-up.
  void set_metrics(StewardMetrics* metrics) { metrics_ = metrics; }

 private:
  // Stores the run `skipped` with the window as its reason.
  Launch skip(const Automation& a, const std::string& trigger, const std::string& requested_by,
              const AppliedWindow& window, const LaunchOptions& options);
  // A new run record for `a`, carrying the options' fire instant.
  static RunRecord fresh(const Automation& a, const std::string& trigger, const std::string& requested_by,
                         const LaunchOptions& options);
  // Plans and starts the run now; `note` (when set) begins the run's reason.
  RunRecord go(const Automation& a, const std::string& trigger, const std::string& requested_by,
               const std::string& note, const LaunchOptions& options);
  // The automation's steps, with the trigger's input rendered in when there is one.
  PlanOutcome plan(const Automation& a, const LaunchOptions& options) const;
  // Stores a run that could not be planned as failed, with the reason.
  RunRecord unplannable(const Automation& a, const std::string& trigger, const std::string& requested_by,
                        const LaunchOptions& options, const SchemaError& err);
  Launch hold(const Automation& a, const std::string& trigger, const std::string& requested_by,
              const ApprovalSettings& settings, const std::string& title, const LaunchOptions& options);

  RunEngine& engine_;
  ApprovalService& approvals_;
  const PluginRegistry& registry_;
  MaintenancePolicy& maintenance_;
  RunStore& runs_;
  AuditLog& audit_;
  StewardMetrics* metrics_ = nullptr;
};

}  // namespace steward

#include "core/runs/run_launcher.hpp"

#include "core/util/clock.hpp"
#include "core/util/ids.hpp"

namespace steward {

Launch RunLauncher::launch(const Automation& a, const std::string& trigger, const std::string& requested_by,
                           const LaunchOptions& options) {
  bool needs_approval = a.approval && a.approval->required;
  std::string title = "Run '" + a.name + "' (" + a.id + ")";
  // When a window changes what happens, the run's reason says so and the audit log has it.
  std::string note, action, outcome;

  // 1. Maintenance windows: the strictest active window in scope decides.
  if (auto window = maintenance_.applies(a, now_ms())) {
    if (options.override_maintenance) {
      note = "maintenance override by " + requested_by + " (" + window->describe() + ")";
      action = "policy.maintenance_override";
      outcome = "overridden";
      title += " (" + note + ")";
    } else if (window->autonomy_override == autonomy::kDisabled) {
      return skip(a, trigger, requested_by, *window, options);
    } else if (window->autonomy_override == autonomy::kApproval) {
      needs_approval = true;
      title += " during " + window->describe();
      note = window->describe() + " and requires approval";
      action = "policy.approval_required";
      outcome = "held";
    } else if (window->autonomy_override == autonomy::kFull && needs_approval) {
      needs_approval = false;
      note = "approval not asked: " + window->describe() + " with full autonomy";
      action = "policy.full_autonomy";
      outcome = "approval skipped";
    }
  }

  // 2. The approval gate.
  if (needs_approval) {
    // A window that asks for approval uses the automation's own approvers when it has any.
    ApprovalSettings settings = a.approval.value_or(ApprovalSettings{});
    settings.required = true;
    Launch held = hold(a, trigger, requested_by, settings, title, options);
    if (!action.empty() && held.approval) audit_.append(requested_by, action, held.run.id, outcome, note);
    return held;
  }

  // 3. Concurrency: a fire that would overlap a run still active is recorded, not started.
  if (options.skip_if_overlapping && engine_.active_count_of(a.id) > 0) {
    RunRecord run = fresh(a, trigger, requested_by, options);
    run.status = run_status::kSkipped;
    run.reason = "overlap: the previous run of this automation is still active";
    run.finished_ms = run.created_ms;
    runs_.insert(run);
    if (metrics_) metrics_->run_ended(run);
    return {run, std::nullopt};
  }

  RunRecord run = go(a, trigger, requested_by, note, options);
  if (!action.empty()) audit_.append(requested_by, action, run.id, outcome, note);
  return {run, std::nullopt};
}

RunRecord RunLauncher::fresh(const Automation& a, const std::string& trigger, const std::string& requested_by,
                             const LaunchOptions& options) {
  RunRecord run = new_run(a.id, trigger, requested_by);
  run.scheduled_ms = options.scheduled_ms;
  return run;
}

Launch RunLauncher::skip(const Automation& a, const std::string& trigger, const std::string& requested_by,
                         const AppliedWindow& window, const LaunchOptions& options) {
  RunRecord run = fresh(a, trigger, requested_by, options);
  run.status = run_status::kSkipped;
  run.reason = window.describe();
  run.finished_ms = run.created_ms;
  runs_.insert(run);
  if (metrics_) metrics_->run_ended(run);
  audit_.append(requested_by, "policy.skipped", run.id, "skipped", run.reason);
  return {run, std::nullopt};
}

PlanOutcome RunLauncher::plan(const Automation& a, const LaunchOptions& options) const {
  auto planned = plan_automation(registry_, a.type, a.params);
  if (std::holds_alternative<SchemaError>(planned)) return planned;
  auto& steps = std::get<std::vector<Step>>(planned);
  assign_target(steps, a.target);
  if (!options.input) return planned;
  return apply_trigger_input(registry_, std::move(steps), *options.input);
}

RunRecord RunLauncher::unplannable(const Automation& a, const std::string& trigger, const std::string& requested_by,
                                   const LaunchOptions& options, const SchemaError& err) {
  // The automation was valid when saved; a plugin since removed or changed, or a trigger's
  // input that does not fit, makes it unplannable: a failed run with its reason, not a lost request.
  RunRecord run = fresh(a, trigger, requested_by, options);
  run.status = run_status::kFailed;
  run.reason = "could not plan: " + err.text();
  run.started_ms = run.finished_ms = run.created_ms;
  runs_.insert(run);
  if (metrics_) metrics_->run_ended(run);
  return run;
}

RunRecord RunLauncher::go(const Automation& a, const std::string& trigger, const std::string& requested_by,
                          const std::string& note, const LaunchOptions& options) {
  auto planned = plan(a, options);
  if (auto* err = std::get_if<SchemaError>(&planned)) return unplannable(a, trigger, requested_by, options, *err);
  RunRecord run = fresh(a, trigger, requested_by, options);
  run.reason = note;
  return engine_.start_serial(run, std::get<std::vector<Step>>(std::move(planned)), a.timeout_s,
                              a.concurrency == "queue" ? a.id : "");
}

Launch RunLauncher::hold(const Automation& a, const std::string& trigger, const std::string& requested_by,
                         const ApprovalSettings& settings, const std::string& title, const LaunchOptions& options) {
  auto planned = plan(a, options);
  // An unplannable automation fails now; there is nothing for anyone to approve.
  if (auto* err = std::get_if<SchemaError>(&planned))
    return {unplannable(a, trigger, requested_by, options, *err), std::nullopt};

  RunRecord run = fresh(a, trigger, requested_by, options);
  // What the approvers see is what runs: the steps are planned now and kept with the request.
  auto request = approvals_.hold_run(run, std::get<std::vector<Step>>(planned), a.timeout_s, settings, title);
  run.status = run_status::kPendingApproval;
  run.reason = "waiting for approval " + request.id;
  return {run, request};
}

}  // namespace steward

#include "core/runs/run_launcher.hpp"

#include "core/util/clock.hpp"
#include "core/util/ids.hpp"

namespace steward {

Launch RunLauncher::launch(const Automation& a, const std::string& trigger, const std::string& requested_by) {
  if (!a.approval || !a.approval->required) return {engine_.submit(a, trigger, requested_by), std::nullopt};

  auto planned = plan_automation(registry_, a.type, a.params);
  // An unplannable automation fails now; there is nothing for anyone to approve.
  if (std::holds_alternative<SchemaError>(planned)) return {engine_.submit(a, trigger, requested_by), std::nullopt};

  RunRecord run;
  run.id = new_id("run");
  run.automation_id = a.id;
  run.trigger = trigger;
  run.requested_by = requested_by;
  run.created_ms = now_ms();
  // What the approvers see is what runs: the steps are planned now and kept with the request.
  auto request = approvals_.hold_run(run, std::get<std::vector<Step>>(planned), a.timeout_s, *a.approval,
                                     "Run '" + a.name + "' (" + a.id + ")");
  run.status = run_status::kPendingApproval;
  run.reason = "waiting for approval " + request.id;
  return {run, request};
}

}  // namespace steward

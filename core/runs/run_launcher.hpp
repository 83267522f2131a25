// The one way a run of an automation begins, whatever triggered it (REST, v1, webhook,
// schedule): plan, then the policy chain, then the engine. Keeping every trigger on this
// path is what makes the policies impossible to bypass through another endpoint.
// Policy chain today: the approval gate. Maintenance windows and concurrency join here.
#pragma once

#include <optional>
#include <string>

#include "core/approvals/approval_service.hpp"
#include "core/automations/automation.hpp"
#include "core/runs/run_engine.hpp"

namespace steward {

struct Launch {
  RunRecord run;
  std::optional<ApprovalRequest> approval;  // set when the run waits for approval
};

class RunLauncher {
 public:
  RunLauncher(RunEngine& engine, ApprovalService& approvals, const PluginRegistry& registry)
      : engine_(engine), approvals_(approvals), registry_(registry) {}

  // Throws EngineStopped during shutdown.
  Launch launch(const Automation& automation, const std::string& trigger, const std::string& requested_by);

 private:
  RunEngine& engine_;
  ApprovalService& approvals_;
  const PluginRegistry& registry_;
};

}  // namespace steward

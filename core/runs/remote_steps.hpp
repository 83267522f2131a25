// Steps whose target is not this daemon (a device, a group, or "auto" routing) are handed
// to this interface by the run engine; the device hub's step runner implements it. It
// reports into the CallContext exactly as a local tool would (output, result, error,
// cancellation), so a run looks the same wherever its steps ran.
#pragma once

#include <steward/plugin.h>

#include <cstdint>
#include <string>

#include "core/automations/planner.hpp"
#include "core/plugins/call_context.hpp"

namespace steward {

class RemoteSteps {
 public:
  virtual ~RemoteSteps() = default;
  // `run_id`: the run the step belongs to (device executions name it as their source).
  // `timeout_s`: the run's whole timeout (the engine also cancels at its deadline).
  virtual steward_rc run_step(const std::string& run_id, const Step& step, CallContext& call, std::int64_t timeout_s) = 0;
};

}  // namespace steward

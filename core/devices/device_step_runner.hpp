// Runs automation steps away from this daemon (RemoteSteps): on one device, on every online
// member of a group in parallel, or where routing sends the tool ("auto", which may be
// this daemon). Output is forwarded to the run as it arrives; a group's lines are prefixed
// with the member's name. The run's cancellation and timeout reach the agents. A device
// connected to another daemon on the same database is reached through the hub's peers
// (core/cluster/device_link): its output then arrives when the step ends.
#pragma once

#include "core/devices/device_hub.hpp"
#include "core/devices/group_store.hpp"
#include "core/devices/routing.hpp"
#include "core/runs/remote_steps.hpp"

namespace steward {

class DeviceStepRunner : public RemoteSteps {
 public:
  DeviceStepRunner(DeviceHub& hub, DeviceStore& devices, GroupStore& groups, Routing& routing,
                   const PluginRegistry& local)
      : hub_(hub), devices_(devices), groups_(groups), routing_(routing), local_(local) {}

  steward_rc run_step(const std::string& run_id, const Step& step, CallContext& call, std::int64_t timeout_s) override;

 private:
  steward_rc on_device(const std::string& run_id, const std::string& device_id, const Step& step, CallContext& call,
                       std::int64_t timeout_s);
  steward_rc on_group(const std::string& run_id, const std::string& group_id, const Step& step, CallContext& call,
                      std::int64_t timeout_s);
  steward_rc routed(const std::string& run_id, const Step& step, CallContext& call, std::int64_t timeout_s);

  DeviceHub& hub_;
  DeviceStore& devices_;
  GroupStore& groups_;
  Routing& routing_;
  const PluginRegistry& local_;
};

}  // namespace steward

#include "core/devices/device_step_runner.hpp"

#include <mutex>

#include "core/automations/target.hpp"

namespace steward {

using nlohmann::json;

namespace {

// Forwards one execution's output into the run; with a prefix, every line starts with it.
class Forward final : public ExecutionObserver {
 public:
  Forward(CallContext& call, std::mutex& mutex, std::string prefix)
      : call_(call), mutex_(mutex), prefix_(std::move(prefix)) {}
  void on_output(const std::string& stream, std::string_view data) override {
    steward_stream s = stream == "stderr" ? STEWARD_STREAM_STDERR : STEWARD_STREAM_STDOUT;
    std::lock_guard lock(mutex_);
    if (prefix_.empty()) {
      call_.on_output(s, data);
      return;
    }
    std::string text;
    for (char c : data) {
      if (at_line_start_) text += prefix_;
      text += c;
      at_line_start_ = c == '\n';
    }
    call_.on_output(s, text);
  }

 private:
  CallContext& call_;
  std::mutex& mutex_;
  std::string prefix_;
  bool at_line_start_ = true;
};

// Waits for an execution, passing the run's cancellation (user, timeout) to the agent.
DeviceExecution wait_for(DeviceHub& hub, ExecutionHandle& handle, CallContext& call) {
  bool asked = false;
  for (;;) {
    if (auto done = handle.wait(std::chrono::milliseconds(100))) return *done;
    if (!asked && call.cancelled()) {
      asked = true;
      hub.cancel(handle.id(), "the run");
    }
  }
}

steward_rc outcome(const DeviceExecution& e, CallContext& call) {
  json result = e.result.is_object() ? e.result : json::object();
  result["device_id"] = e.device_id;
  result["execution_id"] = e.id;
  call.on_result(result.dump());
  if (e.status == execution_status::kCompleted) return STEWARD_OK;
  if (e.status == execution_status::kCancelled) return STEWARD_CANCELLED;
  call.on_error(e.error.value_or(e.status));
  return STEWARD_ERROR;
}

}  // namespace

steward_rc DeviceStepRunner::run_step(const std::string& run_id, const Step& step, CallContext& call, std::int64_t timeout_s) {
  auto t = parse_target(step.target);
  if (t && t->kind == Target::Kind::Device) return on_device(run_id, t->id, step, call, timeout_s);
  if (t && t->kind == Target::Kind::Group) return on_group(run_id, t->id, step, call, timeout_s);
  if (t && t->kind == Target::Kind::Auto) return routed(run_id, step, call, timeout_s);
  call.on_error("cannot run a step on target '" + step.target + "' here");
  return STEWARD_ERROR;
}

steward_rc DeviceStepRunner::on_device(const std::string& run_id, const std::string& device_id, const Step& step,
                                       CallContext& call, std::int64_t timeout_s) {
  std::mutex mutex;
  ExecuteRequest r;
  r.device_id = device_id;
  r.tool = step.tool;
  r.args = step.args;
  r.timeout_s = std::min(timeout_s, hub_.options().max_timeout_s);
  r.source = "run:" + run_id;
  r.requested_by = "run";
  r.queue_if_offline = false;  // a run does not wait for a device to come back
  try {
    auto handle = hub_.execute(r, std::make_shared<Forward>(call, mutex, ""));
    return outcome(wait_for(hub_, *handle, call), call);
  } catch (const ExecuteRefused& e) {
    call.on_error(e.what());
    return STEWARD_ERROR;
  }
}

steward_rc DeviceStepRunner::on_group(const std::string& run_id, const std::string& group_id, const Step& step,
                                      CallContext& call, std::int64_t timeout_s) {
  auto group = groups_.get(group_id);
  if (!group) {
    call.on_error("device group " + group_id + " does not exist");
    return STEWARD_ERROR;
  }
  std::mutex mutex;
  struct Member {
    std::string id, name;
    std::shared_ptr<ExecutionHandle> handle;
    std::string skipped;  // why it did not run
  };
  std::vector<Member> members;
  for (const auto& id : group->members) {
    auto d = devices_.get(id);
    Member m{id, d ? d->name : id, nullptr, hub_.why_not_runnable(d, step.tool)};
    if (m.skipped.empty()) {
      ExecuteRequest r;
      r.device_id = id;
      r.tool = step.tool;
      r.args = step.args;
      r.timeout_s = std::min(timeout_s, hub_.options().max_timeout_s);
      r.source = "run:" + run_id;
      r.requested_by = "run";
      r.queue_if_offline = false;
      try {
        m.handle = hub_.execute(r, std::make_shared<Forward>(call, mutex, "[" + m.name + "] "));
      } catch (const ExecuteRefused& e) {
        m.skipped = e.what();
      }
    }
    if (!m.skipped.empty()) {
      std::lock_guard lock(mutex);
      call.on_output(STEWARD_STREAM_STDERR, "[" + m.name + "] not run: " + m.skipped + "\n");
    }
    members.push_back(std::move(m));
  }
  json results = json::array();
  int ran = 0, ok = 0;
  bool cancelled = false;
  for (auto& m : members) {
    json r = {{"device_id", m.id}, {"name", m.name}};
    if (!m.handle) {
      r["status"] = "not_run";
      r["reason"] = m.skipped;
    } else {
      DeviceExecution e = wait_for(hub_, *m.handle, call);
      ++ran;
      ok += e.status == execution_status::kCompleted;
      cancelled = cancelled || e.status == execution_status::kCancelled;
      r["status"] = e.status;
      r["execution_id"] = e.id;
      r["exit_code"] = e.exit_code ? json(*e.exit_code) : json();
      if (e.error) r["error"] = *e.error;
    }
    results.push_back(r);
  }
  call.on_result(json{{"group_id", group_id}, {"devices", results}, {"ran", ran}, {"completed", ok}}.dump());
  if (cancelled && call.cancelled()) return STEWARD_CANCELLED;
  if (ran == 0) {
    call.on_error("no member of group " + group->name + " could run it (none approved and online)");
    return STEWARD_ERROR;
  }
  if (ok < ran) {
    call.on_error(std::to_string(ran - ok) + " of " + std::to_string(ran) + " devices of group " + group->name +
                  " did not complete");
    return STEWARD_ERROR;
  }
  return STEWARD_OK;
}

steward_rc DeviceStepRunner::routed(const std::string& run_id, const Step& step, CallContext& call, std::int64_t timeout_s) {
  RoutingDecision d = routing_.decide(step.tool);
  if (d.target.empty()) {
    call.on_error("routing: " + d.reason);
    return STEWARD_ERROR;
  }
  call.on_output(STEWARD_STREAM_STDOUT, "[steward] routing: " + d.reason + "\n");
  if (d.target == "local") {
    const Plugin* tool = local_.tool(step.tool);
    if (!tool) {
      call.on_error("tool '" + step.tool + "' is not loaded");
      return STEWARD_ERROR;
    }
    return tool->run(call, step.args.dump());
  }
  return on_device(run_id, parse_target(d.target)->id, step, call, timeout_s);
}

}  // namespace steward

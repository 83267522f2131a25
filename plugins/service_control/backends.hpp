// The three ways to control a service: systemd (systemctl), SysV (`service`) and
// supervisord (supervisorctl). Each turns an action into one argv and reads state back.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <steward/plugin.hpp>

#include "plugin_config.hpp"
#include "status_parsers.hpp"

namespace service_control {

// Thrown when the host cancelled the run while a backend command ran.
struct Cancelled {};

// A refused or failed action; the message names the service, backend and reason.
struct ActionFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One tool call: where to report, which programs to use, and the call's overall deadline.
struct CallContext {
  steward::Run& run;
  const PluginConfig& config;
  std::chrono::steady_clock::time_point deadline;
  int timeout_s;
};

// "auto" resolved as README.md documents: supervisor_config set -> supervisord;
// /run/systemd/system present -> systemd; a supervisord socket at a default path
// accepting connections -> supervisord; otherwise sysv.
std::string resolve_backend(const std::string& requested, const PluginConfig& config);

// Current state. ServiceStatus::exists is false when the backend does not know `name`.
ServiceStatus query_status(CallContext& ctx, const std::string& backend, const std::string& name);

// Runs start|stop|restart|reload|enable|disable; throws ActionFailed with the reason
// (also for an action the backend cannot do, e.g. enable under supervisord).
void perform_action(CallContext& ctx, const std::string& backend, const std::string& name, const std::string& action);

// Throws ActionFailed when `backend` cannot do `action` at all; nothing is run.
void check_supported(const std::string& backend, const std::string& action);

}  // namespace service_control

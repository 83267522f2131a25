// The `service_control` tool: start|stop|restart|reload|status|enable|disable a service
// through systemd, SysV `service` or supervisord. The name is checked against a strict
// pattern (and the optional allow-list) before anything runs, and reaches the backend as
// one argv entry: no shell is ever involved.
#include <chrono>
#include <nlohmann/json.hpp>
#include <steward/plugin.hpp>

#include "backends.hpp"
#include "plugin_config.hpp"
#include "service_name.hpp"

namespace {

using nlohmann::json;
using namespace service_control;

constexpr int kDefaultTimeoutS = 60;

const char* kSchema = R"json({
  "type": "object",
  "required": ["service", "action"],
  "additionalProperties": false,
  "properties": {
    "service": {"type": "string", "minLength": 1, "maxLength": 128,
                "description": "Service name: a letter or digit, then up to 127 of A-Z a-z 0-9 _ . @ : - (supervisord groups as group:name)"},
    "action": {"type": "string", "enum": ["start", "stop", "restart", "reload", "status", "enable", "disable"],
               "description": "What to do; status only reads the state. enable/disable need the systemd backend"},
    "backend": {"type": "string", "enum": ["auto", "systemd", "sysv", "supervisord"],
                "description": "Overrides the plugin config's backend for this call (default: the config's, itself auto by default)"},
    "timeout_s": {"type": "integer", "minimum": 1, "maximum": 3600, "default": 60,
                  "description": "Seconds for the whole call; a backend command still running then is killed"}
  }
})json";

bool is_action(const std::string& a) {
  for (const char* known : {"start", "stop", "restart", "reload", "status", "enable", "disable"})
    if (a == known) return true;
  return false;
}

json opt(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

class ServiceControlTool {
 public:
  ServiceControlTool(const steward::Host&, std::string_view config_json) : config_(parse_plugin_config(config_json)) {}

  steward_rc run(steward::Run& run, std::string_view args_text) {
    json args = json::parse(args_text);
    // The host checked types and enums against the schema; these checks are the ones it
    // cannot do (the name pattern) plus a guard should the plugin be called directly.
    const std::string service = args.value("service", "");
    if (std::string problem = service_name_problem(service); !problem.empty()) return run.fail(problem);
    const std::string action = args.value("action", "");
    if (!is_action(action))
      return run.fail("action: '" + action + "' is not one of start, stop, restart, reload, status, enable, disable");
    const std::string requested = args.value("backend", config_.backend);
    if (!is_backend_name(requested)) return run.fail("backend: '" + requested + "' is not one of auto, systemd, sysv, supervisord");
    if (config_.allowed_services && !config_.allowed_services->count(service))
      return run.fail("service '" + service + "' is not in the service_control plugin's allowed_services");
    const int timeout_s = args.value("timeout_s", kDefaultTimeoutS);
    if (timeout_s < 1) return run.fail("timeout_s: must be at least 1");

    const std::string backend = resolve_backend(requested, config_);
    CallContext ctx{run, config_, std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s), timeout_s};
    try {
      if (action != "status") check_supported(backend, action);
      ServiceStatus before = query_status(ctx, backend, service);
      if (!before.exists)
        return run.fail("unknown service '" + service + "' (backend " + backend + "): " + before.raw);
      if (action == "status") {
        run.result(json{{"service", service}, {"backend", backend}, {"state", before.state},
                        {"pid", opt(before.pid)}, {"since", opt(before.since)}, {"raw", before.raw}}
                       .dump());
        return STEWARD_OK;
      }
      perform_action(ctx, backend, service, action);
      ServiceStatus after = query_status(ctx, backend, service);
      run.result(json{{"service", service}, {"backend", backend}, {"action", action}, {"ok", true},
                      {"state", after.state}, {"pid", opt(after.pid)}}
                     .dump());
      return STEWARD_OK;
    } catch (const Cancelled&) {
      return STEWARD_CANCELLED;
    } catch (const ActionFailed& e) {
      run.result(json{{"service", service}, {"backend", backend}, {"action", action}, {"ok", false}}.dump());
      return run.fail(e.what());
    }
  }

 private:
  const PluginConfig config_;  // read-only after start: concurrent runs share it safely
};

}  // namespace

STEWARD_TOOL_PLUGIN(ServiceControlTool, "service_control", "1.0.0",
                    "Starts, stops, restarts, reloads, enables or disables a service, or reads its state "
                    "(systemd, SysV or supervisord)",
                    kSchema)

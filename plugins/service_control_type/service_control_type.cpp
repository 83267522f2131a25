// The `service_control` automation type: params {"service","action"[,"backend"]} become one
// step of the service_control tool. The name pattern is checked here too, so a bad name is
// refused when the automation is saved, not when it first runs.
#include <nlohmann/json.hpp>
#include <steward/plugin.hpp>

#include "../service_control/service_name.hpp"

namespace {

using nlohmann::json;

const char* kSchema = R"json({
  "type": "object",
  "required": ["service", "action"],
  "additionalProperties": false,
  "properties": {
    "service": {"type": "string", "minLength": 1, "maxLength": 128,
                "description": "Service name, e.g. nginx: a letter or digit, then up to 127 of A-Z a-z 0-9 _ . @ : - (supervisord groups as group:name)"},
    "action": {"type": "string", "enum": ["start", "stop", "restart", "reload", "status", "enable", "disable"],
               "description": "What the run does to the service"},
    "backend": {"type": "string", "enum": ["auto", "systemd", "sysv", "supervisord"],
                "description": "Overrides the service_control plugin config's backend (default: the config's, itself auto by default)"}
  }
})json";

bool one_of(const json& v, std::initializer_list<const char*> allowed) {
  if (!v.is_string()) return false;
  for (const char* a : allowed)
    if (v.get<std::string>() == a) return true;
  return false;
}

class ServiceControlType {
 public:
  ServiceControlType(const steward::Host&, std::string_view) {}

  steward_rc plan(steward::Run& run, std::string_view params_text) {
    json params = json::parse(params_text);
    if (!params.is_object()) return run.fail("params: must be an object");
    // The host validated against the schema; these repeat the enum checks for direct
    // callers and add the name pattern, which the schema cannot express.
    const json service = params.value("service", json());
    if (!service.is_string()) return run.fail("service: is required and must be a string");
    if (std::string problem = service_control::service_name_problem(service.get<std::string>()); !problem.empty())
      return run.fail(problem);
    const json action = params.value("action", json());
    if (!one_of(action, {"start", "stop", "restart", "reload", "status", "enable", "disable"}))
      return run.fail("action: must be one of start, stop, restart, reload, status, enable, disable, got " + action.dump());
    json args = {{"service", service}, {"action", action}};
    if (params.contains("backend")) {
      if (!one_of(params["backend"], {"auto", "systemd", "sysv", "supervisord"}))
        return run.fail("backend: must be one of auto, systemd, sysv, supervisord, got " + params["backend"].dump());
      args["backend"] = params["backend"];
    }
    json step = {{"tool", "service_control"},
                 {"args", args},
                 {"name", action.get<std::string>() + " " + service.get<std::string>()},
                 {"continue_on_error", false}};
    run.result(json::array({step}).dump());
    return STEWARD_OK;
  }
};

}  // namespace

STEWARD_AUTOMATION_TYPE_PLUGIN(ServiceControlType, "service_control", "1.0.0",
                               "One action on one service, run by the service_control tool", kSchema)

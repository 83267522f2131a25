// The `sequence` automation type: ordered steps, each a tool with args. A step that fails
// stops the run unless it says continue_on_error (then the failure is recorded and the
// run goes on, as in CI systems' continue-on-error).
#include <nlohmann/json.hpp>
#include <steward/plugin.hpp>

namespace {

using nlohmann::json;

const char* kSchema = R"json({
  "type": "object",
  "required": ["steps"],
  "additionalProperties": false,
  "properties": {
    "steps": {
      "type": "array", "minItems": 1, "maxItems": 100,
      "description": "Run in order",
      "items": {
        "type": "object",
        "required": ["tool"],
        "additionalProperties": false,
        "properties": {
          "tool": {"type": "string", "minLength": 1, "description": "A loaded tool, e.g. bash"},
          "args": {"type": "object", "default": {}, "description": "Validated against the tool's schema"},
          "name": {"type": "string", "maxLength": 200, "description": "Shown in the output and step results"},
          "continue_on_error": {"type": "boolean", "default": false,
                                "description": "Record a failure of this step and go on with the next"},
          "when": {"type": "string", "enum": ["always", "previous_failed", "previous_succeeded"], "default": "always",
                   "description": "previous_failed: run only when the step before failed (with continue_on_error), e.g. a restart after a failed health check; otherwise the step is recorded as skipped"}
        }
      }
    }
  }
})json";

class SequenceType {
 public:
  SequenceType(const steward::Host&, std::string_view) {}

  steward_rc plan(steward::Run& run, std::string_view params_text) {
    json params = json::parse(params_text);
    json steps = json::array();
    for (const auto& s : params.at("steps")) {
      json step = {{"tool", s.at("tool")}, {"args", s.value("args", json::object())},
                   {"continue_on_error", s.value("continue_on_error", false)}};
      if (s.contains("name")) step["name"] = s["name"];
      if (s.contains("when")) step["when"] = s["when"];
      steps.push_back(step);
    }
    run.result(steps.dump());
    return STEWARD_OK;
  }
};

}  // namespace

STEWARD_AUTOMATION_TYPE_PLUGIN(SequenceType, "sequence", "1.0.0", "Ordered steps, each a tool call", kSchema)

// What a trigger hands to a run (a webhook's body and chosen headers), and how it reaches
// the tools without ever becoming code:
//  - `{{payload.a.b}}`, `{{payload.list.0}}`, `{{payload}}` and `{{headers.x-name}}` in a
//    step's string args are replaced by the value. In an arg the tool's schema marks
//    "x-steward-shell": true (the bash tool's command) the value is inserted as one
//    single-quoted shell word, so no payload can add shell syntax; elsewhere it is
//    inserted as is (those args are data, never parsed by a shell).
//  - An arg marked "x-steward-env": true (the bash tool's env) also receives
//    STEWARD_TRIGGER, STEWARD_PAYLOAD (the JSON), STEWARD_PAYLOAD_<FIELD> for top-level
//    scalars and STEWARD_HEADER_<NAME>; variables the automation sets itself win.
// A missing field renders as "". NUL characters are dropped (they cannot be in a
// command line or the environment).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/automations/planner.hpp"

namespace steward {

struct TriggerInput {
  std::string trigger = "webhook";
  nlohmann::json payload;                      // JSON body, form fields as an object, or text
  std::map<std::string, std::string> headers;  // lower-case names
};

// Renders the input into already planned steps and re-checks each step's args against its
// tool's schema. Returns the steps, or the first schema error.
PlanOutcome apply_trigger_input(const PluginRegistry& registry, std::vector<Step> steps, const TriggerInput& input);

// The text of one placeholder reference ("payload.a.b"), "" when absent.
std::string placeholder_value(const TriggerInput& input, const std::string& reference);

// 'text' with every ' written as '\'' : one shell word whatever the text holds.
std::string shell_quote(const std::string& text);

}  // namespace steward

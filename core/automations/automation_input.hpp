// Builds an Automation from a create/update request body, checking every field: its own
// shape (a JSON Schema kept here), the type being loaded, and the params planning into
// valid steps. The first problem is returned with the field's path.
#pragma once

#include <nlohmann/json.hpp>
#include <variant>

#include "core/automations/automation.hpp"
#include "core/plugins/plugin_registry.hpp"
#include "core/util/json_schema.hpp"

namespace steward {

std::variant<Automation, SchemaError> automation_from_input(const nlohmann::json& body,
                                                            const PluginRegistry& registry,
                                                            std::int64_t default_timeout_s);

// The schema of the request body (also what docs show).
const nlohmann::json& automation_input_schema();

}  // namespace steward

// A window from a request body (POST and PUT /api/maintenance): every field checked, errors
// naming the field (`scope[1]`, `recurring`, ...).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "core/maintenance/maintenance_window.hpp"
#include "core/util/json_schema.hpp"

namespace steward {

// Fields: name, start, end, timezone (default "UTC"), recurring (cron or null), scope
// (non-empty list of auto_… ids that exist, device_…, group_…, tag:NAME), autonomy_override.
// Sets everything but id, forced and the created/updated times.
std::variant<MaintenanceWindow, SchemaError> window_from_input(
    const nlohmann::json& body, const std::function<bool(const std::string&)>& automation_exists);

}  // namespace steward

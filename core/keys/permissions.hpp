// Roles and permissions. The permission names are the v1 API's own (seed 000) plus the
// write permission the Automations API needs. Every route names one permission; a key's
// role grants a fixed set of them (docs/security.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace steward {

enum class Permission {
  Run,               // "run": start runs
  ScenarioRun,       // "scenario:run"
  ScenarioHistory,   // "scenario:history"
  History,           // "history": read automations, runs and plugins
  DevicesRead,       // "devices:read"
  ActCreate,         // "act:create"
  ActRead,           // "act:read"
  ActApprove,        // "act:approve"
  AutomationsWrite,  // "automations:write": create, change, delete automations
  Admin,             // "admin": keys, settings, plugins
};

enum class Role { Admin, FullAccess, ViewOnly, SingleTask };

std::string_view permission_name(Permission p);
std::string_view role_name(Role r);
std::optional<Role> parse_role(std::string_view name);
bool role_grants(Role role, Permission p);

}  // namespace steward

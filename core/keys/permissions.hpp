// Roles and permissions. The permission names are the v1 API's own (seed 000) plus the
// write permission the Automations API needs and `admin`. Every route names the
// permissions that admit it (any one suffices); a key's role grants a fixed set
// (docs/security.md). `scenario:*` permissions of a key bound to one automation
// (single-task) admit only routes about that automation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace steward {

enum class Permission {
  Run,               // "run": start runs and one-off tool calls
  ScenarioRun,       // "scenario:run": run one automation (scoped for single-task keys)
  ScenarioHistory,   // "scenario:history": read one automation and its runs (scoped)
  History,           // "history": read automations, runs, plugins
  DevicesRead,       // "devices:read"
  DevicesWrite,      // "devices:write": pair, approve, block, revoke, delete, groups, routing
  ActCreate,         // "act:create": propose actions
  ActRead,           // "act:read": read the approval queue
  ActApprove,        // "act:approve": approve or reject
  AutomationsWrite,  // "automations:write": create, change, delete automations
  Admin,             // "admin": keys, audit log
};

enum class Role { Admin, FullAccess, ViewOnly, SingleTask };

std::string_view permission_name(Permission p);
std::string_view role_name(Role r);
std::optional<Role> parse_role(std::string_view name);
bool role_grants(Role role, Permission p);
std::vector<Permission> role_permissions(Role role);
// Permissions that, for a key bound to an automation, apply to that automation only.
bool is_scoped(Permission p);

}  // namespace steward

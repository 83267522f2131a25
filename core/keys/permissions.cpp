#include "core/keys/permissions.hpp"

namespace steward {

namespace {
constexpr Permission kAll[] = {Permission::Run,         Permission::ScenarioRun, Permission::ScenarioHistory,
                               Permission::History,     Permission::DevicesRead, Permission::DevicesWrite, Permission::ActCreate,
                               Permission::ActRead,     Permission::ActApprove,  Permission::AutomationsWrite,
                               Permission::Admin};
}

std::string_view permission_name(Permission p) {
  switch (p) {
    case Permission::Run: return "run";
    case Permission::ScenarioRun: return "scenario:run";
    case Permission::ScenarioHistory: return "scenario:history";
    case Permission::History: return "history";
    case Permission::DevicesRead: return "devices:read";
    case Permission::DevicesWrite: return "devices:write";
    case Permission::ActCreate: return "act:create";
    case Permission::ActRead: return "act:read";
    case Permission::ActApprove: return "act:approve";
    case Permission::AutomationsWrite: return "automations:write";
    case Permission::Admin: return "admin";
  }
  return "unknown";
}

std::string_view role_name(Role r) {
  switch (r) {
    case Role::Admin: return "admin";
    case Role::FullAccess: return "full-access";
    case Role::ViewOnly: return "view-only";
    case Role::SingleTask: return "single-task";
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : {Role::Admin, Role::FullAccess, Role::ViewOnly, Role::SingleTask})
    if (role_name(r) == name) return r;
  return std::nullopt;
}

bool role_grants(Role role, Permission p) {
  switch (role) {
    case Role::Admin: return true;
    case Role::FullAccess: return p != Permission::Admin;
    case Role::ViewOnly:
      return p == Permission::History || p == Permission::ScenarioHistory || p == Permission::ActRead ||
             p == Permission::DevicesRead;
    case Role::SingleTask: return p == Permission::ScenarioRun || p == Permission::ScenarioHistory;
  }
  return false;
}

std::vector<Permission> role_permissions(Role role) {
  std::vector<Permission> out;
  for (Permission p : kAll)
    if (role_grants(role, p)) out.push_back(p);
  return out;
}

bool is_scoped(Permission p) { return p == Permission::ScenarioRun || p == Permission::ScenarioHistory; }

}  // namespace steward

// THE expected access matrix: every route the server registers, and which key kinds pass
// its access check. tests/unit/route_coverage_test.cpp fails when a route is missing here;
// tests/runtime/permission_matrix_test.cpp calls every row with every key kind.
#pragma once

#include <string>
#include <vector>

namespace steward::test {

// Key kinds that may pass: A admin, F full-access, V view-only, S single-task bound to the
// automation in the path; K any valid key, whatever its role or binding. (Otherwise a
// single-task key bound to another automation never passes; no key, a wrong, expired or
// revoked key always get 401.) "*" marks a public route.
struct MatrixRow {
  std::string method;
  std::string pattern;
  std::string allowed;
};

inline const std::vector<MatrixRow>& permission_matrix() {
  static const std::vector<MatrixRow> rows = {
      {"GET", "/health", "*"},
      {"GET", "/api/openapi.json", "*"},
      {"GET", "/", "*"},
      {"GET", "/ui/{file}", "*"},
      {"GET", "/api/keys/self", "K"},
      {"GET", "/api/plugins", "AFV"},
      {"GET", "/api/automations", "AFV"},
      {"POST", "/api/automations", "AF"},
      {"GET", "/api/automations/{id}", "AFVS"},
      {"PUT", "/api/automations/{id}", "AF"},
      {"DELETE", "/api/automations/{id}", "AF"},
      {"POST", "/api/automations/{id}/run", "AFS"},
      {"GET", "/api/automations/{id}/runs", "AFVS"},
      {"GET", "/api/automations/runs/{run_id}", "AFV"},
      {"POST", "/api/automations/runs/{run_id}/cancel", "AF"},
      {"GET", "/api/automations/runs/{run_id}/stream", "AFV"},
      {"POST", "/api/automations/webhook/{token}", "*"},
      {"POST", "/api/automations/{id}/webhook/rotate", "AF"},
      {"GET", "/api/automations/templates", "AFV"},
      {"POST", "/api/automations/templates/{template_id}/apply", "AF"},
      {"GET", "/api/automations/export", "AFV"},
      {"POST", "/api/automations/import", "AF"},
      {"GET", "/api/keys", "A"},
      {"POST", "/api/keys", "A"},
      {"DELETE", "/api/keys/{key_id}", "A"},
      {"GET", "/api/audit", "A"},
      {"GET", "/api/approvals", "AFV"},
      {"GET", "/api/approvals/{request_id}", "AFV"},
      {"POST", "/api/approvals/{request_id}/approve", "AF"},
      {"POST", "/api/approvals/{request_id}/reject", "AF"},
      {"POST", "/api/v1/run", "AF"},
      {"POST", "/api/v1/scenarios/{id}/run", "AFS"},
      {"GET", "/api/v1/scenarios/{id}/history", "AFVS"},
      {"POST", "/api/v1/act/proposals", "AF"},
      {"GET", "/api/v1/act/proposals", "AFV"},
      {"GET", "/api/v1/act/proposals/{id}", "AFV"},
      {"POST", "/api/v1/act/proposals/{id}/approve", "AF"},
      {"POST", "/api/v1/act/proposals/{id}/reject", "AF"},
      {"GET", "/api/cron/next", "AFV"},
      {"GET", "/api/maintenance", "AFV"},
      {"POST", "/api/maintenance", "AF"},
      {"GET", "/api/maintenance/calendar", "AFV"},
      {"GET", "/api/maintenance/{id}", "AFV"},
      {"PUT", "/api/maintenance/{id}", "AF"},
      {"DELETE", "/api/maintenance/{id}", "AF"},
      {"POST", "/api/maintenance/{id}/activate", "AF"},
      {"POST", "/api/maintenance/{id}/deactivate", "AF"},
      {"GET", "/api/devices", "AFV"},
      {"GET", "/api/v1/devices/list", "AFV"},
      {"GET", "/api/devices/{id}", "AFV"},
      {"PATCH", "/api/devices/{id}", "AF"},
      {"DELETE", "/api/devices/{id}", "AF"},
      {"GET", "/api/devices/{id}/capabilities", "AFV"},
      {"GET", "/api/devices/{id}/health", "AFV"},
      {"GET", "/api/devices/{id}/health/history", "AFV"},
      {"GET", "/api/devices/health/history", "AFV"},
      {"POST", "/api/devices/pair", "AF"},
      {"POST", "/api/devices/pair/claim", "*"},
      {"POST", "/api/devices/{id}/approve", "AF"},
      {"POST", "/api/devices/{id}/block", "AF"},
      {"POST", "/api/devices/{id}/revoke-token", "AF"},
      {"GET", "/api/device-groups", "AFV"},
      {"POST", "/api/device-groups", "AF"},
      {"GET", "/api/device-groups/{id}", "AFV"},
      {"DELETE", "/api/device-groups/{id}", "AF"},
      {"POST", "/api/device-groups/{id}/members/{device_id}", "AF"},
      {"DELETE", "/api/device-groups/{id}/members/{device_id}", "AF"},
      {"GET", "/api/devices/routing", "AFV"},
      {"GET", "/api/devices/routing/explain", "AFV"},
      {"PUT", "/api/devices/routing/preferences/{tool}", "AF"},
      {"DELETE", "/api/devices/routing/preferences/{tool}", "AF"},
      {"POST", "/api/devices/{id}/execute", "AF"},
      {"GET", "/api/devices/{id}/executions", "AFV"},
      {"GET", "/api/devices/{id}/executions/{execution_id}", "AFV"},
      {"GET", "/api/devices/{id}/queue", "AFV"},
      {"DELETE", "/api/devices/{id}/queue", "AF"},
      {"DELETE", "/api/devices/{id}/queue/{command_id}", "AF"},
      {"POST", "/api/device-groups/{id}/execute", "AF"},
      {"GET", "/api/devices/{id}/transfers", "AFV"},
      {"POST", "/api/devices/{id}/transfers", "AF"},
      {"POST", "/api/devices/{id}/remote/start", "AF"},
      {"POST", "/api/devices/{id}/remote/stop", "AF"},
      {"GET", "/metrics", "AFV"},  // public only with the setting metrics_public
  };
  return rows;
}

}  // namespace steward::test

// What route handlers use: the core's stores and engine, and request limits.
#pragma once

#include <chrono>
#include <cstdint>

#include "api/router.hpp"
#include "api/routes/device_api.hpp"
#include "core/approvals/approval_service.hpp"
#include "core/cluster/bus.hpp"
#include "core/cluster/daemon_registry.hpp"
#include "core/cluster/output_feed.hpp"
#include "core/audit/audit_log.hpp"
#include "core/automations/automation_store.hpp"
#include "core/keys/key_store.hpp"
#include "core/maintenance/maintenance_policy.hpp"
#include "core/metrics/steward_metrics.hpp"
#include "core/plugins/plugin_registry.hpp"
#include "core/runs/run_engine.hpp"
#include "core/runs/run_launcher.hpp"
#include "core/runs/run_store.hpp"
#include "core/scheduling/scheduler.hpp"
#include "core/webhooks/webhook_guard.hpp"
#include "core/webhooks/webhook_store.hpp"

namespace steward::api {

struct ApiContext {
  AutomationStore& automations;
  RunStore& runs;
  RunEngine& engine;
  const PluginRegistry& registry;
  KeyStore& keys;
  ApprovalService& approvals;
  RunLauncher& launcher;
  AuditLog& audit;
  MaintenancePolicy& maintenance;
  WebhookStore& webhooks;
  WebhookGuard& webhook_guard;
  std::int64_t default_timeout_s = 3600;
  std::chrono::seconds max_wait{300};  // longest a ?wait=1 request is held open
  std::string version;
  Scheduler* scheduler = nullptr;  // absent in tests that need no timer thread
  std::string template_dir{};      // the template library (templates/*.json)
  std::string dashboard_dir{};     // the web dashboard's static files (GET /, /ui/…)
  DeviceApi* devices = nullptr;    // the device routes answer 503 without it
  StewardMetrics* metrics = nullptr;  // GET /metrics answers 503 without it
  bool metrics_public = false;        // GET /metrics without a key (setting metrics_public)
  // Several daemons on one database (PostgreSQL): this daemon's identity and the messages
  // between daemons. Absent in tests that run routes in-process without a daemon.
  cluster::DaemonRegistry* daemons = nullptr;
  cluster::Bus* bus = nullptr;
  // The live output of runs other daemons execute (PostgreSQL); absent on SQLite, where
  // every run is this daemon's.
  cluster::OutputFeed* run_output = nullptr;
};

void add_system_routes(Router& router, ApiContext& ctx);
void add_automation_routes(Router& router, ApiContext& ctx);
void add_run_routes(Router& router, ApiContext& ctx);
void add_key_routes(Router& router, ApiContext& ctx);
void add_approval_routes(Router& router, ApiContext& ctx);
void add_v1_routes(Router& router, ApiContext& ctx);
void add_audit_routes(Router& router, ApiContext& ctx);
void add_cron_routes(Router& router, ApiContext& ctx);
void add_maintenance_routes(Router& router, ApiContext& ctx);
void add_stream_routes(Router& router, ApiContext& ctx);
void add_webhook_routes(Router& router, ApiContext& ctx);
void add_template_routes(Router& router, ApiContext& ctx);
void add_export_routes(Router& router, ApiContext& ctx);
void add_device_routes(Router& router, ApiContext& ctx);
void add_device_group_routes(Router& router, ApiContext& ctx);
void add_device_routing_routes(Router& router, ApiContext& ctx);
void add_device_exec_routes(Router& router, ApiContext& ctx);
void add_metrics_routes(Router& router, ApiContext& ctx);
void add_openapi_routes(Router& router, ApiContext& ctx);
void add_dashboard_routes(Router& router, ApiContext& ctx);

// The OpenAPI document as JSON (docs/openapi.yaml), generated into the build by tools/openapi/bundle.mjs; GET /api/openapi.json serves it.
const std::string& openapi_json();

// Shared by routes that start runs: the launch as JSON, with the approval id when held.
nlohmann::json launch_json(const Launch& launch);
// A run's current state: live from the engine while active, else from the store.
std::optional<RunRecord> current_run(ApiContext& ctx, const std::string& run_id);
// Creating an automation, shared by POST /api/automations, template apply and import:
// prepare validates everything and writes nothing; store writes the automation and its
// webhook in one transaction (joining the caller's, if any) and returns the new webhook
// token or "".
struct NewAutomation {
  Automation automation;
  WebhookChange webhook;
};
NewAutomation prepare_automation(ApiContext& ctx, const nlohmann::json& body, bool imported);
std::string store_automation(ApiContext& ctx, const NewAutomation& n);
nlohmann::json created_answer(const NewAutomation& n, const std::string& token);
// Tells the scheduler an automation changed. Outside any store transaction: the scheduler
// reads the store under its own lock.
void reschedule(ApiContext& ctx, const std::string& id);

// Holds a ?wait=1 request until the run ends (a run waiting for approval answers at once).
nlohmann::json wait_for_run(ApiContext& ctx, const RunRecord& run);

// Every route of this build, in one call (the server and the route tests use it).
inline void add_all_routes(Router& router, ApiContext& ctx) {
  add_system_routes(router, ctx);
  add_automation_routes(router, ctx);
  add_run_routes(router, ctx);
  add_key_routes(router, ctx);
  add_approval_routes(router, ctx);
  add_v1_routes(router, ctx);
  add_audit_routes(router, ctx);
  add_cron_routes(router, ctx);
  add_maintenance_routes(router, ctx);
  add_stream_routes(router, ctx);
  add_webhook_routes(router, ctx);
  add_template_routes(router, ctx);
  add_export_routes(router, ctx);
  add_device_routes(router, ctx);
  add_device_group_routes(router, ctx);
  add_device_routing_routes(router, ctx);
  add_device_exec_routes(router, ctx);
  add_metrics_routes(router, ctx);
  add_openapi_routes(router, ctx);
  add_dashboard_routes(router, ctx);
}

}  // namespace steward::api

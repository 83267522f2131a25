// What route handlers use: the core's stores and engine, and request limits.
#pragma once

#include <chrono>
#include <cstdint>

#include "api/router.hpp"
#include "core/automations/automation_store.hpp"
#include "core/keys/key_store.hpp"
#include "core/plugins/plugin_registry.hpp"
#include "core/runs/run_engine.hpp"
#include "core/runs/run_store.hpp"

namespace steward::api {

struct ApiContext {
  AutomationStore& automations;
  RunStore& runs;
  RunEngine& engine;
  const PluginRegistry& registry;
  KeyStore& keys;
  std::int64_t default_timeout_s = 3600;
  std::chrono::seconds max_wait{300};  // longest a ?wait=1 request is held open
  std::string version;
};

void add_system_routes(Router& router, ApiContext& ctx);
void add_automation_routes(Router& router, ApiContext& ctx);
void add_run_routes(Router& router, ApiContext& ctx);

// Every route of this build, in one call (the server and the route tests use it).
inline void add_all_routes(Router& router, ApiContext& ctx) {
  add_system_routes(router, ctx);
  add_automation_routes(router, ctx);
  add_run_routes(router, ctx);
}

}  // namespace steward::api

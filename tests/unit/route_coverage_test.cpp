// Every route the server registers declares its access and appears in the expected
// permission matrix; a route added without a matrix row fails here.
#include <catch2/catch.hpp>
#include <set>

#include "api/routes/api_context.hpp"
#include "tests/support/permission_matrix.hpp"
#include "tests/support/temp_dir.hpp"

using namespace steward;

TEST_CASE("every registered route is in the permission matrix, and every matrix row is registered", "[unit][routes]") {
  test::TempDir dir;
  store::Database db(dir.path());
  AutomationStore automations(db);
  RunStore runs(db);
  KeyStore keys(db);
  PluginRegistry registry;
  RunEngine engine(runs, registry, EngineOptions{1, 1024});
  AuditLog audit(db);
  ApprovalService approvals(db, runs, engine, audit);
  MaintenanceStore maintenance_windows(db);
  MaintenancePolicy maintenance(maintenance_windows);
  RunLauncher launcher(engine, approvals, registry, maintenance, runs, audit);
  WebhookStore webhooks(db);
  WebhookGuard webhook_guard;
  api::ApiContext ctx{automations, runs, engine, registry, keys, approvals, launcher, audit, maintenance,
                      webhooks, webhook_guard,
                      3600, std::chrono::seconds(1), "test"};
  api::Router router;
  api::add_all_routes(router, ctx);

  std::set<std::string> registered, expected;
  for (const auto& r : router.routes()) {
    registered.insert(r.method + " " + r.pattern);
    INFO(r.method << " " << r.pattern);
    CHECK((r.access.is_public || !r.access.any_of.empty()));  // no route without a declared permission
  }
  for (const auto& row : test::permission_matrix()) expected.insert(row.method + " " + row.pattern);
  for (const auto& r : registered) {
    INFO("registered but not in tests/support/permission_matrix.hpp: " << r);
    CHECK(expected.count(r) == 1);
  }
  for (const auto& e : expected) {
    INFO("in the matrix but not registered: " << e);
    CHECK(registered.count(e) == 1);
  }
}

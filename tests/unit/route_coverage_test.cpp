// Every route the server registers declares its access and appears in the expected
// permission matrix; a route added without a matrix row fails here. And the embedded
// OpenAPI document (what GET /api/openapi.json serves) describes exactly the registered
// routes, with their access: no drift either way.
#include <catch2/catch.hpp>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "api/routes/api_context.hpp"
#include "tests/support/permission_matrix.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;
using nlohmann::json;

namespace {

// The daemon's full route table, built in-process over a throwaway store.
struct FullRouter {
  test::TempDir dir;
  store::Database db{dir.path(), test::database_url_for(dir.path())};
  AutomationStore automations{db};
  RunStore runs{db};
  KeyStore keys{db};
  PluginRegistry registry;
  RunEngine engine{runs, registry, EngineOptions{1, 1024}};
  AuditLog audit{db};
  ApprovalService approvals{db, runs, engine, audit};
  MaintenanceStore maintenance_windows{db};
  MaintenancePolicy maintenance{maintenance_windows};
  RunLauncher launcher{engine, approvals, registry, maintenance, runs, audit};
  WebhookStore webhooks{db};
  WebhookGuard webhook_guard;
  api::ApiContext ctx{automations, runs, engine, registry, keys, approvals, launcher, audit, maintenance,
                      webhooks, webhook_guard,
                      3600, std::chrono::seconds(1), "test"};
  api::Router router;
  FullRouter() { api::add_all_routes(router, ctx); }
};

// "GET /api/x" for a route or an operation.
std::string op_name(const std::string& method, const std::string& pattern) { return method + " " + pattern; }

std::string listing(const std::set<std::string>& items) {
  std::ostringstream out;
  out << items.size() << ":";
  for (const auto& i : items) out << "\n  " << i;
  return out.str();
}

bool has_scheme(const json& security, const std::string& scheme) {
  for (const auto& requirement : security)
    if (requirement.is_object() && requirement.contains(scheme)) return true;
  return false;
}

// `security: []`, or a list with an empty requirement `{}`: callable without a key.
bool allows_anonymous(const json& security) {
  if (security.empty()) return true;
  for (const auto& requirement : security)
    if (requirement.is_object() && requirement.empty()) return true;
  return false;
}

}  // namespace

TEST_CASE("every registered route is in the permission matrix, and every matrix row is registered", "[unit][routes]") {
  FullRouter full;
  std::set<std::string> registered, expected;
  for (const auto& r : full.router.routes()) {
    registered.insert(r.method + " " + r.pattern);
    INFO(r.method << " " << r.pattern);
    CHECK((r.access.is_public || r.access.any_key || !r.access.any_of.empty()));  // no route without a declared permission
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

TEST_CASE("openapi: every registered route is an operation of the served spec with the same access, and back", "[unit][openapi]") {
  FullRouter full;
  json spec = json::parse(api::openapi_json());
  REQUIRE(spec.contains("paths"));
  const json global_security = spec.value("security", json::array());

  // Every operation and its effective security (its own, else the document's).
  static const std::set<std::string> methods{"get", "put", "post", "delete", "patch", "head", "options", "trace"};
  std::map<std::string, json> operations;
  for (const auto& [path, item] : spec["paths"].items())
    for (const auto& [method, op] : item.items()) {
      if (!methods.count(method)) continue;  // parameters, summary, …
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      operations[op_name(upper, path)] = op.value("security", global_security);
    }

  std::set<std::string> registered, not_in_spec, not_registered, access_drift;
  for (const auto& r : full.router.routes()) {
    std::string name = op_name(r.method, r.pattern);
    registered.insert(name);
    auto op = operations.find(name);
    if (op == operations.end()) {
      not_in_spec.insert(name);
      continue;
    }
    const json& security = op->second;
    if (r.access.is_public != allows_anonymous(security))
      access_drift.insert(name + (r.access.is_public ? ": public route, the spec asks for a key (give it security: [])"
                                                     : ": needs a key, the spec says security: []"));
    if (!r.access.is_public && !has_scheme(security, "bearerKey"))
      access_drift.insert(name + ": needs a key, the spec does not list bearerKey");
    if (r.access.query_token != has_scheme(security, "queryToken"))
      access_drift.insert(name + (r.access.query_token ? ": accepts ?token=, the spec does not list queryToken"
                                                       : ": the spec lists queryToken, the route does not accept ?token="));
  }
  for (const auto& [name, security] : operations)
    if (!registered.count(name)) not_registered.insert(name);

  // One scope per list, so a failure shows its own list only.
  {
    INFO("registered routes missing from docs/openapi.yaml " << listing(not_in_spec));
    CHECK(not_in_spec.empty());
  }
  {
    INFO("operations in the spec that the server does not register " << listing(not_registered));
    CHECK(not_registered.empty());
  }
  {
    INFO("routes whose access the spec states wrongly " << listing(access_drift));
    CHECK(access_drift.empty());
  }
}

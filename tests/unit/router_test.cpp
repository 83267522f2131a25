#include <catch2/catch.hpp>

#include "api/dispatcher.hpp"
#include "api/router.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;
using namespace steward::api;

namespace {
Handler named(std::string name) {
  return [name](Request& r) {
    nlohmann::json params = r.params;
    return Response::json(200, {{"route", name}, {"params", params}});
  };
}
}  // namespace

TEST_CASE("routes match literal segments before parameters", "[unit][router]") {
  Router router;
  router.add("GET", "/api/automations/{id}", Access::open(), named("get"));
  router.add("POST", "/api/automations/{id}/run", Access::open(), named("run"));
  router.add("GET", "/api/automations/runs/{run_id}", Access::open(), named("run-status"));

  auto m = router.match("GET", "/api/automations/runs/run_1");
  REQUIRE(m.route);
  CHECK(m.route->pattern == "/api/automations/runs/{run_id}");
  CHECK(m.params.at("run_id") == "run_1");

  m = router.match("GET", "/api/automations/auto_1");
  REQUIRE(m.route);
  CHECK(m.params.at("id") == "auto_1");

  m = router.match("POST", "/api/automations/runs/run");  // literal "runs" vs {id}: both fit, POST only on {id}/run
  REQUIRE(m.route);
  CHECK(m.route->pattern == "/api/automations/{id}/run");

  m = router.match("DELETE", "/api/automations/auto_1");
  CHECK_FALSE(m.route);
  CHECK(m.allowed_methods == std::vector<std::string>{"GET"});

  CHECK_FALSE(router.match("GET", "/api/nothing").route);
  CHECK(router.match("GET", "/api/automations/auto_1/").route);  // trailing slash is the same path
}

TEST_CASE("the dispatcher enforces each route's declared access", "[unit][router]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  KeyStore keys(db);
  auto admin = keys.create("root", Role::Admin);
  auto viewer = keys.create("eve", Role::ViewOnly);

  Router router;
  router.add("GET", "/health", Access::open(), named("health"));
  router.add("GET", "/api/things", Access::needs(Permission::History), named("list"));
  router.add("POST", "/api/things", Access::needs(Permission::AutomationsWrite), named("create"));
  router.add("GET", "/api/boom", Access::needs(Permission::History), [](Request&) -> Response {
    throw std::runtime_error("secret detail");
  });
  Dispatcher d(router, keys);

  auto call = [&](std::string method, std::string path, std::string key) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.request_id = "req1";
    if (!key.empty()) r.headers["authorization"] = "Bearer " + key;
    return d.dispatch(r);
  };
  CHECK(call("GET", "/health", "").status == 200);
  CHECK(call("GET", "/api/things", "").status == 401);
  CHECK(call("GET", "/api/things", "stw_notakey").status == 401);
  CHECK(call("GET", "/api/things", admin.secret + "x").status == 401);
  CHECK(call("GET", "/api/things", viewer.secret).status == 200);
  auto forbidden = call("POST", "/api/things", viewer.secret);
  CHECK(forbidden.status == 403);
  CHECK(forbidden.body.find("automations:write") != std::string::npos);
  CHECK(call("POST", "/api/things", admin.secret).status == 200);
  auto wrong_method = call("DELETE", "/api/things", admin.secret);
  CHECK(wrong_method.status == 405);
  auto boom = call("GET", "/api/boom", admin.secret);
  CHECK(boom.status == 500);
  CHECK(boom.body.find("secret detail") == std::string::npos);  // internals stay in the log
  CHECK(boom.body.find("req1") != std::string::npos);
  auto missing = call("GET", "/api/nothing", admin.secret);
  CHECK(missing.status == 404);
  CHECK(nlohmann::json::parse(missing.body)["error"]["code"] == "not_found");
}

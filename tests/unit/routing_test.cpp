// Routing decisions with real stores and the in-tree plugins as the daemon's local tools:
// a preference is taken only when its device is approved, online and has the tool; else
// the fallback decides (local, any, none); without a preference, the daemon then any device.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "core/devices/routing.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/tool_call.hpp"

using namespace steward;
using nlohmann::json;

namespace {

// Which devices are connected, as the test says.
struct TestPresence : DevicePresence {
  std::set<std::string> up;
  bool online(const std::string& id) const override { return up.count(id) > 0; }
  std::vector<std::string> online_ids() const override { return {up.begin(), up.end()}; }
  void disconnect(const std::string& id, int, const std::string&) override { up.erase(id); }
  void approved(const std::string&) override {}
};

void add(DeviceStore& store, const std::string& id, const std::string& status, json capabilities) {
  Device d;
  d.id = id;
  d.name = id.substr(7);
  d.status = status;
  d.capabilities = std::move(capabilities);
  d.paired_ms = d.updated_ms = 1;
  store.insert(d, DeviceStore::new_token());
}

bool mentions(const RoutingDecision& d, const std::string& text) {
  return std::any_of(d.considered.begin(), d.considered.end(),
                     [&](const std::string& s) { return s.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("routing: the preferred device only when approved, online and capable", "[unit][devices]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  DeviceStore store(db);
  auto registry = test::in_tree_plugins();
  REQUIRE(registry->tool("bash"));
  TestPresence presence;
  Routing routing(db, store, *registry, presence);
  add(store, "device_aaa", "approved", json::array({"bash", "gpu_render"}));
  add(store, "device_bbb", "pending", json::array({"bash", "gpu_render"}));

  routing.set_preference({"bash", "device_aaa", "local", 1, "admin"});
  // Offline: the fallback (local) takes it.
  RoutingDecision d = routing.decide("bash");
  CHECK(d.target == "local");
  CHECK(mentions(d, "offline"));

  presence.up = {"device_aaa", "device_bbb"};
  d = routing.decide("bash");
  CHECK(d.target == "device:device_aaa");
  CHECK(to_json(d)["device_id"] == "device_aaa");

  // Not approved.
  routing.set_preference({"bash", "device_bbb", "none", 1, "admin"});
  d = routing.decide("bash");
  CHECK(d.target.empty());
  CHECK(mentions(d, "pending, not approved"));
  CHECK(to_json(d)["target"].is_null());

  // Not capable: the device lost the tool since the preference was set.
  routing.set_preference({"system_info", "device_aaa", "none", 1, "admin"});
  d = routing.decide("system_info");
  CHECK(d.target.empty());
  CHECK(mentions(d, "does not have the tool"));
}

TEST_CASE("routing: fallbacks local, any and none, and no preference", "[unit][devices]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  DeviceStore store(db);
  auto registry = test::in_tree_plugins();
  TestPresence presence;
  Routing routing(db, store, *registry, presence);
  add(store, "device_pref", "approved", json::array({"gpu_render", "bash"}));
  add(store, "device_other", "approved", json::array({"gpu_render", "bash"}));
  add(store, "device_blocked", "blocked", json::array({"gpu_render"}));
  presence.up = {"device_other", "device_blocked"};  // the preferred one is offline

  // A tool only devices have (no local plugin "gpu_render").
  routing.set_preference({"gpu_render", "device_pref", "local", 1, "admin"});
  CHECK(routing.decide("gpu_render").target.empty());  // local has no such tool; local does not go on to devices
  routing.set_preference({"gpu_render", "device_pref", "any", 1, "admin"});
  CHECK(routing.decide("gpu_render").target == "device:device_other");
  routing.set_preference({"gpu_render", "device_pref", "none", 1, "admin"});
  RoutingDecision none = routing.decide("gpu_render");
  CHECK(none.target.empty());
  CHECK(mentions(none, "fallback none"));

  // "any" skips blocked devices and ends at the daemon itself when it has the tool.
  presence.up = {"device_blocked"};
  routing.set_preference({"bash", "device_pref", "any", 1, "admin"});
  CHECK(routing.decide("bash").target == "local");

  // No preference: the daemon first, then any device.
  CHECK(routing.clear_preference("bash"));
  CHECK_FALSE(routing.clear_preference("bash"));
  presence.up = {"device_other"};
  RoutingDecision local = routing.decide("bash");
  CHECK(local.target == "local");
  CHECK(mentions(local, "no routing preference"));
  CHECK(routing.clear_preference("gpu_render"));
  CHECK(routing.decide("gpu_render").target == "device:device_other");
  CHECK(routing.decide("no_such_tool").target.empty());
  CHECK_FALSE(routing.decide("no_such_tool").reason.empty());

  // Preferences list, JSON shape.
  routing.set_preference({"gpu_render", "device_pref", "any", 1700000000000, "ops"});
  auto prefs = routing.preferences();
  REQUIRE(prefs.size() == 1);
  json j = to_json(prefs[0]);
  CHECK(j == json{{"tool", "gpu_render"}, {"device_id", "device_pref"}, {"fallback", "any"},
                  {"updated_at", "2023-11-14T22:13:20Z"}, {"updated_by", "ops"}});
}

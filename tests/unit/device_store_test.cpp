// Device records, groups and routing preferences in a real SQLite store: round trips,
// tokens found by their hash only, revocation, and what deleting a device takes with it.
#include <catch2/catch.hpp>

#include "core/devices/device_store.hpp"
#include "core/devices/group_store.hpp"
#include "core/devices/routing.hpp"
#include "core/util/digest.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;
using nlohmann::json;

namespace {

struct NoPresence : DevicePresence {
  bool online(const std::string&) const override { return false; }
  std::vector<std::string> online_ids() const override { return {}; }
  void disconnect(const std::string&, int, const std::string&) override {}
  void approved(const std::string&) override {}
};

Device make(const std::string& id, const std::string& name) {
  Device d;
  d.id = id;
  d.name = name;
  d.hostname = name + ".lan";
  d.platform = "Linux";
  d.architecture = "x86_64";
  d.os_version = "Debian 12";
  d.agent_version = "0.6.0";
  d.capabilities = json::array({"bash", "system_info"});
  d.paired_ms = d.updated_ms = 1700000000000;
  return d;
}

}  // namespace

TEST_CASE("device store: insert, get, list by status, count, update", "[unit][devices]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  DeviceStore store(db);
  store.insert(make("device_b", "beta"), DeviceStore::new_token());
  store.insert(make("device_a", "alpha"), DeviceStore::new_token());

  auto a = store.get("device_a");
  REQUIRE(a);
  CHECK(a->name == "alpha");
  CHECK(a->hostname == "alpha.lan");
  CHECK(a->capabilities == json::array({"bash", "system_info"}));
  CHECK(a->status == "pending");
  CHECK(a->health.is_null());
  CHECK_FALSE(a->last_seen_ms);
  CHECK_FALSE(store.get("device_nope"));

  auto all = store.list("", 10, 0);
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == "device_a");  // by name
  CHECK(store.list("", 1, 1).at(0).id == "device_b");
  CHECK(store.count("") == 2);

  CHECK(store.set_status("device_b", "approved"));
  CHECK_FALSE(store.set_status("device_nope", "approved"));
  CHECK(store.count("approved") == 1);
  CHECK(store.list("approved", 10, 0).at(0).id == "device_b");
  CHECK(store.list("pending", 10, 0).at(0).id == "device_a");

  CHECK(store.update("device_a", std::string("renamed"), json{{"rack", 4}}));
  a = store.get("device_a");
  CHECK(a->name == "renamed");
  CHECK(a->metadata == json{{"rack", 4}});
  CHECK(store.update("device_a", std::nullopt, json::object()));
  CHECK(store.get("device_a")->name == "renamed");  // name untouched when not given
  CHECK(store.get("device_a")->metadata == json::object());
  CHECK_FALSE(store.update("device_nope", std::string("x"), std::nullopt));

  json j = to_json(*store.get("device_b"), true);
  CHECK(j["online"] == true);
  CHECK(j["paired_at"] == "2023-11-14T22:13:20Z");
  CHECK(j["last_seen_at"].is_null());
  for (const char* k : {"id", "name", "platform", "architecture", "os_version", "agent_version", "status", "capabilities"})
    CHECK(j.contains(k));
}

TEST_CASE("device store: hello and health are recorded, health answers in the seed's shape", "[unit][devices]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  DeviceStore store(db);
  store.insert(make("device_a", "alpha"), DeviceStore::new_token());
  DeviceHello hello{"Linux", "aarch64", "Debian 13", "0.7.0", "alpha2", json::array({"bash"}),
                    json::array({{{"name", "bash"}, {"version", "1.0.0"}, {"args_schema", json::object()}}})};
  store.record_hello("device_a", hello, 1700000001000);
  auto d = store.get("device_a");
  CHECK(d->architecture == "aarch64");
  CHECK(d->hostname == "alpha2");
  CHECK(d->tools.at(0)["name"] == "bash");
  CHECK(d->last_seen_ms == 1700000001000);
  CHECK(health_json(*d).is_null());

  store.record_health("device_a", json{{"cpu_percent", 12.5}}, 1700000002000);
  d = store.get("device_a");
  json h = health_json(*d);
  CHECK(h["cpu_percent"] == 12.5);
  CHECK(h["timestamp"] == "2023-11-14T22:13:22Z");  // the receipt time when the agent gave none
  store.touch("device_a", 1700000009000);
  CHECK(store.get("device_a")->last_seen_ms == 1700000009000);
}

TEST_CASE("device store: health history keeps a day of messages, oldest first, and goes with the device",
          "[unit][devices]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  DeviceStore store(db);
  store.insert(make("device_a", "alpha"), DeviceStore::new_token());
  store.insert(make("device_b", "beta"), DeviceStore::new_token());
  const std::int64_t t0 = 1700000000000;
  const std::int64_t day = DeviceStore::kHealthHistoryMs;
  store.record_health("device_a", json{{"cpu_percent", 1}}, t0);
  store.record_health("device_a", json{{"cpu_percent", 2}, {"timestamp", "agent time"}}, t0 + 30000);
  store.record_health("device_b", json{{"cpu_percent", 9}}, t0 + 30000);
  store.record_health("device_a", json{{"cpu_percent", 3}}, t0 + 60000);

  auto all = store.health_history("device_a", 0);
  REQUIRE(all.size() == 3);
  CHECK(all[0]["cpu_percent"] == 1);
  CHECK(all[0]["timestamp"] == "2023-11-14T22:13:20Z");  // the receipt time
  CHECK(all[1]["timestamp"] == "agent time");              // the agent's own stays
  CHECK(all[2]["cpu_percent"] == 3);
  CHECK(store.health_history("device_a", t0 + 30000).size() == 2);  // since: inclusive

  // A message a day later drops those older than a day before it.
  store.record_health("device_a", json{{"cpu_percent", 4}}, t0 + 30000 + day);
  auto kept = store.health_history("device_a", 0);
  REQUIRE(kept.size() == 3);
  CHECK(kept[0]["cpu_percent"] == 2);
  CHECK(store.health_history("device_b", 0).size() == 1);  // others untouched
  // Several devices in one query, each in its own order; an unknown id gets an empty entry.
  auto both = store.health_histories({"device_a", "device_b", "device_zzz"}, 0);
  REQUIRE(both.size() == 3);
  CHECK(both["device_a"] == kept);
  CHECK(both["device_b"].at(0)["cpu_percent"] == 9);
  CHECK(both["device_zzz"].empty());
  CHECK(store.health_histories({}, 0).empty());

  // An unknown device gets no orphan sample; a deleted one takes its history along.
  store.record_health("device_zzz", json{{"cpu_percent", 5}}, t0);
  CHECK(store.health_history("device_zzz", 0).empty());
  REQUIRE(store.remove("device_a"));
  CHECK(db.query_one("SELECT COUNT(*) FROM device_health_samples WHERE device_id = 'device_a'")->integer(0) == 0);
}

TEST_CASE("device store: a token is found by its hash only, and revoking makes it unknown", "[unit][devices]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  DeviceStore store(db);
  std::string token = DeviceStore::new_token();
  CHECK(token.rfind("dvt_", 0) == 0);
  CHECK(token.size() == 4 + 32);
  CHECK(token != DeviceStore::new_token());
  store.insert(make("device_a", "alpha"), token);

  CHECK(store.find_by_token(token)->id == "device_a");
  CHECK_FALSE(store.find_by_token(token + "x"));
  CHECK_FALSE(store.find_by_token(sha256_hex(token)));  // the stored hash is not a token
  // The token itself is nowhere in the table.
  CHECK(db.query("SELECT 1 FROM devices WHERE token_hash = ?", {token}).empty());
  CHECK(db.query("SELECT 1 FROM devices WHERE token_hash = ?", {sha256_hex(token)}).size() == 1);

  // Blocked devices keep their token (the hub refuses them with 403, not 401).
  store.set_status("device_a", "blocked");
  CHECK(store.find_by_token(token));

  CHECK(store.revoke_token("device_a"));
  CHECK_FALSE(store.find_by_token(token));
  CHECK(store.get("device_a")->status == "revoked");
  CHECK(db.query_one("SELECT token_hash FROM devices WHERE id = 'device_a'")->is_null(0));
  CHECK_FALSE(store.revoke_token("device_nope"));
}

TEST_CASE("device store: deleting a device drops its group memberships and routing preferences", "[unit][devices]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  DeviceStore store(db);
  GroupStore groups(db);
  PluginRegistry registry;
  NoPresence presence;
  Routing routing(db, store, registry, presence);
  store.insert(make("device_a", "alpha"), DeviceStore::new_token());
  store.insert(make("device_b", "beta"), DeviceStore::new_token());

  DeviceGroup g = groups.create("office", "desk machines");
  CHECK(g.id.rfind("group_", 0) == 0);
  CHECK_THROWS_AS(groups.create("office", ""), std::invalid_argument);
  CHECK(groups.add_member(g.id, "device_a"));
  CHECK_FALSE(groups.add_member(g.id, "device_a"));  // already a member
  CHECK(groups.add_member(g.id, "device_b"));
  CHECK(groups.get(g.id)->members == std::vector<std::string>{"device_a", "device_b"});
  CHECK(groups.groups_of("device_a") == std::vector<std::string>{g.id});
  routing.set_preference({"bash", "device_a", "any", 1700000000000, "admin"});
  routing.set_preference({"system_info", "device_b", "local", 1700000000000, "admin"});
  CHECK(routing.preference("bash")->fallback == "any");

  CHECK(store.remove("device_a"));
  CHECK_FALSE(store.remove("device_a"));
  CHECK(groups.get(g.id)->members == std::vector<std::string>{"device_b"});
  CHECK(groups.groups_of("device_a").empty());
  CHECK_FALSE(routing.preference("bash"));
  CHECK(routing.preference("system_info"));

  CHECK(groups.remove_member(g.id, "device_b"));
  CHECK_FALSE(groups.remove_member(g.id, "device_b"));
  CHECK(groups.list().size() == 1);
  CHECK(groups.remove(g.id));
  CHECK_FALSE(groups.get(g.id));
  CHECK(groups.list().empty());
}

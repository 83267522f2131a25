#include <catch2/catch.hpp>

#include "core/keys/key_store.hpp"
#include "core/util/clock.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;

TEST_CASE("keys verify until revoked, only a hash is stored", "[unit][keys]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  KeyStore keys(db);
  CHECK_FALSE(keys.any());
  auto k = keys.create("alice", Role::FullAccess);
  CHECK(keys.any());
  CHECK(k.secret.rfind("stw_", 0) == 0);
  CHECK(k.id.rfind("key_", 0) == 0);

  auto p = keys.verify(k.secret);
  REQUIRE(p);
  CHECK(p->name == "alice");
  CHECK(p->role == Role::FullAccess);
  CHECK(p->key_id == k.id);

  auto rows = db.query("SELECT secret_hash FROM api_keys");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].text(0) == hash_secret(k.secret));
  CHECK(rows[0].text(0).find(k.secret.substr(4)) == std::string::npos);

  std::string tampered = k.secret;
  tampered.back() = tampered.back() == 'a' ? 'b' : 'a';
  CHECK_FALSE(keys.verify(tampered));
  CHECK_FALSE(keys.verify(""));
  CHECK_FALSE(keys.verify("stw_"));
  CHECK_FALSE(keys.verify(k.secret + "a"));

  CHECK(keys.revoke(k.id));
  CHECK_FALSE(keys.verify(k.secret));
  CHECK_FALSE(keys.revoke(k.id));  // already revoked
}

TEST_CASE("an expired key is refused", "[unit][keys]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  KeyStore keys(db);
  auto past = keys.create("old", Role::Admin, std::nullopt, now_ms() - 1000);
  auto future = keys.create("new", Role::Admin, std::nullopt, now_ms() + 60000);
  CHECK_FALSE(keys.verify(past.secret));
  CHECK(keys.verify(future.secret));
}

TEST_CASE("roles grant fixed permission sets", "[unit][keys]") {
  CHECK(role_grants(Role::Admin, Permission::Admin));
  CHECK(role_grants(Role::FullAccess, Permission::AutomationsWrite));
  CHECK_FALSE(role_grants(Role::FullAccess, Permission::Admin));
  CHECK(role_grants(Role::ViewOnly, Permission::History));
  CHECK_FALSE(role_grants(Role::ViewOnly, Permission::Run));
  CHECK(parse_role("view-only") == Role::ViewOnly);
  CHECK_FALSE(parse_role("root"));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
}

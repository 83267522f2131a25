#include <catch2/catch.hpp>

#include "core/store/database.hpp"
#include "core/store/migrations.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;

TEST_CASE("migrations apply once and the store reopens", "[unit][store]") {
  test::TempDir dir;
  {
    store::Database db(dir.path(), test::database_url_for(dir.path()));
    CHECK(db.schema_version() == store::migrations().back().version);
    db.execute("INSERT INTO api_keys(id, name, role, secret_hash, created_ms) VALUES ('key_a', 'n', 'admin', 'h', 1)");
  }
  store::Database again(dir.path(), test::database_url_for(dir.path()));  // applying migrations again must not fail or duplicate
  CHECK(again.schema_version() == store::migrations().back().version);
  CHECK(again.query("SELECT COUNT(*) FROM schema_migrations")[0].integer(0) ==
        static_cast<std::int64_t>(store::migrations().size()));
  CHECK(again.query_one("SELECT name FROM api_keys WHERE id = 'key_a'")->text(0) == "n");
  if (!again.is_postgres()) CHECK(again.query_one("PRAGMA journal_mode")->text(0) == "wal");
}

TEST_CASE("a failed transaction leaves nothing half-written", "[unit][store]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  auto insert = [&](const std::string& id) {
    db.execute("INSERT INTO api_keys(id, name, role, secret_hash, created_ms) VALUES (?, 'n', 'admin', 'h', 1)", {id});
  };
  CHECK_THROWS(db.transaction([&] {
    insert("key_1");
    insert("key_2");
    insert("key_1");  // duplicate primary key: the whole transaction rolls back
  }));
  CHECK(db.query("SELECT COUNT(*) FROM api_keys")[0].integer(0) == 0);
  db.transaction([&] { insert("key_3"); });
  CHECK(db.query("SELECT COUNT(*) FROM api_keys")[0].integer(0) == 1);
}

TEST_CASE("values round-trip: text, integers, NULL", "[unit][store]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  db.execute("INSERT INTO api_keys(id, name, role, automation_id, secret_hash, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
             {std::string("key_x"), std::string("it's \"quoted\" ✓"), std::string("admin"), nullptr, std::string("h"),
              std::int64_t{1795426748123}, nullptr});
  auto row = db.query_one("SELECT name, automation_id, created_ms, expires_ms FROM api_keys");
  REQUIRE(row);
  CHECK(row->text(0) == "it's \"quoted\" ✓");
  CHECK(row->is_null(1));
  CHECK_FALSE(row->optional_text(1));
  CHECK(row->integer(2) == 1795426748123);
  CHECK_FALSE(row->optional_integer(3));
}

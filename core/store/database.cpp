#include "core/store/database.hpp"

#include "core/store/database_url.hpp"
#include "core/store/migrations.hpp"
#include "core/store/postgres_backend.hpp"
#include "core/store/sqlite_backend.hpp"
#include "core/util/clock.hpp"

namespace steward::store {

Database::Database(const std::filesystem::path& data_dir) : Database(data_dir, "") {}

Database::Database(const std::filesystem::path& data_dir, const std::string& url) {
  if (url.empty()) {
    std::filesystem::create_directories(data_dir);
    backend_ = open_sqlite(data_dir / "steward.db");
  } else if (is_postgres_url(url)) {
    backend_ = open_postgres(url);
    postgres_ = true;
  } else {
    throw OpenError("database = '" + masked(url) + "' must be empty (SQLite in the data directory) or a postgresql:// URL");
  }
  migrate();
}

Database::~Database() = default;

std::vector<Row> Database::query(const std::string& sql, const Params& params) {
  std::lock_guard lock(mutex_);
  std::vector<Row> rows;
  backend_->run(sql, params, &rows);
  return rows;
}

std::optional<Row> Database::query_one(const std::string& sql, const Params& params) {
  auto rows = query(sql, params);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::size_t Database::execute(const std::string& sql, const Params& params) {
  std::lock_guard lock(mutex_);
  return backend_->run(sql, params, nullptr);
}

int Database::schema_version() {
  auto row = query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return static_cast<int>(row ? row->integer(0) : 0);
}

void Database::migrate() {
  // Each step holds the migration lock: two processes starting at once on one database
  // apply each migration once (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock).
  transaction([&] {
    backend_->lock_migrations();
    backend_->apply_ddl(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "description TEXT NOT NULL, applied_ms INTEGER NOT NULL)");
  });
  for (const auto& m : migrations()) {
    transaction([&] {
      backend_->lock_migrations();
      if (query_one("SELECT 1 FROM schema_migrations WHERE version = ?", {std::int64_t{m.version}})) return;
      for (const auto& sql : m.statements) backend_->apply_ddl(sql);
      execute("INSERT INTO schema_migrations(version, description, applied_ms) VALUES (?, ?, ?)",
              {std::int64_t{m.version}, m.description, now_ms()});
    });
  }
}

}  // namespace steward::store

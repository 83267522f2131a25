#include "core/store/database.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <sqlite3.h>

#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "core/store/migrations.hpp"


namespace steward::store {

std::string Row::text(size_t col) const { return optional_text(col).value_or(""); }

std::optional<std::string> Row::optional_text(size_t col) const {
  const auto& v = values_.at(col);
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  return std::nullopt;
}

std::int64_t Row::integer(size_t col) const { return optional_integer(col).value_or(0); }

std::optional<std::int64_t> Row::optional_integer(size_t col) const {
  const auto& v = values_.at(col);
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto* s = std::get_if<std::string>(&v)) return std::stoll(*s);
  return std::nullopt;
}

// Poco's Session opens the file (and will open PostgreSQL later); statements then run on
// SQLite's own API with a cache of prepared statements. Re-preparing SQL on every call
// through Poco::Data's Statement/RecordSet cost about a tenth of the daemon's CPU per
// run in the webhook benchmark (bench/webhook_peer.sh); the cache removes it.
struct Database::Impl {
  explicit Impl(const std::string& path) : session("SQLite", path), db(Poco::Data::SQLite::Utility::dbHandle(session)) {}
  ~Impl() {
    for (auto& [sql, stmt] : cache) sqlite3_finalize(stmt);
  }

  // DML is cached for the connection's life; DDL and PRAGMAs are prepared once and dropped.
  static bool cacheable(const std::string& sql) {
    for (const char* verb : {"SELECT", "INSERT", "UPDATE", "DELETE"})
      if (sql.compare(0, std::strlen(verb), verb) == 0) return true;
    return false;
  }

  void fail(int rc, const std::string& sql) const {
    throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db) + " (" + sqlite3_errstr(rc) + ") in: " +
                             sql.substr(0, 120));
  }

  // Prepared, bound, stepped; calls on_row for each row. Returns rows changed.
  template <class OnRow>
  std::size_t run(const std::string& sql, const Params& params, OnRow&& on_row) {
    const bool cached = cacheable(sql);
    sqlite3_stmt* stmt = nullptr;
    if (auto it = cache.find(sql); cached && it != cache.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), cached ? SQLITE_PREPARE_PERSISTENT : 0,
                                  &stmt, nullptr);
      if (rc != SQLITE_OK) fail(rc, sql);
      if (cached) cache.emplace(sql, stmt);
    }
    struct Release {  // back to a clean state for the next use, however this one ends
      sqlite3_stmt* stmt;
      bool cached;
      ~Release() {
        if (cached) {
          sqlite3_reset(stmt);
          sqlite3_clear_bindings(stmt);
        } else {
          sqlite3_finalize(stmt);
        }
      }
    } release{stmt, cached};

    int index = 1;
    for (const auto& p : params) {
      int rc = SQLITE_OK;
      if (auto* i = std::get_if<std::int64_t>(&p)) {
        rc = sqlite3_bind_int64(stmt, index, *i);
      } else if (auto* s = std::get_if<std::string>(&p)) {
        rc = sqlite3_bind_text(stmt, index, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
      } else {
        rc = sqlite3_bind_null(stmt, index);
      }
      if (rc != SQLITE_OK) fail(rc, sql);
      ++index;
    }
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(rc, sql);
      on_row(stmt);
    }
    return static_cast<std::size_t>(sqlite3_changes(db));
  }

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw std::runtime_error(std::string("SQLite: ") + msg + " in: " + sql);
    }
  }

  Poco::Data::Session session;
  sqlite3* db;
  std::unordered_map<std::string, sqlite3_stmt*> cache;
};

namespace {

void register_connector() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

Value column_value(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_NULL: return nullptr;
    case SQLITE_INTEGER: return static_cast<std::int64_t>(sqlite3_column_int64(stmt, col));
    default: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
      return std::string(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, col)));
    }
  }
}

}  // namespace

Database::Database(const std::filesystem::path& data_dir) {
  register_connector();
  std::filesystem::create_directories(data_dir);
  file_ = data_dir / "steward.db";
  impl_ = std::make_unique<Impl>(file_.string());
  // WAL lets readers (another process, e.g. `steward keys create`) work beside the daemon;
  // NORMAL sync in WAL mode is durable across process crashes (not power loss mid-commit).
  impl_->exec("PRAGMA journal_mode=WAL");
  impl_->exec("PRAGMA synchronous=NORMAL");
  impl_->exec("PRAGMA busy_timeout=10000");
  impl_->exec("PRAGMA foreign_keys=ON");
  migrate();
}

Database::~Database() = default;

std::vector<Row> Database::query(const std::string& sql, const Params& params) {
  std::lock_guard lock(mutex_);
  std::vector<Row> rows;
  impl_->run(sql, params, [&](sqlite3_stmt* stmt) {
    const int cols = sqlite3_column_count(stmt);
    std::vector<Value> values;
    values.reserve(static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c) values.push_back(column_value(stmt, c));
    rows.emplace_back(std::move(values));
  });
  return rows;
}

std::optional<Row> Database::query_one(const std::string& sql, const Params& params) {
  auto rows = query(sql, params);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::size_t Database::execute(const std::string& sql, const Params& params) {
  std::lock_guard lock(mutex_);
  return impl_->run(sql, params, [](sqlite3_stmt*) {});
}

void Database::begin() { impl_->exec("BEGIN IMMEDIATE"); }
void Database::commit() { impl_->exec("COMMIT"); }
void Database::rollback() {
  try {
    impl_->exec("ROLLBACK");
  } catch (...) {  // nothing to roll back (the failure was BEGIN itself)
  }
}

int Database::schema_version() {
  auto row = query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return static_cast<int>(row ? row->integer(0) : 0);
}

void Database::migrate() {
  execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "description TEXT NOT NULL, applied_ms INTEGER NOT NULL)");
  for (const auto& m : migrations()) {
    // Checked inside the transaction: two processes starting at once apply each once.
    transaction([&] {
      if (query_one("SELECT 1 FROM schema_migrations WHERE version = ?", {std::int64_t{m.version}}))
        return;
      for (const auto& sql : m.statements) execute(sql);
      execute("INSERT INTO schema_migrations(version, description, applied_ms) VALUES (?, ?, "
              "CAST(strftime('%s','now') AS INTEGER) * 1000)",
              {std::int64_t{m.version}, m.description});
    });
  }
}

}  // namespace steward::store

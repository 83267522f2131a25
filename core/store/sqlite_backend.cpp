#include "core/store/sqlite_backend.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <sqlite3.h>

#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace steward::store {

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

// Poco's Session opens the file; statements then run on SQLite's own API with a cache of
// prepared statements. Re-preparing SQL on every call through Poco::Data's
// Statement/RecordSet cost about a tenth of the daemon's CPU per run in the webhook
// benchmark (bench/webhook_peer.sh); the cache removes it.
class SqliteBackend final : public Backend {
 public:
  explicit SqliteBackend(const std::filesystem::path& file)
      : file_(file), session_("SQLite", file.string()), db_(Poco::Data::SQLite::Utility::dbHandle(session_)) {
    // WAL lets readers (another process, e.g. `steward keys create`) work beside the daemon;
    // NORMAL sync in WAL mode is durable across process crashes (not power loss mid-commit).
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA busy_timeout=10000");
    exec("PRAGMA foreign_keys=ON");
  }
  ~SqliteBackend() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  }

  std::size_t run(const std::string& sql, const Params& params, std::vector<Row>* rows) override {
    const bool cached = is_cached_statement(sql);
    sqlite3_stmt* stmt = nullptr;
    if (auto it = cache_.find(sql); cached && it != cache_.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), cached ? SQLITE_PREPARE_PERSISTENT : 0,
                                  &stmt, nullptr);
      if (rc != SQLITE_OK) fail(rc, sql);
      if (cached) cache_.emplace(sql, stmt);
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
      if (!rows) continue;
      const int cols = sqlite3_column_count(stmt);
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(cols));
      for (int c = 0; c < cols; ++c) values.push_back(column_value(stmt, c));
      rows->emplace_back(std::move(values));
    }
    return static_cast<std::size_t>(sqlite3_changes(db_));
  }

  // IMMEDIATE takes the write lock at once: a transaction that reads then writes cannot
  // fail half-way on a lock upgrade, and writers (this and other processes) serialize.
  void begin() override { exec("BEGIN IMMEDIATE"); }
  void commit() override { exec("COMMIT"); }
  void rollback() override {
    try {
      exec("ROLLBACK");
    } catch (...) {  // nothing to roll back (the failure was BEGIN itself)
    }
  }
  void apply_ddl(const std::string& sql) override { run(sql, {}, nullptr); }
  // BEGIN IMMEDIATE already excludes every other writer of the file.
  void lock_migrations() override {}
  std::string location() const override { return file_.string(); }

 private:
  [[noreturn]] void fail(int rc, const std::string& sql) const {
    throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db_) + " (" + sqlite3_errstr(rc) + ") in: " +
                             sql.substr(0, 120));
  }

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw std::runtime_error(std::string("SQLite: ") + msg + " in: " + sql);
    }
  }

  std::filesystem::path file_;
  Poco::Data::Session session_;
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// Registering Poco's connector must happen before the Session member is built.
std::unique_ptr<Backend> make(const std::filesystem::path& file) {
  register_connector();
  return std::make_unique<SqliteBackend>(file);
}

}  // namespace

std::unique_ptr<Backend> open_sqlite(const std::filesystem::path& file) { return make(file); }

}  // namespace steward::store

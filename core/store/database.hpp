// The one place repositories talk to the database through. They hand it SQL with `?`
// placeholders and a list of values; it runs them on a backend (SQLite by default,
// PostgreSQL for a postgresql:// URL) and returns rows as plain values, so repositories
// do not know which engine holds the data.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/store/backend.hpp"
#include "core/store/value.hpp"

namespace steward::store {

// Keys for Database::serialize: one per decision that several daemons must not make at once.
inline constexpr std::int64_t kSerialClaimLock = 6013542965856855041;  // claiming concurrency: queue runs
inline constexpr std::int64_t kFirstKeyLock = 6013542965856855042;     // the first start's admin key

class Database {
 public:
  // Opens (creating if needed) <data_dir>/steward.db in WAL mode and applies migrations.
  explicit Database(const std::filesystem::path& data_dir);
  // `url` empty: as above. Otherwise a postgresql:// URL of an existing database; throws
  // OpenError (password masked) when it cannot be reached. Applies migrations.
  Database(const std::filesystem::path& data_dir, const std::string& url);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  std::vector<Row> query(const std::string& sql, const Params& params = {});
  std::optional<Row> query_one(const std::string& sql, const Params& params = {});
  // Returns the number of rows changed.
  std::size_t execute(const std::string& sql, const Params& params = {});

  // Runs `work` inside one transaction; any exception rolls back and is rethrown, so a
  // logical change is stored whole or not at all. Nested calls (a repository method that
  // has its own transaction, called inside a larger one) join the outer transaction.
  // SQLite: BEGIN IMMEDIATE (writers serialize). PostgreSQL: BEGIN, READ COMMITTED.
  template <class Work>
  auto transaction(Work&& work) {
    std::lock_guard lock(mutex_);
    if (depth_ > 0) {
      Depth nested(depth_);
      return work();
    }
    backend_->begin();
    Depth outer(depth_);
    try {
      if constexpr (std::is_void_v<decltype(work())>) {
        work();
        backend_->commit();
      } else {
        auto result = work();
        backend_->commit();
        return result;
      }
    } catch (...) {
      backend_->rollback();
      throw;
    }
  }

  // Inside a transaction: runs `work` so that its failure undoes only its own statements
  // (SAVEPOINT, ROLLBACK TO on an exception, which is rethrown) and the transaction goes
  // on. Needed on PostgreSQL, where any failed statement otherwise aborts the whole
  // transaction. Outside a transaction it is transaction().
  template <class Work>
  void savepoint(Work&& work) {
    std::lock_guard lock(mutex_);
    if (depth_ == 0) {
      transaction(std::forward<Work>(work));
      return;
    }
    backend_->run("SAVEPOINT steward_step", {}, nullptr);
    try {
      work();
    } catch (...) {
      try {
        backend_->run("ROLLBACK TO SAVEPOINT steward_step", {}, nullptr);
        backend_->run("RELEASE SAVEPOINT steward_step", {}, nullptr);
      } catch (...) {  // the transaction is lost anyway; the caller's exception says why
      }
      throw;
    }
    backend_->run("RELEASE SAVEPOINT steward_step", {}, nullptr);
  }

  // Inside a transaction: holds the row of `table` with this `id` until the transaction
  // ends, so a read-then-write by another daemon on the same row waits for it
  // (PostgreSQL: SELECT … FOR UPDATE). SQLite's BEGIN IMMEDIATE already serializes writers.
  // `table` is a name from the code, never from input.
  void lock_row(const std::string& table, const std::string& id) {
    if (postgres_) query("SELECT 1 FROM " + table + " WHERE id = ? FOR UPDATE", {id});
  }

  // Inside a transaction: waits until no other daemon's transaction holds `key`, and holds
  // it until this one ends (PostgreSQL: pg_advisory_xact_lock). For decisions that read
  // then write more than one row. No-op on SQLite, where writers are serialized anyway.
  void serialize(std::int64_t key) {
    if (postgres_) query("SELECT pg_advisory_xact_lock(?)", {key});
  }

  int schema_version();
  bool is_postgres() const { return postgres_; }  // several daemons may share it
  // Where the data is, safe to print: the SQLite file, or the URL with its password masked.
  std::string location() const { return backend_->location(); }

 private:
  void migrate();

  std::unique_ptr<Backend> backend_;
  bool postgres_ = false;
  // One connection, used by one thread at a time. Recursive so that query()/execute()
  // can be called from inside transaction().
  std::recursive_mutex mutex_;
  int depth_ = 0;  // transactions open on the thread holding mutex_
  struct Depth {
    explicit Depth(int& d) : depth(d) { ++depth; }
    ~Depth() { --depth; }
    int& depth;
  };
};

}  // namespace steward::store

// What Database needs from an engine: run one statement with `?` placeholders, open and
// close a transaction, apply one migration statement, and serialize migrations between
// processes. Two implementations: SQLite (sqlite_backend.*) and PostgreSQL
// (postgres_backend.*); each keeps its own prepared-statement cache.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/value.hpp"

namespace steward::store {

// The store cannot be opened: a malformed URL, a server that does not answer, a database
// that does not exist, refused credentials. The message names the place (password masked).
struct OpenError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// SELECT/INSERT/UPDATE/DELETE: the statements the repositories repeat, which both backends
// prepare once per connection and keep; anything else (DDL, PRAGMA) is prepared and dropped.
inline bool is_cached_statement(const std::string& sql) {
  for (std::string_view verb : {"SELECT", "INSERT", "UPDATE", "DELETE"})
    if (sql.compare(0, verb.size(), verb) == 0) return true;
  return false;
}

class Backend {
 public:
  virtual ~Backend() = default;

  // Runs `sql` with `params` bound to its `?` placeholders in order. When `rows` is given,
  // each result row is appended to it. Returns the number of rows changed.
  virtual std::size_t run(const std::string& sql, const Params& params, std::vector<Row>* rows) = 0;

  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;  // never throws

  // One statement of a migration (SQLite DDL as written in migrations.cpp); a backend
  // translates what its dialect spells differently.
  virtual void apply_ddl(const std::string& sql) = 0;

  // Called first inside each migration transaction: blocks until no other process is
  // migrating the same database.
  virtual void lock_migrations() = 0;

  // Where the data lives, safe to print: a file path, or the URL without its password.
  virtual std::string location() const = 0;
};

}  // namespace steward::store

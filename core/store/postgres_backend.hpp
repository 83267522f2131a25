// PostgreSQL on libpq directly: one connection, statements prepared once per connection
// (PQprepare/PQexecPrepared) with `?` rewritten to `$n`, results read as text and turned
// into integers where the column is an integer type.
#pragma once

#include <memory>
#include <string>

#include "core/store/backend.hpp"

namespace steward::store {

// Connects to `url` (postgresql://…); throws OpenError naming the masked URL on failure.
// The database must exist: it is never created here.
std::unique_ptr<Backend> open_postgres(const std::string& url);

// Exposed for tests: `?` → `$1`, `$2`, … outside quoted text.
std::string numbered_placeholders(const std::string& sql);
// Text as PostgreSQL stores it: invalid UTF-8 bytes and NUL become U+FFFD (exposed for tests).
std::string postgres_text(const std::string& s);
// Exposed for tests: SQLite DDL as migrations.cpp writes it → PostgreSQL DDL.
std::string postgres_ddl(const std::string& sql);

}  // namespace steward::store

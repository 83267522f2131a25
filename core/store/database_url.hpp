// The `database` setting: empty for SQLite in the data directory, or a PostgreSQL URL.
// The URL may carry a password, so anything printed or logged goes through masked().
#pragma once

#include <string>

namespace steward::store {

bool is_postgres_url(const std::string& url);  // postgresql:// or postgres://

// The URL with its password (user:PASSWORD@ and any password=… parameter) shown as ***.
std::string masked(const std::string& url);

// The password the URL carries, or "" (to scrub it from error texts that might echo it).
std::string password_of(const std::string& url);

}  // namespace steward::store

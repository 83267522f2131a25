// The store the tests open: SQLite in a temp directory, or, when STEWARD_TEST_DATABASE_URL
// names a PostgreSQL server (postgresql://steward@127.0.0.1:PORT/postgres, started by
// tests/pg/pg_cluster.sh), a database created for the test and dropped at its end. The same
// test sources then run against both backends (tests/CMakeLists.txt registers them twice).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace steward::test {

// True when STEWARD_TEST_DATABASE_URL is set.
bool testing_postgres();

// The `database` setting for a store whose data directory is `data_dir`: "" (SQLite in
// data_dir), or the URL of a fresh PostgreSQL database made for that directory. The same
// directory gets the same database, so reopening a store sees its data; each database is
// dropped when the test process exits.
std::string database_url_for(const std::filesystem::path& data_dir);

// Runs one SQL statement on the PostgreSQL database at `url` (a test reading what daemons
// stored); every value as text, NULL as "". Throws with the server's message on failure.
std::vector<std::vector<std::string>> query_database(const std::string& url, const std::string& sql);

}  // namespace steward::test

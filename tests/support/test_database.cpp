#include "tests/support/test_database.hpp"

#include <libpq-fe.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>

namespace steward::test {

namespace {

const char* server_url() {
  const char* url = std::getenv("STEWARD_TEST_DATABASE_URL");
  return url && *url ? url : nullptr;
}

// `url` with its database name replaced: scheme://authority/NAME[?query].
std::string with_database(const std::string& url, const std::string& name) {
  const auto authority = url.find("://");
  if (authority == std::string::npos) throw std::runtime_error("STEWARD_TEST_DATABASE_URL is not a URL: " + url);
  const auto slash = url.find('/', authority + 3);
  const auto query = url.find('?', authority + 3);
  std::string base = url.substr(0, slash == std::string::npos ? query : slash);
  return base + "/" + name + (query == std::string::npos ? "" : url.substr(query));
}

// Runs one statement on the server's maintenance database.
void admin(const std::string& sql) { query_database(server_url(), sql); }

// FNV-1a: the database name is a pure function of the directory (unique per TempDir).
std::string name_for(const std::filesystem::path& dir) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : dir.string()) h = (h ^ c) * 1099511628211ull;
  char buf[32];
  std::snprintf(buf, sizeof buf, "stw_test_%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// The databases this process created, dropped at exit (stores are closed by then).
struct Created {
  std::mutex mutex;
  std::map<std::string, std::string> by_dir;  // data dir -> database name
  ~Created() {
    for (const auto& [dir, name] : by_dir) {
      try {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (const std::exception& e) {
        std::fprintf(stderr, "test_database: %s\n", e.what());
      }
    }
  }
};

Created& created() {
  static Created c;
  return c;
}

}  // namespace

bool testing_postgres() { return server_url() != nullptr; }

std::vector<std::vector<std::string>> query_database(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("test PostgreSQL unreachable: " + why);
  }
  PGresult* res = PQexec(conn, sql.c_str());
  const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
  std::vector<std::vector<std::string>> rows;
  std::string why = ok ? "" : PQresultErrorMessage(res);
  for (int r = 0; ok && r < PQntuples(res); ++r) {
    std::vector<std::string> row;
    for (int c = 0; c < PQnfields(res); ++c) row.emplace_back(PQgetvalue(res, r, c));
    rows.push_back(std::move(row));
  }
  PQclear(res);
  PQfinish(conn);
  if (!ok) throw std::runtime_error("test PostgreSQL: " + why + " in: " + sql);
  return rows;
}

std::string database_url_for(const std::filesystem::path& data_dir) {
  if (!testing_postgres()) return "";
  auto& c = created();
  std::lock_guard lock(c.mutex);
  const std::string key = data_dir.lexically_normal().string();
  auto it = c.by_dir.find(key);
  if (it == c.by_dir.end()) {
    const std::string name = name_for(key);
    admin("CREATE DATABASE " + name);
    it = c.by_dir.emplace(key, name).first;
  }
  return with_database(server_url(), it->second);
}

}  // namespace steward::test

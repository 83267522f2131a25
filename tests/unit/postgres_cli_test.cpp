// `--database` on the command line: the bad paths end with exit 2 and a message naming the
// place with its password masked, before anything is created; a good URL keeps the keys
// in PostgreSQL. These start the real `steward` binary.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/support/daemon.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;

namespace {


// serve and keys list with `url`: both exit 2 with `expected` in stderr, never the password.
void refused(const std::string& url, const std::string& expected) {
  test::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  auto serve = test::run_steward({"serve", "--port", "0", "--device-port", "0", "--data-dir", data, "--database", url});
  INFO(serve.err);
  CHECK(serve.exit_code == 2);
  CHECK(serve.err.find(expected) != std::string::npos);
  CHECK(serve.err.find("s3cret") == std::string::npos);
  CHECK(serve.out.find("s3cret") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(data));  // nothing half-created

  auto keys = test::run_steward({"keys", "list", "--data-dir", data, "--database", url});
  INFO(keys.err);
  CHECK(keys.exit_code == 2);
  CHECK(keys.err.find(expected) != std::string::npos);
  CHECK(keys.err.find("s3cret") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(data));
}

}  // namespace

TEST_CASE("cli: a database URL that is not PostgreSQL is a setting error, exit 2", "[unit][store]") {
  refused("mysql://steward:s3cret@127.0.0.1/steward", "database = 'mysql://steward:***@127.0.0.1/steward'");
}

TEST_CASE("cli: a PostgreSQL server that is down is named with the password masked, exit 2", "[unit][store]") {
  const std::string port = std::to_string(test::closed_loopback_port());
  refused("postgresql://steward:s3cret@127.0.0.1:" + port + "/steward",
          "cannot open the PostgreSQL database postgresql://steward:***@127.0.0.1:" + port + "/steward");
}

TEST_CASE("cli: a PostgreSQL database that does not exist is not created, exit 2", "[unit][postgres]") {
  const char* env = std::getenv("STEWARD_TEST_DATABASE_URL");
  REQUIRE(env);
  std::string server = env;
  std::string url = server.substr(0, server.rfind('/')) + "/stw_cli_missing";
  refused(url, "database \"stw_cli_missing\" does not exist");
  refused(url, "database \"stw_cli_missing\" does not exist");  // the first attempt did not create it
}

TEST_CASE("cli: keys created with --database are in PostgreSQL, not in the data directory", "[unit][postgres]") {
  test::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const std::string url = test::database_url_for(dir.path());
  auto created = test::run_steward({"keys", "create", "--role", "admin", "--name", "ops", "--data-dir", data, "--database", url});
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  auto listed = test::run_steward({"keys", "list", "--data-dir", data, "--database", url});
  REQUIRE(listed.exit_code == 0);
  CHECK(listed.out.find("admin  ops") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(data + "/steward.db"));
  auto sqlite = test::run_steward({"keys", "list", "--data-dir", data, "--database", ""});
  CHECK(sqlite.out.find("ops") == std::string::npos);  // the SQLite default is another store
}

#include "core/store/database.hpp"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include <stdexcept>

#include "core/store/migrations.hpp"

using namespace Poco::Data::Keywords;

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

struct Database::Impl {
  explicit Impl(const std::string& path) : session("SQLite", path) {}
  Poco::Data::Session session;
};

namespace {

void register_connector() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

// Binds values by copy: Poco keeps the bound objects alive with the statement.
void bind_all(Poco::Data::Statement& stmt, const Params& params) {
  for (const auto& p : params) {
    if (auto* i = std::get_if<std::int64_t>(&p)) {
      stmt, bind(static_cast<Poco::Int64>(*i));
    } else if (auto* s = std::get_if<std::string>(&p)) {
      stmt, bind(*s);
    } else {
      stmt, bind(Poco::Nullable<std::string>());
    }
  }
}

Value to_value(const Poco::Dynamic::Var& v) {
  if (v.isEmpty()) return nullptr;
  if (v.isInteger()) return static_cast<std::int64_t>(v.convert<Poco::Int64>());
  return v.convert<std::string>();
}

}  // namespace

Database::Database(const std::filesystem::path& data_dir) {
  register_connector();
  std::filesystem::create_directories(data_dir);
  file_ = data_dir / "steward.db";
  impl_ = std::make_unique<Impl>(file_.string());
  auto& s = impl_->session;
  // WAL lets readers (another process, e.g. `steward keys create`) work beside the daemon;
  // NORMAL sync in WAL mode is durable across process crashes (not power loss mid-commit).
  s << "PRAGMA journal_mode=WAL", now;
  s << "PRAGMA synchronous=NORMAL", now;
  s << "PRAGMA busy_timeout=10000", now;
  s << "PRAGMA foreign_keys=ON", now;
  migrate();
}

Database::~Database() = default;

std::vector<Row> Database::query(const std::string& sql, const Params& params) {
  std::lock_guard lock(mutex_);
  Poco::Data::Statement stmt(impl_->session);
  stmt << sql;
  bind_all(stmt, params);
  stmt.execute();
  Poco::Data::RecordSet rs(stmt);
  std::vector<Row> rows;
  rows.reserve(rs.rowCount());
  const std::size_t cols = rs.columnCount();
  for (std::size_t r = 0; r < rs.rowCount(); ++r) {
    std::vector<Value> values;
    values.reserve(cols);
    for (std::size_t c = 0; c < cols; ++c) {
      values.push_back(rs.isNull(c, r) ? Value(nullptr) : to_value(rs.value(c, r)));
    }
    rows.emplace_back(std::move(values));
  }
  return rows;
}

std::optional<Row> Database::query_one(const std::string& sql, const Params& params) {
  auto rows = query(sql, params);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::size_t Database::execute(const std::string& sql, const Params& params) {
  std::lock_guard lock(mutex_);
  Poco::Data::Statement stmt(impl_->session);
  stmt << sql;
  bind_all(stmt, params);
  return stmt.execute();
}

void Database::begin() { impl_->session << "BEGIN IMMEDIATE", now; }
void Database::commit() { impl_->session << "COMMIT", now; }
void Database::rollback() {
  try {
    impl_->session << "ROLLBACK", now;
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

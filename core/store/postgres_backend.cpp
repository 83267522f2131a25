#include "core/store/postgres_backend.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <regex>
#include <stdexcept>
#include <unordered_map>

#include "core/store/database_url.hpp"

namespace steward::store {

namespace {

// Type OIDs from PostgreSQL's pg_type.h (stable across releases).
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23;

// Held across migrations by every daemon on the database: "Steward\0" as an integer.
constexpr const char* kMigrationLockKey = "6013542965856855040";

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// libpq's messages name host, port and database but could echo a malformed URL; the
// password never leaves this file.
std::string scrub(std::string text, const std::string& password) {
  if (password.empty()) return text;
  for (auto p = text.find(password); p != std::string::npos; p = text.find(password, p + 3))
    text.replace(p, password.size(), "***");
  return text;
}

// A connect timeout unless the URL sets one: an address that drops packets must not hang
// the daemon's start for minutes.
std::string with_connect_timeout(const std::string& url) {
  if (url.find("connect_timeout=") != std::string::npos) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=10";
}

// The length of the character at `i` as PostgreSQL's text type takes it (well-formed UTF-8,
// not NUL), or 0 when the byte there starts none.
std::size_t char_at(const std::string& s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return c == 0 ? 0 : 1;
  const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (len == 0 || c > 0xF4 || i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F))
    return 0;  // overlong, a surrogate, or beyond U+10FFFF
  return len;
}

bool valid_postgres_text(const std::string& s) {
  for (std::size_t i = 0, n = 0; i < s.size(); i += n)
    if ((n = char_at(s, i)) == 0) return false;
  return true;
}

}  // namespace

std::string postgres_text(const std::string& s) {
  // Tool output is bytes; PostgreSQL text must be UTF-8 without NUL. Each byte that does not
  // start a well-formed character becomes U+FFFD, as a UTF-8 decoder shows it; SQLite keeps
  // the bytes as they are.
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (std::size_t n = char_at(s, i)) {
      out.append(s, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

namespace {

struct Result {
  explicit Result(PGresult* r) : res(r) {}
  ~Result() { PQclear(res); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  PGresult* res;
};

Value field(PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col)) return nullptr;
  const char* text = PQgetvalue(res, row, col);
  switch (PQftype(res, col)) {
    case kInt8:
    case kInt4:
    case kInt2: return static_cast<std::int64_t>(std::strtoll(text, nullptr, 10));
    case kBool: return std::int64_t{text[0] == 't' ? 1 : 0};
    default: return std::string(text, static_cast<std::size_t>(PQgetlength(res, row, col)));
  }
}

class PostgresBackend final : public Backend {
 public:
  explicit PostgresBackend(const std::string& url) : location_(masked(url)) {
    const std::string password = password_of(url);
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (!options) {
      std::string why = error ? trimmed(error) : "not a connection URL";
      PQfreemem(error);
      throw OpenError("database = '" + location_ + "' is not a valid PostgreSQL URL: " + scrub(why, password));
    }
    PQconninfoFree(options);
    conn_ = PQconnectdb(with_connect_timeout(url).c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string why = trimmed(PQerrorMessage(conn_));
      PQfinish(conn_);
      throw OpenError("cannot open the PostgreSQL database " + location_ + ": " + scrub(why, password));
    }
    // Notices ("relation already exists, skipping") are not errors; keep them off stderr.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    if (PQsetClientEncoding(conn_, "UTF8") != 0) {
      PQfinish(conn_);
      throw OpenError("the PostgreSQL database " + location_ + " does not accept UTF8 client encoding");
    }
  }
  ~PostgresBackend() override { PQfinish(conn_); }

  std::size_t run(const std::string& sql, const Params& params, std::vector<Row>* rows) override {
    reconnect_if_lost();
    std::vector<std::string> numbers;  // storage for integer parameters as text, and mended text
    numbers.reserve(params.size());
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
      if (auto* i = std::get_if<std::int64_t>(&p)) {
        numbers.push_back(std::to_string(*i));
        values.push_back(numbers.back().c_str());
      } else if (auto* s = std::get_if<std::string>(&p)) {
        if (valid_postgres_text(*s)) {
          values.push_back(s->c_str());
        } else {
          numbers.push_back(postgres_text(*s));
          values.push_back(numbers.back().c_str());
        }
      } else {
        values.push_back(nullptr);
      }
    }
    const int n = static_cast<int>(values.size());
    PGresult* raw = nullptr;
    if (is_cached_statement(sql)) {
      raw = PQexecPrepared(conn_, prepared(sql).c_str(), n, values.data(), nullptr, nullptr, 0);
    } else {
      raw = PQexecParams(conn_, numbered_placeholders(sql).c_str(), n, nullptr, values.data(), nullptr, nullptr, 0);
    }
    Result result(raw);
    check(result.res, sql);
    if (rows && PQresultStatus(result.res) == PGRES_TUPLES_OK) {
      const int count = PQntuples(result.res), cols = PQnfields(result.res);
      rows->reserve(rows->size() + static_cast<std::size_t>(count));
      for (int r = 0; r < count; ++r) {
        std::vector<Value> row;
        row.reserve(static_cast<std::size_t>(cols));
        for (int c = 0; c < cols; ++c) row.push_back(field(result.res, r, c));
        rows->emplace_back(std::move(row));
      }
    }
    const char* changed = PQcmdTuples(result.res);
    return changed && *changed ? static_cast<std::size_t>(std::strtoull(changed, nullptr, 10)) : 0;
  }

  // READ COMMITTED: unlike SQLite's BEGIN IMMEDIATE this does not serialize writers;
  // correctness across daemons comes from constraints and row locks (docs/decisions.md).
  void begin() override {
    reconnect_if_lost();
    exec("BEGIN");
    in_transaction_ = true;
  }
  void commit() override {
    in_transaction_ = false;
    Result result(PQexec(conn_, "COMMIT"));
    check(result.res, "COMMIT");
    // COMMIT of a transaction aborted by an earlier (caught) error answers ROLLBACK.
    if (std::strcmp(PQcmdStatus(result.res), "ROLLBACK") == 0)
      throw std::runtime_error("PostgreSQL: the transaction was rolled back: a statement in it had failed");
  }
  void rollback() override {
    in_transaction_ = false;
    if (PQstatus(conn_) != CONNECTION_OK) return;  // the server ended it with the connection
    PQclear(PQexec(conn_, "ROLLBACK"));
  }
  void apply_ddl(const std::string& sql) override {
    reconnect_if_lost();
    Result result(PQexec(conn_, postgres_ddl(sql).c_str()));
    check(result.res, sql);
  }
  void lock_migrations() override { exec(std::string("SELECT pg_advisory_xact_lock(") + kMigrationLockKey + ")"); }
  std::string location() const override { return location_; }

 private:
  const std::string& prepared(const std::string& sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    std::string name = "s" + std::to_string(next_statement_++);
    Result result(PQprepare(conn_, name.c_str(), numbered_placeholders(sql).c_str(), 0, nullptr));
    check(result.res, sql);
    return cache_.emplace(sql, std::move(name)).first->second;
  }

  // A connection dropped by the server (restart, idle timeout) is reopened before the next
  // statement, and its prepared statements with it. Inside a transaction the work is lost:
  // the caller gets the error and the transaction rolls back.
  void reconnect_if_lost() {
    if (PQstatus(conn_) == CONNECTION_OK) return;
    if (in_transaction_) throw std::runtime_error("PostgreSQL: the connection was lost inside a transaction");
    PQreset(conn_);
    cache_.clear();
    if (PQstatus(conn_) != CONNECTION_OK)
      throw std::runtime_error("PostgreSQL: cannot reconnect to " + location_ + ": " + trimmed(PQerrorMessage(conn_)));
  }

  void exec(const std::string& sql) {
    Result result(PQexec(conn_, sql.c_str()));
    check(result.res, sql);
  }

  void check(PGresult* res, const std::string& sql) const {
    auto status = PQresultStatus(res);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
    std::string why = res ? trimmed(PQresultErrorMessage(res)) : "";
    if (why.empty()) why = trimmed(PQerrorMessage(conn_));
    throw std::runtime_error("PostgreSQL: " + why + " in: " + sql.substr(0, 120));
  }

  std::string location_;
  PGconn* conn_ = nullptr;
  bool in_transaction_ = false;
  std::unordered_map<std::string, std::string> cache_;  // SQL -> prepared statement name
  int next_statement_ = 0;
};

}  // namespace

std::string numbered_placeholders(const std::string& sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;  // inside '…' or "…"
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;  // a doubled quote closes and reopens: same result
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

std::string postgres_ddl(const std::string& sql) {
  // Times are milliseconds: SQLite's INTEGER is 64-bit, PostgreSQL's is 32.
  static const std::regex kAutoincrement(R"(\bINTEGER PRIMARY KEY AUTOINCREMENT\b)");
  static const std::regex kInteger(R"(\bINTEGER\b)");
  std::string out = std::regex_replace(sql, kAutoincrement, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
  out = std::regex_replace(out, kInteger, "BIGINT");
  // Every SQLite table has a rowid in insertion order, and repositories order ties by it
  // (queued commands, group members): PostgreSQL tables get the same as a real column.
  if (out.rfind("CREATE TABLE", 0) == 0) {
    auto close = out.rfind(')');
    if (close != std::string::npos) out.insert(close, ",\n                rowid BIGINT GENERATED ALWAYS AS IDENTITY");
  }
  return out;
}

std::unique_ptr<Backend> open_postgres(const std::string& url) { return std::make_unique<PostgresBackend>(url); }

}  // namespace steward::store

// The one place that talks to Poco::Data. Repositories hand it SQL with `?` placeholders
// and a list of values; it binds, runs and returns rows as plain values, so a second
// backend (PostgreSQL: `$n` placeholders) changes this file and not the repositories.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace steward::store {

using Value = std::variant<std::nullptr_t, std::int64_t, std::string>;
using Params = std::vector<Value>;

// An optional column: its value, or NULL when absent.
template <class T>
Value nullable(const std::optional<T>& v) {
  return v ? Value(*v) : Value(nullptr);
}

// One result row; columns addressed by position in the SELECT list.
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  bool is_null(size_t col) const { return std::holds_alternative<std::nullptr_t>(values_.at(col)); }
  std::string text(size_t col) const;                       // "" for NULL
  std::optional<std::string> optional_text(size_t col) const;
  std::int64_t integer(size_t col) const;                   // 0 for NULL
  std::optional<std::int64_t> optional_integer(size_t col) const;

 private:
  std::vector<Value> values_;
};

class Database {
 public:
  // Opens (creating if needed) <data_dir>/steward.db in WAL mode and applies migrations.
  explicit Database(const std::filesystem::path& data_dir);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  std::vector<Row> query(const std::string& sql, const Params& params = {});
  std::optional<Row> query_one(const std::string& sql, const Params& params = {});
  // Returns the number of rows changed.
  std::size_t execute(const std::string& sql, const Params& params = {});

  // Runs `work` inside one transaction (BEGIN IMMEDIATE ... COMMIT); any exception rolls
  // back and is rethrown, so a logical change is stored whole or not at all. Nested calls
  // (a repository method that has its own transaction, called inside a larger one) join
  // the outer transaction.
  template <class Work>
  auto transaction(Work&& work) {
    std::lock_guard lock(mutex_);
    if (depth_ > 0) {
      Depth nested(depth_);
      return work();
    }
    begin();
    Depth outer(depth_);
    try {
      if constexpr (std::is_void_v<decltype(work())>) {
        work();
        commit();
      } else {
        auto result = work();
        commit();
        return result;
      }
    } catch (...) {
      rollback();
      throw;
    }
  }

  int schema_version();
  const std::filesystem::path& file() const { return file_; }

 private:
  void begin();
  void commit();
  void rollback();
  void migrate();

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::filesystem::path file_;
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

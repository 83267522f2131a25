// The values a statement binds and returns, shared by Database and its backends.
#pragma once

#include <cstdint>
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

}  // namespace steward::store

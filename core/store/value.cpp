#include "core/store/value.hpp"

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

}  // namespace steward::store

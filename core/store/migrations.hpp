// The schema, as an ordered list of migrations. A migration is never edited once released;
// a change is a new entry at the end. Applied in order at start, each in its own transaction.
#pragma once

#include <string>
#include <vector>

namespace steward::store {

struct Migration {
  int version;
  std::string description;
  std::vector<std::string> statements;
};

const std::vector<Migration>& migrations();

}  // namespace steward::store

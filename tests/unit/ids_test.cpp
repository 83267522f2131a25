#include <catch2/catch.hpp>
#include <set>

#include "core/util/ids.hpp"

TEST_CASE("ids are prefix + 16 base32 characters, all distinct", "[unit][ids]") {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    auto id = steward::new_id("run");
    REQUIRE(id.size() == 4 + 16);
    REQUIRE(id.rfind("run_", 0) == 0);
    for (char c : id.substr(4)) REQUIRE(std::string("abcdefghijklmnopqrstuvwxyz234567").find(c) != std::string::npos);
    seen.insert(id);
  }
  CHECK(seen.size() == 2000);
}

TEST_CASE("random_base32 uses the whole alphabet", "[unit][ids]") {
  std::set<char> chars;
  for (char c : steward::random_base32(4000)) chars.insert(c);
  CHECK(chars.size() == 32);
}

// An automation's target, parsed once for validation, maintenance scope and step routing.
#include <catch2/catch.hpp>

#include "core/automations/target.hpp"

using namespace steward;

TEST_CASE("target: the four forms parse, anything else is refused", "[unit][devices][target]") {
  CHECK(parse_target("local")->kind == Target::Kind::Local);
  CHECK(parse_target("")->kind == Target::Kind::Local);
  CHECK(parse_target("auto")->kind == Target::Kind::Auto);
  auto d = parse_target("device:device_abc");
  REQUIRE(d);
  CHECK(d->kind == Target::Kind::Device);
  CHECK(d->id == "device_abc");
  CHECK(d->remote_place());
  auto g = parse_target("group:group_x");
  REQUIRE(g);
  CHECK(g->kind == Target::Kind::Group);
  CHECK(g->id == "group_x");
  CHECK_FALSE(parse_target("auto")->remote_place());
  for (const char* bad : {"mars", "device:", "device:device_", "device:group_x", "group:device_x", "Local",
                          "device_abc", "group:"})
    CHECK_FALSE(parse_target(bad));
  CHECK_FALSE(parse_target("device:device_" + std::string(100, 'a')));
}

#include <catch2/catch.hpp>

#include "core/runs/output_buffer.hpp"

using steward::OutputBuffer;

TEST_CASE("output under the cap is kept whole", "[unit][output]") {
  OutputBuffer b(10);
  b.append("hello");
  b.append("world");
  CHECK(b.text() == "helloworld");
  CHECK_FALSE(b.truncated());
}

TEST_CASE("output over the cap is cut at the cap with one marker", "[unit][output]") {
  OutputBuffer b(10);
  b.append("0123456");
  b.append("789abc");
  b.append("more that is dropped");
  CHECK(b.truncated());
  CHECK(b.text() == "0123456789" + OutputBuffer::marker(10));
  CHECK(b.text().find("truncated") != std::string::npos);
}

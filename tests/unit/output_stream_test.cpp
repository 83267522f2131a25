// OutputStream: readers get every byte after their offset exactly once, resume anywhere
// still kept, are told when they fell behind the window, and see the end.
#include <catch2/catch.hpp>
#include <thread>

#include "core/runs/output_stream.hpp"

using steward::OutputStream;
using Kind = OutputStream::Read::Kind;
using namespace std::chrono_literals;

TEST_CASE("output stream: offsets resume exactly, with no gap and no repeat", "[unit][stream]") {
  OutputStream s(1024);
  s.append("hello ");
  s.append("world\n");
  auto a = s.read(0, 4, 0ms);
  CHECK(a.kind == Kind::Data);
  CHECK(a.data == "hell");
  CHECK(a.next == 4);
  auto b = s.read(a.next, 100, 0ms);
  CHECK(b.data == "o world\n");
  CHECK(b.next == 12);
  CHECK(s.read(12, 100, 0ms).kind == Kind::Idle);
  CHECK(s.read(7, 100, 0ms).data == "orld\n");  // a reconnect from any kept offset
}

TEST_CASE("output stream: a waiting reader wakes for new bytes and for the end", "[unit][stream]") {
  OutputStream s(1024);
  std::thread producer([&] {
    std::this_thread::sleep_for(50ms);
    s.append("late");
    std::this_thread::sleep_for(50ms);
    s.end("done", "");
  });
  auto r = s.read(0, 100, 5000ms);
  CHECK(r.kind == Kind::Data);
  CHECK(r.data == "late");
  auto e = s.read(r.next, 100, 5000ms);
  CHECK(e.kind == Kind::Ended);
  CHECK(e.status == "done");
  producer.join();
}

TEST_CASE("output stream: the rest is delivered before the end", "[unit][stream]") {
  OutputStream s(1024);
  s.append("tail");
  s.end("failed", "exit 3");
  auto r = s.read(0, 100, 0ms);
  CHECK(r.kind == Kind::Data);
  auto e = s.read(r.next, 100, 0ms);
  CHECK(e.kind == Kind::Ended);
  CHECK(e.reason == "exit 3");
}

TEST_CASE("output stream: a reader behind the window is told so, never handed a gap", "[unit][stream]") {
  OutputStream s(100);
  for (int i = 0; i < 50; ++i) s.append(std::string(10, static_cast<char>('a' + i % 26)));  // 500 bytes
  auto r = s.read(0, 100, 0ms);
  CHECK(r.kind == Kind::Behind);
  CHECK(r.next > 0);
  CHECK(s.total() == 500);
  auto kept = s.read(r.next, 1000, 0ms);  // from the oldest kept byte, everything to the end
  CHECK(kept.kind == Kind::Data);
  CHECK(kept.next == 500);
  CHECK(kept.data.size() == 500 - r.next);
}

// The pieces several daemons share a database with (core/cluster): the bus (LISTEN/NOTIFY
// on PostgreSQL, in-process on SQLite) and the daemon registry with its leases, reaping and
// fencing. In-process, each "daemon" a store connection of its own.
#include <catch2/catch.hpp>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/cluster/bus.hpp"
#include "core/cluster/daemon_registry.hpp"
#include "core/cluster/local_bus.hpp"
#include "core/store/database.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;
using namespace std::chrono_literals;

namespace {

// Whether `id` has a row whose lease has not run out, as the registry lists them.
bool alive(cluster::DaemonRegistry& r, const std::string& id) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& d : r.list())
    if (d.id == id) return d.lease_until_ms >= now;
  return false;
}

// Messages a subscriber received, waitable.
struct Inbox {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> got;
  void add(const std::string& m) {
    std::lock_guard lock(mutex);
    got.push_back(m);
    cv.notify_all();
  }
  bool wait_for(std::size_t n, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, limit, [&] { return got.size() >= n; });
  }
};

}  // namespace

TEST_CASE("cluster bus: in-process on SQLite, to every subscriber of the channel only", "[unit][cluster]") {
  test::TempDir dir;
  store::Database db(dir.path(), "");
  auto bus = cluster::open_bus(db, "");
  Inbox a, b, other;
  bus->subscribe("steward_x", [&](const std::string& m) { a.add(m); });
  bus->subscribe("steward_x", [&](const std::string& m) { b.add(m); });
  bus->subscribe("steward_y", [&](const std::string& m) { other.add(m); });
  bus->start();
  bus->publish("steward_x", "one");
  bus->publish("steward_x", "two");
  REQUIRE(a.wait_for(2, 5s));
  REQUIRE(b.wait_for(2, 5s));
  CHECK(a.got == std::vector<std::string>{"one", "two"});
  CHECK(other.got.empty());
  CHECK_THROWS_AS(bus->publish("steward_x", std::string(cluster::kMaxPayloadBytes + 1, 'x')), std::invalid_argument);
  bus->stop();
}

TEST_CASE("cluster bus: NOTIFY reaches other connections, on commit only", "[unit][postgres]") {
  test::TempDir dir;
  const std::string url = test::database_url_for(dir.path());
  store::Database sender(dir.path(), url), receiver(dir.path(), url);
  auto from = cluster::open_bus(sender, url);
  auto to = cluster::open_bus(receiver, url);
  Inbox inbox;
  to->subscribe("steward_test", [&](const std::string& m) { inbox.add(m); });
  to->start();
  // LISTEN is issued on the bus thread: wait until a message gets through.
  for (int i = 0; i < 50 && inbox.got.empty(); ++i) {
    from->publish("steward_test", "ping");
    inbox.wait_for(1, 100ms);
  }
  REQUIRE(!inbox.got.empty());
  const std::size_t before = inbox.got.size();
  try {
    sender.transaction([&] {
      from->publish("steward_test", "rolled back");
      throw std::runtime_error("undo");
    });
  } catch (const std::runtime_error&) {
  }
  sender.transaction([&] {
    from->publish("steward_test", "committed");
    // Not delivered before the commit.
    CHECK_FALSE(inbox.wait_for(before + 1, 300ms));
  });
  REQUIRE(inbox.wait_for(before + 1, 5s));
  std::this_thread::sleep_for(300ms);
  std::lock_guard lock(inbox.mutex);
  std::vector<std::string> after(inbox.got.begin() + static_cast<long>(before), inbox.got.end());
  while (!after.empty() && after.front() == "ping") after.erase(after.begin());  // late pings
  CHECK(after == std::vector<std::string>{"committed"});
  to->stop();
}

TEST_CASE("cluster registry: a daemon whose lease ran out is reaped once, by one survivor", "[unit][postgres]") {
  test::TempDir dir;
  const std::string url = test::database_url_for(dir.path());
  store::Database db_dead(dir.path(), url), db_a(dir.path(), url), db_b(dir.path(), url);
  cluster::LeaseOptions lease{600ms, 100ms};
  cluster::DaemonRegistry dead(db_dead, lease), a(db_a, lease), b(db_b, lease);
  dead.join("test", dir.str());  // joins, never renews: as if killed
  a.join("test", dir.str());
  b.join("test", dir.str());
  CHECK(alive(a, dead.self()));
  CHECK(a.list().size() == 3);
  std::atomic<int> reaped{0};
  std::string reaped_id;
  std::mutex m;
  auto handler = [&](const std::string& id) {
    ++reaped;
    std::lock_guard lock(m);
    reaped_id = id;
  };
  a.on_reap(handler);
  b.on_reap(handler);
  CHECK(a.reap_expired() == 0);  // still within its lease
  a.start();
  b.start();
  for (int i = 0; i < 50 && reaped == 0; ++i) std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(500ms);  // both survivors had their chance
  CHECK(reaped == 1);
  CHECK(reaped_id == dead.self());
  CHECK_FALSE(alive(a, dead.self()));
  CHECK(alive(a, b.self()));  // the survivors renew theirs
  CHECK(a.list().size() == 2);
  a.leave();
  CHECK(b.list().size() == 1);
  b.leave();
}

TEST_CASE("cluster registry: a daemon that finds its row gone fences itself", "[unit][postgres]") {
  test::TempDir dir;
  const std::string url = test::database_url_for(dir.path());
  store::Database db(dir.path(), url), other(dir.path(), url);
  cluster::DaemonRegistry r(db, cluster::LeaseOptions{2000ms, 100ms});
  std::atomic<bool> fenced{false};
  r.on_fenced([&] { fenced = true; });
  r.join("test", dir.str());
  r.start();
  std::this_thread::sleep_for(300ms);
  CHECK_FALSE(fenced);
  // Another daemon reaped it (as after a long stall).
  other.execute("DELETE FROM daemons WHERE id = ?", {r.self()});
  for (int i = 0; i < 30 && !fenced; ++i) std::this_thread::sleep_for(100ms);
  CHECK(fenced);
  r.leave();
}

TEST_CASE("cluster registry: a lone daemon forgets every other row at once", "[unit][cluster]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  cluster::DaemonRegistry old_one(db, {}), me(db, {});
  old_one.join("old", dir.str());
  me.join("new", dir.str());
  me.forget_others();
  auto all = me.list();
  REQUIRE(all.size() == 1);
  CHECK(all[0].id == me.self());
  CHECK(all[0].version == "new");
  me.advertise("127.0.0.1:1", "127.0.0.1:2");
  CHECK(me.list()[0].http_address == "127.0.0.1:1");
}

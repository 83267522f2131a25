// The relayed live output of runs (core/cluster/output_chunks, output_relay, output_feed)
// against a real store: SQLite in every `make test`, PostgreSQL as "pg:…" ([store];
// tests/CMakeLists.txt). The daemon starts the relay on PostgreSQL only, but the table and
// the code are the same on both.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "core/cluster/bus.hpp"
#include "core/cluster/output_chunks.hpp"
#include "core/cluster/output_feed.hpp"
#include "core/cluster/output_relay.hpp"
#include "core/runs/output_buffer.hpp"
#include "core/store/database.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;
using cluster::OutputChunks;
using Kind = OutputChunks::Read::Kind;
using namespace std::chrono_literals;

namespace {

struct Store {
  test::TempDir dir;
  std::string url = test::database_url_for(dir.path());
  store::Database db{dir.path(), url};
  std::unique_ptr<cluster::Bus> bus = cluster::open_bus(db, url);
};

// Every byte value, again and again: NUL, invalid UTF-8, '{', newlines.
std::string all_bytes(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 7 % 256);
  return s;
}

// Reads [from, end of data) through read() in pieces of `step`.
std::string read_all(OutputChunks& chunks, const std::string& run, std::uint64_t from, std::size_t step) {
  std::string out;
  for (;;) {
    auto r = chunks.read(run, from, step);
    if (r.kind != Kind::Data) return out;
    CHECK(r.data.size() <= step);
    CHECK(r.next == from + r.data.size());
    out += r.data;
    from = r.next;
  }
}

void insert_run(store::Database& db, const std::string& id, const std::string& status,
                std::optional<std::int64_t> finished_ms, const std::string& daemon_id) {
  db.execute("INSERT INTO runs(id, trigger, status, created_ms, finished_ms, daemon_id) VALUES (?, 'api', ?, 1, ?, ?)",
             {id, status, store::nullable(finished_ms), daemon_id.empty() ? store::Value(nullptr) : store::Value(daemon_id)});
}

struct Relay {
  std::vector<cluster::OutputRelay::LiveRun> live;
  cluster::OutputRelay relay;
  Relay(Store& s, cluster::RelayOptions options)
      : relay(s.db, *s.bus, [this] { return live; }, options) {}
};

}  // namespace

TEST_CASE("output chunks: any bytes come back at their offsets, whole or from the middle", "[unit][store]") {
  Store s;
  OutputChunks chunks(s.db);
  const std::string bytes = all_bytes(150 * 1024);  // more than two rows
  chunks.append("run_a", 0, std::string_view(bytes).substr(0, 1000));
  chunks.append("run_a", 1000, std::string_view(bytes).substr(1000));
  CHECK(s.db.query_one("SELECT COUNT(*) FROM run_output_chunks WHERE run_id = 'run_a'")->integer(0) == 4);

  CHECK(read_all(chunks, "run_a", 0, 64 * 1024) == bytes);
  CHECK(read_all(chunks, "run_a", 0, 333) == bytes);
  CHECK(read_all(chunks, "run_a", 70000, 64 * 1024) == bytes.substr(70000));
  auto piece = chunks.read("run_a", 999, 2);
  CHECK(piece.data == bytes.substr(999, 2));  // across the row boundary
  CHECK(chunks.read("run_a", bytes.size(), 10).kind == Kind::Nothing);  // not ended yet
  CHECK(chunks.read("run_other", 0, 10).kind == Kind::Nothing);

  chunks.end("run_a", bytes.size(), "failed", "step failed");
  auto end = chunks.read("run_a", bytes.size(), 10);
  CHECK(end.kind == Kind::Ended);
  CHECK(end.status == "failed");
  CHECK(end.reason == "step failed");
  // The data before the end comes first.
  CHECK(chunks.read("run_a", bytes.size() - 5, 10).data == bytes.substr(bytes.size() - 5));
}

TEST_CASE("output chunks: a reader before the rows still kept is told where they start", "[unit][store]") {
  Store s;
  OutputChunks chunks(s.db);
  chunks.append("run_g", 0, std::string(100, 'h'));
  chunks.append("run_g", 500, std::string(100, 't'));
  auto head = chunks.read("run_g", 50, 1000);
  CHECK(head.data == std::string(50, 'h'));  // contiguous bytes only
  CHECK(head.next == 100);
  auto gap = chunks.read("run_g", 100, 1000);
  CHECK(gap.kind == Kind::Gap);
  CHECK(gap.next == 500);
  CHECK(chunks.read("run_g", 550, 1000).data == std::string(50, 't'));

  chunks.clear("run_g");
  chunks.append("run_late", 300, "abc");  // the head was never written
  auto late = chunks.read("run_late", 0, 10);
  CHECK(late.kind == Kind::Gap);
  CHECK(late.next == 300);
}

TEST_CASE("output chunks: the output so far is capped as the stored output will be", "[unit][store]") {
  Store s;
  OutputChunks chunks(s.db);
  chunks.append("run_c", 0, "abcde");
  CHECK(chunks.so_far("run_c", 10).text == "abcde");
  CHECK_FALSE(chunks.so_far("run_c", 10).truncated);
  chunks.append("run_c", 5, "fghij");
  CHECK(chunks.so_far("run_c", 10).text == "abcdefghij");  // exactly the cap: all of it
  CHECK_FALSE(chunks.so_far("run_c", 10).truncated);
  chunks.append("run_c", 10, "k");
  auto over = chunks.so_far("run_c", 10);
  CHECK(over.truncated);
  CHECK(over.text == "abcdefghij" + OutputBuffer::marker(10));
  // The same as OutputBuffer holding the same bytes.
  OutputBuffer buffer(10);
  for (const char* piece : {"abcde", "fghij", "k"}) buffer.append(piece);
  CHECK(buffer.text() == over.text);
  chunks.end("run_c", 11, "done", "");
  CHECK(chunks.so_far("run_c", 20).text == "abcdefghijk");
}

TEST_CASE("output chunks: the sweep deletes rows of runs ended long enough, deleted or queued again", "[unit][store]") {
  Store s;
  OutputChunks chunks(s.db);
  insert_run(s.db, "run_running", "running", std::nullopt, "dmn_a");
  insert_run(s.db, "run_just_done", "done", 9000, "");
  insert_run(s.db, "run_done", "failed", 1000, "");
  insert_run(s.db, "run_requeued", "queued", std::nullopt, "");
  insert_run(s.db, "run_queued_here", "queued", std::nullopt, "dmn_a");
  for (const char* id : {"run_running", "run_just_done", "run_done", "run_requeued", "run_queued_here", "run_gone"})
    chunks.append(id, 0, "x");
  CHECK(chunks.sweep(10000, 5000) == 3);  // now 10 s, keep 5 s
  std::vector<std::string> left;
  for (const auto& row : s.db.query("SELECT run_id FROM run_output_chunks ORDER BY run_id")) left.push_back(row.text(0));
  CHECK(left == std::vector<std::string>{"run_just_done", "run_queued_here", "run_running"});
}

TEST_CASE("output relay: stores a stream's new bytes at its offsets, then an end row", "[unit][store]") {
  Store s;
  std::atomic<int> announced{0};
  s.bus->subscribe(cluster::kRunOutputChannel, [&](const std::string& id) {
    if (id == "run_r") ++announced;
  });
  s.bus->start();
  Relay r(s, {});
  auto stream = std::make_shared<OutputStream>(1 << 20);
  r.live.push_back({"run_r", stream});
  OutputChunks chunks(s.db);

  r.relay.flush();  // nothing printed yet: no row, no message
  CHECK(s.db.query_one("SELECT COUNT(*) FROM run_output_chunks")->integer(0) == 0);

  const std::string first("one\0\xff\n", 6);
  stream->append(first);
  r.relay.flush();
  CHECK(read_all(chunks, "run_r", 0, 1000) == first);
  stream->append("two\n");
  stream->append("three\n");
  r.relay.flush();
  CHECK(read_all(chunks, "run_r", 0, 1000) == first + "two\nthree\n");
  CHECK(s.db.query_one("SELECT COUNT(*) FROM run_output_chunks")->integer(0) == 2);  // one row per pass

  stream->append("last\n");
  stream->end("timeout", "timed out after 1 s");
  r.live.clear();  // the engine forgets a run once its stream ended
  r.relay.flush();
  const std::uint64_t total = first.size() + 15;
  CHECK(chunks.read("run_r", total - 5, 100).data == "last\n");
  auto end = chunks.read("run_r", total, 100);
  CHECK(end.kind == Kind::Ended);
  CHECK(end.status == "timeout");
  CHECK(end.reason == "timed out after 1 s");
  r.relay.flush();  // ended runs are done with: nothing written twice
  CHECK(s.db.query_one("SELECT COUNT(*) FROM run_output_chunks")->integer(0) == 4);

  // Every stored pass was announced, after its commit. (On PostgreSQL the LISTEN
  // connection comes up in the background and may miss the first ones; the feed test
  // below covers the wake-up there.)
  if (!s.db.is_postgres()) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (announced < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(50ms);
    CHECK(announced == 3);
  }
  s.bus->stop();
}

TEST_CASE("output relay: a run's first pass clears the rows of an earlier attempt", "[unit][store]") {
  Store s;
  OutputChunks chunks(s.db);
  chunks.append("run_again", 0, "old output of attempt 1\n");
  chunks.end("run_again", 24, "interrupted", "");
  Relay r(s, {});
  auto stream = std::make_shared<OutputStream>(1 << 20);
  r.live.push_back({"run_again", stream});
  stream->append("new\n");
  r.relay.flush();
  CHECK(read_all(chunks, "run_again", 0, 100) == "new\n");
  CHECK(chunks.read("run_again", 4, 100).kind == Kind::Nothing);  // the old end row is gone too
}

TEST_CASE("output relay: rows stay bounded to the head and the last window", "[unit][store]") {
  Store s;
  cluster::RelayOptions options;
  options.cap_bytes = 1000;
  options.window_bytes = 4096;
  Relay r(s, options);
  auto stream = std::make_shared<OutputStream>(options.window_bytes);
  r.live.push_back({"run_big", stream});
  std::string all;
  for (int pass = 0; pass < 100; ++pass) {
    std::string piece = all_bytes(4000);
    piece[0] = static_cast<char>('A' + pass % 26);
    stream->append(piece);
    all += piece;
    r.relay.flush();
  }
  OutputChunks chunks(s.db);
  std::int64_t kept = 0;
  for (const auto& row : s.db.query("SELECT data FROM run_output_chunks WHERE run_id = 'run_big'"))
    kept += static_cast<std::int64_t>(row.text(0).size()) * 3 / 4;
  // The head row, the window plus one row of slack, and a quarter window of hysteresis.
  CHECK(kept <= 4000 + 4096 + 64 * 1024 + 1024 + 4000);
  CHECK(kept < static_cast<std::int64_t>(all.size()) / 2);

  // GET run's head is intact; the latest window reads whole; in between readers are told.
  CHECK(chunks.so_far("run_big", 1000).text == all.substr(0, 1000) + OutputBuffer::marker(1000));
  const std::uint64_t recent = all.size() - options.window_bytes;
  CHECK(read_all(chunks, "run_big", recent, 64 * 1024) == all.substr(recent));
  auto middle = chunks.read("run_big", 100000, 100);
  CHECK(middle.kind == Kind::Gap);
  CHECK(middle.next > 100000);
  CHECK(read_all(chunks, "run_big", middle.next, 64 * 1024) == all.substr(middle.next));
}

TEST_CASE("output feed: a watch wakes when the relay announces its run, not another", "[unit][store]") {
  Store s;
  cluster::OutputFeed feed(s.db, *s.bus, 1000);
  s.bus->start();
  Relay r(s, {});
  auto stream = std::make_shared<OutputStream>(1 << 20);
  r.live.push_back({"run_w", stream});
  cluster::OutputFeed::Watch watch(feed, "run_w");
  cluster::OutputFeed::Watch other(feed, "run_other");
  // A PostgreSQL LISTEN connection comes up in the background: announce until one arrives.
  bool woke = false;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!woke && std::chrono::steady_clock::now() < deadline) {
    stream->append("tick\n");
    r.relay.flush();
    woke = watch.wait(200ms);
  }
  CHECK(woke);
  CHECK_FALSE(other.wait(300ms));
  CHECK(feed.read("run_w", 0, 5).data == "tick\n");
  CHECK(feed.so_far("run_w").text.rfind("tick\n", 0) == 0);
  s.bus->stop();
}

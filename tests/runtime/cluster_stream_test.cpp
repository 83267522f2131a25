// Live output and SSE streams across daemons (issue 10): two `steward serve` processes on
// one PostgreSQL database; a run executes on daemon A and its stream and output are read
// on daemon B, with the contract of a local stream (docs/webhooks-and-streams.md).
// PostgreSQL only ([cluster]: registered on the PostgreSQL fixture, tests/CMakeLists.txt).
#include <catch2/catch.hpp>
#include <signal.h>

#include <fstream>
#include <functional>
#include <thread>

#include "tests/support/daemon.hpp"
#include "tests/support/sse_client.hpp"
#include "tests/support/test_database.hpp"

using namespace steward::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Two daemons on one fresh database. A starts first and prints the admin key.
struct Pair {
  TempDir dir;
  std::string url = database_url_for(dir.path() / "shared");
  Daemon a, b;
  explicit Pair(std::vector<std::string> args = {})
      : a(options(args)), b(options(args)) {}
  DaemonOptions options(std::vector<std::string> args) {
    args.insert(args.end(), {"--cluster-lease-s", "3"});
    return DaemonOptions{.data_dir = {}, .extra_args = args, .env = {}, .database = url};
  }
  std::map<std::string, std::string> bearer() const { return {{"Authorization", "Bearer " + a.admin_key()}}; }
  std::string stream_path(const std::string& run_id) const { return "/api/automations/runs/" + run_id + "/stream"; }
  json get_run(const Daemon& d, const std::string& run_id) const {
    auto r = d.api_as(a.admin_key(), "GET", "/api/automations/runs/" + run_id);
    REQUIRE(r.status == 200);
    return r.json();
  }
};

// A script that cannot finish before the test creates `gate` (or 30 s pass): whatever the
// test reads before opening the gate was streamed while the run was still going.
std::string wait_for_gate(const std::filesystem::path& gate) {
  return "for t in $(seq 1 600); do [ -e '" + gate.string() + "' ] && break; sleep 0.05; done; ";
}

void open_gate(const std::filesystem::path& gate) { std::ofstream(gate) << "go"; }

std::string start_on(const Pair& p, const Daemon& d, const std::string& command) {
  auto created = d.api_as(p.a.admin_key(), "POST", "/api/automations",
                          {{"name", "cluster stream"}, {"type", "script"}, {"params", {{"command", command}}}});
  REQUIRE(created.status == 201);
  auto started = d.api_as(p.a.admin_key(), "POST", "/api/automations/" + created.json()["id"].get<std::string>() + "/run");
  REQUIRE(started.status == 200);
  return started.json()["run_id"];
}

struct Received {
  std::string data;
  std::vector<std::string> ids;  // per event
  json end;
  json dropped;
};

// Reads data events until `until(data)` holds (or to the end when it never does). Every
// event's id must be the byte offset after it: `from` (where the reader started) + bytes so far.
Received read_stream(SseClient& c, std::uint64_t from, const std::function<bool(const std::string&)>& until = nullptr) {
  Received r;
  while (auto ev = c.next()) {
    if (ev->type == "end") {
      r.end = json::parse(ev->data);
      return r;
    }
    if (ev->type == "dropped") {
      r.dropped = json::parse(ev->data);
      return r;
    }
    REQUIRE(ev->type.empty());
    r.data += ev->data;
    r.ids.push_back(ev->id);
    CHECK(ev->id == std::to_string(from + r.data.size()));
    if (until && until(r.data)) return r;
  }
  return r;
}

std::string run_status(const Pair& p, const std::string& run_id) { return p.get_run(p.a, run_id)["status"]; }

json wait_until_final(const Pair& p, const Daemon& d, const std::string& run_id) {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  for (;;) {
    json run = p.get_run(d, run_id);
    std::string s = run["status"];
    if (s != "running" && s != "queued" && s != "pending_approval") return run;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(50ms);
  }
}

// Rows relayed for a run, read with psql (the runtime tests do not link the store).
std::int64_t chunk_rows(const Pair& p, const std::string& run_id) {
  auto [code, out] = run_shell("psql '" + p.url + "' -tAc \"SELECT COUNT(*) FROM run_output_chunks WHERE run_id = '" +
                               run_id + "'\" 2>&1");
  REQUIRE(code == 0);
  return std::stoll(out);
}

}  // namespace

TEST_CASE("cluster stream: a run on daemon A streams live on daemon B, resumes there and ends with its status",
          "[runtime][cluster]") {
  Pair p;
  const auto gate = p.dir.path() / "gate";
  std::string run_id = start_on(p, p.a, "for i in 1 2 3; do echo line $i; sleep 0.3; done; " + wait_for_gate(gate) +
                                            "for i in 4 5 6; do echo line $i; sleep 0.3; done");
  const std::string expected = "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n";
  REQUIRE_FALSE(p.a.port() == p.b.port());

  SseClient on_b(p.b.port(), p.stream_path(run_id), p.bearer());
  REQUIRE(on_b.status() == 200);
  // The first three lines reach B while the run is blocked at the gate: streamed live.
  Received first = read_stream(on_b, 0, [](const std::string& d) { return d == "line 1\nline 2\nline 3\n"; });
  REQUIRE(first.data == "line 1\nline 2\nline 3\n");
  CHECK(first.end.is_null());
  CHECK(run_status(p, run_id) == "running");

  // GET on B while it runs on A: status from the store, the output so far from A's relay.
  json live_on_b = p.get_run(p.b, run_id);
  CHECK(live_on_b["status"] == "running");
  CHECK(live_on_b["output"] == "line 1\nline 2\nline 3\n");
  CHECK(live_on_b["output"] == p.get_run(p.a, run_id)["output"]);
  CHECK(chunk_rows(p, run_id) > 0);

  // A second reader on B resumes from the middle of the output (Last-Event-ID), live.
  auto resume_headers = p.bearer();
  resume_headers["Last-Event-ID"] = "9";  // inside "line 2"
  SseClient resumed(p.b.port(), p.stream_path(run_id), resume_headers);
  Received resumed_first = read_stream(resumed, 9, [](const std::string& d) { return d.size() >= 12; });
  CHECK(resumed_first.data == expected.substr(9, 12));
  CHECK(run_status(p, run_id) == "running");

  open_gate(gate);
  Received rest = read_stream(on_b, first.data.size());
  CHECK(first.data + rest.data == expected);
  REQUIRE(rest.end.is_object());
  CHECK(rest.end["status"] == "done");
  CHECK(rest.end["exit_code"] == 0);
  CHECK(rest.end["run_id"] == run_id);
  Received resumed_rest = read_stream(resumed, 9 + resumed_first.data.size());
  CHECK(resumed_first.data + resumed_rest.data == expected.substr(9));
  CHECK(resumed_rest.end["status"] == "done");

  // The bytes streamed on B are the output A stored.
  json stored = wait_until_final(p, p.a, run_id);
  CHECK(stored["output"] == expected);
  CHECK(p.get_run(p.b, run_id)["output"] == expected);

  // Opened on B after the end: the stored output, then the end; a resume from its middle.
  SseClient after(p.b.port(), p.stream_path(run_id), p.bearer());
  Received whole = read_stream(after, 0);
  CHECK(whole.data == expected);
  CHECK(whole.end["status"] == "done");
  SseClient after_resume(p.b.port(), p.stream_path(run_id) + "?last_event_id=14", p.bearer());
  Received tail = read_stream(after_resume, 14);
  CHECK(tail.data == expected.substr(14));
  CHECK(tail.end["status"] == "done");

  // The relayed rows go once followers had their tail: nothing accumulates.
  auto deadline = std::chrono::steady_clock::now() + 40s;
  while (chunk_rows(p, run_id) > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(250ms);
  CHECK(chunk_rows(p, run_id) == 0);
}

TEST_CASE("cluster stream: NUL bytes and invalid UTF-8 reach daemon B exactly as A streams them", "[runtime][cluster]") {
  Pair p;
  const auto gate = p.dir.path() / "gate";
  // printf's octal escapes: a NUL, a lone 0xff, a truncated two-byte sequence (0xc3).
  std::string run_id = start_on(p, p.a, "printf 'a\\000b\\377c\\n\\303(\\n'; " + wait_for_gate(gate) + "echo done");
  const std::string expected("a\0b\xff" "c\n\xc3(\n", 9);

  SseClient on_a(p.a.port(), p.stream_path(run_id), p.bearer());
  SseClient on_b(p.b.port(), p.stream_path(run_id), p.bearer());
  auto enough = [&](const std::string& d) { return d.size() >= expected.size(); };
  Received from_a = read_stream(on_a, 0, enough);
  Received from_b = read_stream(on_b, 0, enough);
  CHECK(from_a.data == expected);
  CHECK(from_b.data == expected);
  CHECK(from_b.end.is_null());  // live: the run waits at the gate
  open_gate(gate);
  Received rest_a = read_stream(on_a, from_a.data.size());
  Received rest_b = read_stream(on_b, from_b.data.size());
  CHECK(rest_b.data == rest_a.data);
  CHECK(rest_b.data == "done\n");
  CHECK(rest_b.end["status"] == "done");
  CHECK(rest_a.end["status"] == "done");
}

TEST_CASE("cluster stream: past output_cap_bytes B streams every byte and shows the capped output as A does",
          "[runtime][cluster]") {
  Pair p({"--output-cap-bytes", "1024"});
  const auto gate = p.dir.path() / "gate";
  std::string run_id =
      start_on(p, p.a, "printf 'x%.0s' $(seq 1 3000); echo; " + wait_for_gate(gate) + "echo tail");
  const std::string head = std::string(3000, 'x') + "\n";

  SseClient on_b(p.b.port(), p.stream_path(run_id), p.bearer());
  Received first = read_stream(on_b, 0, [&](const std::string& d) { return d.size() >= head.size(); });
  CHECK(first.data == head);  // the stream carries more than the store keeps, as on A

  json on_a = p.get_run(p.a, run_id);
  json on_b_run = p.get_run(p.b, run_id);
  CHECK(on_b_run["status"] == "running");
  CHECK(on_b_run["output_truncated"] == true);
  CHECK(on_b_run["output"] == on_a["output"]);
  CHECK(on_b_run["output"].get<std::string>().rfind(std::string(1024, 'x') + "\n[steward: output truncated", 0) == 0);

  open_gate(gate);
  Received rest = read_stream(on_b, first.data.size());
  CHECK(rest.data == "tail\n");
  CHECK(rest.end["status"] == "done");
  json stored = wait_until_final(p, p.a, run_id);
  CHECK(stored["output"] == on_b_run["output"]);

  // After the end a resume is served from the store on B as on A: past the stored output,
  // nothing but the end.
  for (const Daemon* d : {&p.a, &p.b}) {
    SseClient late(d->port(), p.stream_path(run_id) + "?last_event_id=2000", p.bearer());
    Received r = read_stream(late, 2000);
    CHECK(r.data.empty());
    CHECK(r.end["status"] == "done");
  }
}

TEST_CASE("cluster stream: a reader on B gets the end when daemon A dies during the run", "[runtime][cluster]") {
  Pair p;
  const auto gate = p.dir.path() / "gate";
  std::string run_id = start_on(p, p.a, "echo before; " + wait_for_gate(gate) + "echo after");
  SseClient on_b(p.b.port(), p.stream_path(run_id), p.bearer());
  Received first = read_stream(on_b, 0, [](const std::string& d) { return d == "before\n"; });
  REQUIRE(first.data == "before\n");

  p.a.stop(SIGKILL);
  // B reaps A once its lease (3 s) ran out and settles the run; the reader then gets the end.
  Received rest = read_stream(on_b, first.data.size());
  open_gate(gate);  // let the orphaned script exit
  CHECK(rest.data.empty());
  REQUIRE(rest.end.is_object());
  CHECK(rest.end["status"] == "interrupted");
  CHECK(p.get_run(p.b, run_id)["status"] == "interrupted");
}

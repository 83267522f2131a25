// The live log stream (SSE) against a real daemon: output arrives while the script still
// runs, Last-Event-ID resumes exactly, ?token= works for EventSource, the end event carries
// the status, and `steward runs tail` follows a run to its end.
#include <catch2/catch.hpp>
#include <thread>

#include "tests/support/daemon.hpp"
#include "tests/support/sse_client.hpp"

using namespace steward::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string start_script(const Daemon& d, const std::string& command) {
  auto created = d.api("POST", "/api/automations", {{"name", "stream"}, {"type", "script"}, {"params", {{"command", command}}}});
  REQUIRE(created.status == 201);
  auto started = d.api("POST", "/api/automations/" + created.json()["id"].get<std::string>() + "/run");
  REQUIRE(started.status == 200);
  return started.json()["run_id"];
}

std::map<std::string, std::string> bearer(const Daemon& d) { return {{"Authorization", "Bearer " + d.admin_key()}}; }

// Reads every event to the end; returns the concatenated output and the end event.
std::pair<std::string, json> read_all(SseClient& c, std::string* last_id = nullptr) {
  std::string out;
  while (auto ev = c.next()) {
    if (ev->type == "end") return {out, json::parse(ev->data)};
    REQUIRE(ev->type.empty());
    out += ev->data;
    if (last_id) *last_id = ev->id;
  }
  FAIL("the stream closed without an end event");
  return {};
}

}  // namespace

TEST_CASE("stream: lines arrive as the script prints them, then an end event with the status", "[runtime][stream]") {
  Daemon d;
  std::string run_id = start_script(d, "for i in 1 2 3; do echo line $i; sleep 0.4; done; exit 3");
  SseClient c(d.port(), "/api/automations/runs/" + run_id + "/stream", bearer(d));
  REQUIRE(c.status() == 200);
  CHECK(c.content_type() == "text/event-stream");

  std::string out;
  std::vector<std::chrono::steady_clock::time_point> arrivals;
  json end;
  while (auto ev = c.next()) {
    if (ev->type == "end") {
      end = json::parse(ev->data);
      break;
    }
    out += ev->data;
    arrivals.push_back(ev->arrived);
    CHECK(std::stoull(ev->id) == out.size());  // the id is the byte offset after this event
  }
  CHECK(out == "line 1\nline 2\nline 3\n");
  REQUIRE(arrivals.size() >= 2);
  CHECK(arrivals.back() - arrivals.front() >= 500ms);  // streamed while running, not at the end
  CHECK(end["status"] == "failed");
  CHECK(end["exit_code"] == 3);
  CHECK(end["run_id"] == run_id);
}

TEST_CASE("stream: reconnecting with Last-Event-ID resumes with no gap and no repeat", "[runtime][stream]") {
  Daemon d;
  std::string run_id = start_script(d, "for i in $(seq 1 6); do echo chunk-$i; sleep 0.2; done");
  std::string first_part, last_id;
  {
    SseClient c(d.port(), "/api/automations/runs/" + run_id + "/stream", bearer(d));
    auto ev = c.next();
    REQUIRE(ev);
    first_part = ev->data;
    last_id = ev->id;
  }  // the client leaves mid-run
  auto headers = bearer(d);
  headers["Last-Event-ID"] = last_id;
  SseClient again(d.port(), "/api/automations/runs/" + run_id + "/stream", headers);
  auto [rest, end] = read_all(again);
  CHECK(end["status"] == "done");
  std::string expected;
  for (int i = 1; i <= 6; ++i) expected += "chunk-" + std::to_string(i) + "\n";
  CHECK(first_part + rest == expected);

  // After the run, a resume is served from the store: the same bytes from the same offset.
  SseClient later(d.port(), "/api/automations/runs/" + run_id + "/stream?last_event_id=" + last_id, bearer(d));
  auto [stored_rest, stored_end] = read_all(later);
  CHECK(stored_rest == rest);
  CHECK(stored_end["status"] == "done");
}

TEST_CASE("stream: ?token= authenticates EventSource clients, and bad requests get JSON errors", "[runtime][stream]") {
  Daemon d;
  std::string run_id = start_script(d, "echo hi");
  SseClient with_token(d.port(), "/api/automations/runs/" + run_id + "/stream?token=" + d.admin_key());
  REQUIRE(with_token.status() == 200);
  auto [out, end] = read_all(with_token);
  CHECK(out == "hi\n");

  CHECK(http(d.port(), "GET", "/api/automations/runs/" + run_id + "/stream").status == 401);
  CHECK(http(d.port(), "GET", "/api/automations/runs/" + run_id + "/stream?token=stw_wrong").status == 401);
  // ?token= is for the stream only: other routes still want the header.
  CHECK(http(d.port(), "GET", "/api/automations/runs/" + run_id + "?token=" + d.admin_key()).status == 401);
  auto missing = http(d.port(), "GET", "/api/automations/runs/run_nope/stream", "", bearer(d));
  CHECK(missing.status == 404);
  CHECK(missing.json()["error"]["code"] == "not_found");
  auto headers = bearer(d);
  headers["Last-Event-ID"] = "-5";
  auto bad = http(d.port(), "GET", "/api/automations/runs/" + run_id + "/stream", "", headers);
  CHECK(bad.status == 400);
  CHECK(bad.json()["error"]["field"] == "Last-Event-ID");
}

TEST_CASE("stream: many subscribers on one run each get every byte", "[runtime][stream]") {
  Daemon d;
  std::string run_id = start_script(d, "sleep 0.5; for i in $(seq 1 2000); do echo \"line $i of the output\"; done");
  std::vector<std::unique_ptr<SseClient>> clients;
  for (int i = 0; i < 10; ++i)
    clients.push_back(std::make_unique<SseClient>(d.port(), "/api/automations/runs/" + run_id + "/stream", bearer(d)));
  std::string expected;
  for (int i = 1; i <= 2000; ++i) expected += "line " + std::to_string(i) + " of the output\n";
  for (auto& c : clients) {
    auto [out, end] = read_all(*c);
    CHECK(out == expected);
    CHECK(end["status"] == "done");
  }
}

TEST_CASE("stream: a run waiting for approval streams once it is approved", "[runtime][stream]") {
  Daemon d;
  auto created = d.api("POST", "/api/automations", {{"name", "gated"}, {"type", "script"},
                                                     {"params", {{"command", "echo approved-output"}}},
                                                     {"approval", {{"required", true}}}});
  REQUIRE(created.status == 201);
  auto started = d.api("POST", "/api/automations/" + created.json()["id"].get<std::string>() + "/run").json();
  REQUIRE(started["status"] == "pending_approval");
  std::string run_id = started["run_id"];
  std::string approval_id = started["approval_id"];
  // Someone other than the requester approves (a requester cannot approve their own run).
  auto made = run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", "full-access", "--name", "approver"});
  REQUIRE(made.exit_code == 0);
  const std::string approver_key = last_line(made.out);
  std::thread approver([&] {
    std::this_thread::sleep_for(700ms);
    d.api_as(approver_key, "POST", "/api/approvals/" + approval_id + "/approve", {{"comment", "ok"}});
  });
  SseClient c(d.port(), "/api/automations/runs/" + run_id + "/stream", bearer(d));
  auto [out, end] = read_all(c);
  approver.join();
  CHECK(out == "approved-output\n");
  CHECK(end["status"] == "done");
}

TEST_CASE("runs tail: the CLI prints the output as it comes and exits with the run", "[runtime][stream]") {
  Daemon d;
  std::string ok_run = start_script(d, "echo one; sleep 0.3; echo two");
  auto tail = run_steward({"runs", "tail", ok_run, "--url", "http://127.0.0.1:" + std::to_string(d.port())},
                          {{"STEWARD_API_KEY", d.admin_key()}});
  CHECK(tail.exit_code == 0);
  CHECK(tail.out == "one\ntwo\n");
  CHECK(tail.err.find("run ended: done") != std::string::npos);

  std::string bad_run = start_script(d, "echo oops; exit 2");
  auto failed = run_steward({"runs", "tail", bad_run, "--url", "http://127.0.0.1:" + std::to_string(d.port()),
                             "--key", d.admin_key()});
  CHECK(failed.exit_code == 1);
  CHECK(failed.out == "oops\n");

  auto no_key = run_steward({"runs", "tail", bad_run, "--url", "http://127.0.0.1:" + std::to_string(d.port())});
  CHECK(no_key.exit_code == 2);
  CHECK(no_key.err.find("API key") != std::string::npos);
}

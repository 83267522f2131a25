// The run engine in-process, with the real bash/script/sequence plugins and a real SQLite file.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "core/automations/automation_store.hpp"
#include "core/runs/output_buffer.hpp"
#include "core/runs/run_engine.hpp"
#include "core/util/clock.hpp"
#include "core/util/ids.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct Fixture {
  explicit Fixture(EngineOptions options = {}) : db(dir.path(), test::database_url_for(dir.path())), automations(db), runs(db) {
    registry.load_directory(STEWARD_PLUGIN_BUILD_DIR);
    engine = std::make_unique<RunEngine>(runs, registry, options);
  }
  Automation automation(const std::string& type, json params, std::int64_t timeout_s = 60) {
    Automation a;
    a.id = new_id("auto");
    a.name = "test";
    a.type = type;
    a.params = std::move(params);
    a.timeout_s = timeout_s;
    a.created_ms = a.updated_ms = now_ms();
    automations.insert(a);
    return a;
  }
  Automation script(const std::string& command, std::int64_t timeout_s = 60) {
    return automation("script", {{"command", command}}, timeout_s);
  }
  RunRecord run_to_end(const Automation& a) {
    auto r = engine->submit(a, "manual", "tester");
    REQUIRE(engine->wait(r.id, 60s));
    return *runs.get(r.id);
  }

  test::TempDir dir;
  store::Database db;
  AutomationStore automations;
  RunStore runs;
  PluginRegistry registry;
  std::unique_ptr<RunEngine> engine;
};

// A zombie counts as dead: orphans are reparented to a PID 1 that may not reap them here.
bool process_alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, comm, state;
  if (!(stat >> pid_field >> comm >> state)) return false;
  return state != "Z" && state != "X";
}

}  // namespace

TEST_CASE("a successful run stores output, exit code, times and the automation's last status", "[unit][engine]") {
  Fixture f;
  auto a = f.script("echo out; echo err >&2; printf 'no newline'");
  auto r = f.run_to_end(a);
  CHECK(r.status == "done");
  CHECK(r.reason.empty());
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("out\n") != std::string::npos);
  CHECK(r.output.find("err\n") != std::string::npos);
  CHECK(r.output.find("no newline") != std::string::npos);
  CHECK(r.started_ms.has_value());
  CHECK(*r.finished_ms >= *r.started_ms);
  CHECK(r.trigger == "manual");
  CHECK(r.requested_by == "tester");
  auto stored = f.automations.get(a.id);
  CHECK(stored->last_status == "done");
  CHECK(stored->last_run_ms.has_value());
}

TEST_CASE("a non-zero exit fails the run with the exit code as reason", "[unit][engine]") {
  Fixture f;
  auto r = f.run_to_end(f.script("echo partial; exit 3"));
  CHECK(r.status == "failed");
  CHECK(r.exit_code == 3);
  CHECK(r.reason == "exit code 3");
  CHECK(r.output == "partial\n");
}

TEST_CASE("env and cwd reach the command", "[unit][engine]") {
  Fixture f;
  auto a = f.automation("script", {{"command", "echo \"$GREETING\"; pwd"}, {"env", {{"GREETING", "hi there"}}}, {"cwd", "/tmp"}});
  auto r = f.run_to_end(a);
  CHECK(r.status == "done");
  CHECK(r.output == "hi there\n/tmp\n");
  auto bad_cwd = f.run_to_end(f.automation("script", {{"command", "true"}, {"cwd", "/no/such/dir"}}));
  CHECK(bad_cwd.status == "failed");
  CHECK(bad_cwd.reason.find("/no/such/dir") != std::string::npos);
}

TEST_CASE("a timeout stops the whole process group", "[unit][engine]") {
  Fixture f;
  auto pidfile = (f.dir.path() / "child.pid").string();
  // The background sleep is a grandchild: only killing the group stops it.
  auto a = f.script("sleep 300 & echo $! > " + pidfile + "; echo started; wait", 1);
  auto begun = std::chrono::steady_clock::now();
  auto r = f.run_to_end(a);
  auto took = std::chrono::steady_clock::now() - begun;
  CHECK(r.status == "timeout");
  CHECK(r.reason == "timed out after 1 s");
  CHECK(r.output.find("started") != std::string::npos);
  CHECK(took < 10s);
  pid_t child = 0;
  std::ifstream(pidfile) >> child;
  REQUIRE(child > 0);
  std::this_thread::sleep_for(100ms);
  CHECK_FALSE(process_alive(child));
}

TEST_CASE("a command that ignores SIGTERM is killed after the grace", "[unit][engine]") {
  Fixture f;
  auto r = f.run_to_end(f.script("trap '' TERM; echo ready; sleep 300 & wait; sleep 300", 1));
  CHECK(r.status == "timeout");
}

TEST_CASE("output beyond the cap is truncated with a marker", "[unit][engine]") {
  Fixture f(EngineOptions{4, 4096});
  auto r = f.run_to_end(f.script("head -c 100000 /dev/zero | tr '\\0' 'x'; echo; echo after"));
  CHECK(r.status == "done");  // the command itself is not disturbed by the cap
  CHECK(r.output_truncated);
  CHECK(r.output.size() == 4096 + OutputBuffer::marker(4096).size());
  CHECK(r.output.substr(0, 4096) == std::string(4096, 'x'));
  CHECK(r.output.find("truncated") != std::string::npos);
}

TEST_CASE("with all workers busy a run is queued, then runs", "[unit][engine]") {
  Fixture f(EngineOptions{1, 1 << 20});
  auto slow = f.engine->submit(f.script("sleep 0.5; echo first"), "manual", "t");
  auto next = f.engine->submit(f.script("echo second"), "manual", "t");
  CHECK(slow.status == "running");
  CHECK(next.status == "queued");
  CHECK(f.runs.get(next.id)->status == "queued");
  REQUIRE(f.engine->wait(next.id, 30s));
  auto a = *f.runs.get(slow.id), b = *f.runs.get(next.id);
  CHECK(a.status == "done");
  CHECK(b.status == "done");
  CHECK(*b.started_ms >= *a.finished_ms - 5);
}

TEST_CASE("cancel stops a running run and a queued one", "[unit][engine]") {
  Fixture f(EngineOptions{1, 1 << 20});
  auto running = f.engine->submit(f.script("echo go; sleep 300"), "manual", "t");
  auto queued = f.engine->submit(f.script("echo never"), "manual", "t");
  std::this_thread::sleep_for(200ms);
  CHECK(f.engine->cancel(queued.id, "bob"));
  CHECK(f.engine->cancel(running.id, "alice"));
  REQUIRE(f.engine->wait(running.id, 30s));
  REQUIRE(f.engine->wait(queued.id, 30s));
  auto r1 = *f.runs.get(running.id), r2 = *f.runs.get(queued.id);
  CHECK(r1.status == "cancelled");
  CHECK(r1.reason == "cancelled by alice");
  CHECK(r2.status == "cancelled");
  CHECK(r2.output.empty());
  CHECK_FALSE(f.engine->cancel(running.id, "x"));  // no longer active
}

TEST_CASE("a sequence stops at a failing step unless it may continue", "[unit][engine]") {
  Fixture f;
  auto stops = f.automation("sequence", {{"steps",
                                          {{{"tool", "bash"}, {"args", {{"command", "echo one"}}}},
                                           {{"tool", "bash"}, {"args", {{"command", "exit 4"}}}, {"name", "breaks"}},
                                           {{"tool", "bash"}, {"args", {{"command", "echo three"}}}}}}});
  auto r = f.run_to_end(stops);
  CHECK(r.status == "failed");
  CHECK(r.reason == "step 2 (bash): exit code 4");
  CHECK(r.steps.size() == 2);
  CHECK(r.steps[1]["name"] == "breaks");
  CHECK(r.output.find("three") == std::string::npos);

  auto goes_on = f.automation("sequence", {{"steps",
                                            {{{"tool", "bash"}, {"args", {{"command", "exit 4"}}}, {"continue_on_error", true}},
                                             {{"tool", "bash"}, {"args", {{"command", "echo three"}}}}}}});
  auto r2 = f.run_to_end(goes_on);
  CHECK(r2.status == "done");
  REQUIRE(r2.steps.size() == 2);
  CHECK(r2.steps[0]["status"] == "failed");
  CHECK(r2.steps[0]["exit_code"] == 4);
  CHECK(r2.steps[1]["status"] == "done");
  CHECK(r2.output.find("three") != std::string::npos);
}

TEST_CASE("a run whose plan no longer works is stored failed with the reason", "[unit][engine]") {
  Fixture f;
  auto a = f.automation("gone_type", json::object());
  auto r = f.engine->submit(a, "manual", "t");
  CHECK(r.status == "failed");
  CHECK(r.reason.find("gone_type") != std::string::npos);
  CHECK(f.runs.get(r.id)->status == "failed");
}

TEST_CASE("shutdown lets short runs finish and interrupts long ones, nothing stays running", "[unit][engine]") {
  Fixture f(EngineOptions{2, 1 << 20});
  auto quick = f.engine->submit(f.script("sleep 0.3; echo finished"), "manual", "t");
  auto slow = f.engine->submit(f.script("echo begun; sleep 300"), "manual", "t");
  auto waiting = f.engine->submit(f.script("echo never"), "manual", "t");
  std::this_thread::sleep_for(100ms);
  f.engine->shutdown(1s, 10s);
  CHECK(f.runs.get(quick.id)->status == "done");
  auto s = *f.runs.get(slow.id);
  CHECK(s.status == "interrupted");
  CHECK(s.output.find("begun") != std::string::npos);
  CHECK(f.runs.get(waiting.id)->status == "interrupted");
  CHECK(f.db.query("SELECT COUNT(*) FROM runs WHERE status IN ('running','queued')")[0].integer(0) == 0);
  CHECK_THROWS_AS(f.engine->submit(f.script("true"), "manual", "t"), EngineStopped);
}

TEST_CASE("runs left running by a crash become interrupted at start", "[unit][engine]") {
  Fixture f;
  auto a = f.script("true");
  RunRecord r;
  r.id = new_id("run");
  r.automation_id = a.id;
  r.trigger = "manual";
  r.status = "running";
  r.created_ms = now_ms();
  r.started_ms = r.created_ms;
  f.runs.insert(r);
  CHECK(f.runs.interrupt_unfinished("crash") == 1);
  CHECK(f.runs.get(r.id)->status == "interrupted");
  CHECK(f.runs.get(r.id)->reason == "crash");
  CHECK(f.automations.get(a.id)->last_status == "interrupted");
}

TEST_CASE("the shell is bash by default, sh on request", "[unit][engine]") {
  Fixture f;
  CHECK(f.run_to_end(f.automation("script", {{"command", "echo $0"}})).output == "/bin/bash\n");
  CHECK(f.run_to_end(f.automation("script", {{"command", "echo $0"}, {"shell", "sh"}})).output == "/bin/sh\n");
}

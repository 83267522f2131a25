// The metrics registry's text format, the daemon's metric set, the HTTP edge's counting by
// route pattern, the run engine's counting of ended runs, JSON log lines with request ids,
// and the two settings (log_format, metrics_public).
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "api/dispatcher.hpp"
#include "app/settings.hpp"
#include "core/automations/automation_store.hpp"
#include "core/metrics/metrics.hpp"
#include "core/metrics/steward_metrics.hpp"
#include "core/runs/run_engine.hpp"
#include "core/util/clock.hpp"
#include "core/util/ids.hpp"
#include "core/util/log.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {
bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}
}  // namespace

TEST_CASE("metrics: counters render HELP, TYPE and one escaped line per label set", "[unit][metrics]") {
  metrics::Registry r;
  auto& c = r.counter("demo_events_total", "Events seen.\nSecond line \\ here", {"kind", "code"});
  c.inc({"a", "200"});
  c.inc({"a", "200"}, 2);
  c.inc({"quote\"back\\slash\nnl", "500"});
  auto& plain = r.counter("demo_plain_total", "No labels");
  std::string text = r.render();
  CHECK(has_line(text, "# HELP demo_events_total Events seen.\\nSecond line \\\\ here"));
  CHECK(has_line(text, "# TYPE demo_events_total counter"));
  CHECK(has_line(text, "demo_events_total{kind=\"a\",code=\"200\"} 3"));
  CHECK(has_line(text, "demo_events_total{kind=\"quote\\\"back\\\\slash\\nnl\",code=\"500\"} 1"));
  // An unlabelled counter is shown at 0 before its first event; labelled ones appear when used.
  CHECK(has_line(text, "demo_plain_total 0"));
  CHECK(c.value({"a", "200"}) == 3);
  CHECK(c.value({"b", "200"}) == 0);
  plain.inc();
  CHECK(has_line(r.render(), "demo_plain_total 1"));
  // Families keep their registration order and the text ends with a newline.
  CHECK(text.find("demo_events_total") < text.find("demo_plain_total"));
  CHECK(text.back() == '\n');
}

TEST_CASE("metrics: misuse is refused with the metric's name", "[unit][metrics]") {
  metrics::Registry r;
  auto& c = r.counter("demo_total", "x", {"a"});
  CHECK_THROWS_WITH(r.gauge("demo_total", "again"), Catch::Contains("demo_total") && Catch::Contains("twice"));
  CHECK_THROWS_WITH(c.inc({}), Catch::Contains("demo_total takes 1 label value(s), got 0"));
  CHECK_THROWS_WITH(c.inc({"x"}, -1), Catch::Contains("only goes up"));
  CHECK_THROWS_AS(r.counter("bad-name", "x"), std::invalid_argument);
  CHECK_THROWS_AS(r.counter("ok_name", "x", {"le"}), std::invalid_argument);
  CHECK_THROWS_AS(r.counter("ok_name2", "x", {"__reserved"}), std::invalid_argument);
  CHECK_THROWS_AS(r.histogram("h_seconds", "x", {}, {1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(r.histogram("h2_seconds", "x", {}, {}), std::invalid_argument);
}

TEST_CASE("metrics: gauges hold set values or ask their callback at every scrape", "[unit][metrics]") {
  metrics::Registry r;
  auto& g = r.gauge("demo_level", "A level", {"side"});
  g.set({"left"}, 2.5);
  g.set({"left"}, -1);
  std::string text = r.render();
  CHECK(has_line(text, "# TYPE demo_level gauge"));
  CHECK(has_line(text, "demo_level{side=\"left\"} -1"));

  int depth = 4;
  auto& q = r.gauge("demo_depth", "Depth");
  q.collect_with([&depth] { return std::vector<metrics::Gauge::Sample>{{{}, static_cast<double>(depth)}}; });
  CHECK(has_line(r.render(), "demo_depth 4"));
  depth = 9;
  CHECK(has_line(r.render(), "demo_depth 9"));
}

TEST_CASE("metrics: a histogram renders cumulative buckets, +Inf, sum and count", "[unit][metrics]") {
  metrics::Registry r;
  auto& h = r.histogram("demo_duration_seconds", "Durations", {"status"}, {0.25, 0.5, 1});
  h.observe({"done"}, 0.25);  // on a bound: counted in that bucket (le is <=)
  h.observe({"done"}, 0.75);
  h.observe({"done"}, 30);
  auto& empty = r.histogram("demo_lag_seconds", "Lag", {}, {1});
  (void)empty;
  std::string text = r.render();
  CHECK(has_line(text, "# TYPE demo_duration_seconds histogram"));
  CHECK(has_line(text, "demo_duration_seconds_bucket{status=\"done\",le=\"0.25\"} 1"));
  CHECK(has_line(text, "demo_duration_seconds_bucket{status=\"done\",le=\"0.5\"} 1"));
  CHECK(has_line(text, "demo_duration_seconds_bucket{status=\"done\",le=\"1\"} 2"));
  CHECK(has_line(text, "demo_duration_seconds_bucket{status=\"done\",le=\"+Inf\"} 3"));
  CHECK(has_line(text, "demo_duration_seconds_sum{status=\"done\"} 31"));
  CHECK(has_line(text, "demo_duration_seconds_count{status=\"done\"} 3"));
  // Unlabelled and never observed: all zero, so the series exists from the start.
  CHECK(has_line(text, "demo_lag_seconds_bucket{le=\"+Inf\"} 0"));
  CHECK(has_line(text, "demo_lag_seconds_count 0"));
  CHECK(h.count({"done"}) == 3);
}

TEST_CASE("metrics: numbers use the Prometheus syntax", "[unit][metrics]") {
  CHECK(metrics::format_value(3) == "3");
  CHECK(metrics::format_value(-2) == "-2");
  CHECK(metrics::format_value(0.1) == "0.1");
  CHECK(metrics::format_value(1e300) == "1e+300");
  CHECK(metrics::format_value(0.005) == "0.005");
  CHECK(metrics::format_value(1.0 / 0.0) == "+Inf");
  CHECK(metrics::format_value(-1.0 / 0.0) == "-Inf");
  CHECK(metrics::format_value(std::nan("")) == "NaN");
}

TEST_CASE("metrics: counting is thread-safe", "[unit][metrics]") {
  metrics::Registry r;
  auto& c = r.counter("demo_total", "x", {"t"});
  auto& h = r.histogram("demo_seconds", "x", {}, {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.inc({"x"});
        h.observe(0.5);
        if (i % 1000 == 0) (void)r.render();
      }
    });
  for (auto& t : threads) t.join();
  CHECK(c.value({"x"}) == 40000);
  CHECK(h.count() == 40000);
}

TEST_CASE("metrics: the daemon's set counts ended runs and observes durations only of started runs",
          "[unit][metrics]") {
  StewardMetrics m("1.2.3");
  RunRecord done = new_run("auto_x", "schedule", "scheduler");
  done.status = run_status::kDone;
  done.started_ms = 1000;
  done.finished_ms = 3500;
  m.run_ended(done);
  RunRecord skipped = new_run("auto_x", "webhook", "hook");
  skipped.status = run_status::kSkipped;
  skipped.finished_ms = skipped.created_ms;
  m.run_ended(skipped);

  CHECK(m.runs.value({"done", "schedule"}) == 1);
  CHECK(m.runs.value({"skipped", "webhook"}) == 1);
  CHECK(m.run_duration.count({"done"}) == 1);
  CHECK(m.run_duration.sum({"done"}) == 2.5);
  CHECK(m.run_duration.count({"skipped"}) == 0);

  m.scheduler_fired(0.25);
  m.scheduler_fired(-3);  // a clock step: never a negative lag
  CHECK(m.scheduler_lag.count() == 2);
  CHECK(m.scheduler_last_lag.value() == 0);

  std::string text = m.render();
  CHECK(has_line(text, "steward_build_info{version=\"1.2.3\"} 1"));
  CHECK(text.find("steward_start_time_seconds ") != std::string::npos);
  CHECK(method_label("GET") == "GET");
  CHECK(method_label("BREW") == "other");
}

TEST_CASE("metrics: the dispatcher counts requests by route pattern, never by raw path", "[unit][metrics]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  KeyStore keys(db);
  StewardMetrics m("test");
  api::Router router;
  router.add("POST", "/hooks/{token}", api::Access::open(), [](api::Request&) { return api::Response::json(202, {}); });
  router.add("GET", "/secret", api::Access::needs(Permission::History),
             [](api::Request&) { return api::Response::json(200, {}); });
  api::Dispatcher dispatcher(router, keys, nullptr, &m);

  auto call = [&](const std::string& method, const std::string& path) {
    api::Request req;
    req.method = method;
    req.path = path;
    req.request_id = "req1";
    return dispatcher.dispatch(req).status;
  };
  CHECK(call("POST", "/hooks/whk_supersecrettoken") == 202);
  CHECK(call("POST", "/hooks/whk_other") == 202);
  CHECK(call("GET", "/secret") == 401);
  CHECK(call("GET", "/nowhere/whk_leak") == 404);
  CHECK(call("BREW", "/secret") == 405);

  CHECK(m.http_requests.value({"POST", "/hooks/{token}", "202"}) == 2);
  CHECK(m.http_requests.value({"GET", "/secret", "401"}) == 1);
  CHECK(m.http_requests.value({"GET", "unmatched", "404"}) == 1);
  CHECK(m.http_requests.value({"other", "unmatched", "405"}) == 1);
  CHECK(m.http_duration.count({"POST", "/hooks/{token}"}) == 2);
  std::string text = m.render();
  CHECK(text.find("whk_") == std::string::npos);
  CHECK(text.find("/nowhere") == std::string::npos);
}

TEST_CASE("metrics: the engine counts every run it ends, by status and trigger", "[unit][metrics]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  AutomationStore automations(db);
  RunStore runs(db);
  PluginRegistry registry;
  registry.load_directory(STEWARD_PLUGIN_BUILD_DIR);
  StewardMetrics m("test");
  RunEngine engine(runs, registry, EngineOptions{1, 1 << 16});
  engine.set_metrics(&m);

  auto automation = [&](const std::string& type, json params) {
    Automation a;
    a.id = new_id("auto");
    a.name = "m";
    a.type = type;
    a.params = std::move(params);
    a.timeout_s = 60;
    a.created_ms = a.updated_ms = now_ms();
    automations.insert(a);
    return a;
  };
  auto ok = engine.submit(automation("script", {{"command", "sleep 0.3"}}), "manual", "t");
  auto queued = engine.submit(automation("script", {{"command", "exit 3"}}), "api", "t");
  // One worker: the second run waits, and the engine reports it as queued.
  CHECK(engine.load().running == 1);
  CHECK(engine.load().queued == 1);
  auto unplannable = engine.submit(automation("no_such_type", json::object()), "schedule", "t");
  CHECK(unplannable.status == run_status::kFailed);
  REQUIRE(engine.wait(ok.id, 30s));
  REQUIRE(engine.wait(queued.id, 30s));
  CHECK(engine.load().running == 0);
  CHECK(engine.load().queued == 0);

  CHECK(m.runs.value({"done", "manual"}) == 1);
  CHECK(m.runs.value({"failed", "api"}) == 1);
  CHECK(m.runs.value({"failed", "schedule"}) == 1);
  CHECK(m.run_duration.count({"done"}) == 1);
  CHECK(m.run_duration.sum({"done"}) >= 0.25);
}

TEST_CASE("logs: JSON lines carry ts, level, component, message and the request id when set", "[unit][metrics]") {
  auto line = json::parse(format_log_line(LogFormat::Json, "2026-01-02T03:04:05.006Z", LogLevel::Warning, "api",
                                          "say \"hi\"\nnext", ""));
  CHECK(line == json{{"ts", "2026-01-02T03:04:05.006Z"},
                     {"level", "warning"},
                     {"component", "api"},
                     {"message", "say \"hi\"\nnext"}});
  // Keys in a fixed order, one line.
  std::string text = format_log_line(LogFormat::Json, "T", LogLevel::Info, "c", "m", "req42");
  CHECK(text == R"({"ts":"T","level":"info","component":"c","message":"m","request_id":"req42"})");
  // Bytes that are not UTF-8 (a tool's output) are replaced, never thrown on.
  CHECK_NOTHROW(json::parse(format_log_line(LogFormat::Json, "T", LogLevel::Error, "c", "bad \xff byte", "")));
  // The text format is unchanged.
  CHECK(format_log_line(LogFormat::Text, "T", LogLevel::Error, "runs", "m", "req42") == "T ERROR [runs] m");

  CHECK(log_request_id().empty());
  {
    LogRequestScope outer("r1");
    CHECK(log_request_id() == "r1");
    {
      LogRequestScope inner("r2");
      CHECK(log_request_id() == "r2");
    }
    CHECK(log_request_id() == "r1");
    std::string other_thread = "unset";
    std::thread([&] { other_thread = log_request_id(); }).join();
    CHECK(other_thread.empty());  // thread-local: another thread's lines carry no id
  }
  CHECK(log_request_id().empty());
}

TEST_CASE("settings: log_format is text or json, metrics_public a boolean", "[unit][metrics]") {
  auto d = app::resolve_settings("", {}, {});
  CHECK(d.log_format == "text");
  CHECK(d.metrics_public == false);
  auto j = app::resolve_settings("", {{"STEWARD_LOG_FORMAT", "json"}}, {{"metrics_public", "true"}});
  CHECK(j.log_format == "json");
  CHECK(j.metrics_public == true);
  CHECK_THROWS_WITH(app::resolve_settings("", {}, {{"log_format", "xml"}}),
                    Catch::Contains("log_format = 'xml' (from option --log-format) must be text or json"));
  CHECK_THROWS_WITH(app::resolve_settings("", {}, {{"metrics_public", "maybe"}}), Catch::Contains("metrics_public"));
}

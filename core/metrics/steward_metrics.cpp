#include "core/metrics/steward_metrics.hpp"

#include "core/util/clock.hpp"

namespace steward {

StewardMetrics::StewardMetrics(const std::string& version)
    : build_info(registry_.gauge("steward_build_info", "Always 1; the version of the running daemon as a label",
                                 {"version"})),
      start_time(registry_.gauge("steward_start_time_seconds", "When the daemon started, Unix time in seconds")),
      runs(registry_.counter("steward_runs_total", "Runs that reached a final status, by status and trigger",
                             {"status", "trigger"})),
      run_duration(registry_.histogram("steward_run_duration_seconds",
                                       "Time from a run's start to its end, by final status (runs that never started "
                                       "are not observed)",
                                       {"status"}, {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200})),
      runs_queued(registry_.gauge("steward_runs_queued", "Runs waiting for a free worker now")),
      runs_running(registry_.gauge("steward_runs_running", "Runs executing on a worker now")),
      scheduled_automations(
          registry_.gauge("steward_scheduled_automations", "Enabled automations with a schedule armed in the scheduler")),
      scheduler_lag(registry_.histogram("steward_scheduler_fire_lag_seconds",
                                        "Delay between a schedule's fire instant and the scheduler launching it", {},
                                        {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60})),
      scheduler_last_lag(registry_.gauge("steward_scheduler_last_fire_lag_seconds",
                                         "Delay of the most recent scheduled fire, in seconds (0 before the first)")),
      devices_connected(registry_.gauge("steward_devices_connected", "Device agents connected to the hub now")),
      plugins(registry_.gauge("steward_plugins", "Plugin files found at start-up, by outcome (loaded or refused)",
                              {"status"})),
      http_requests(registry_.counter("steward_http_requests_total",
                                      "HTTP requests answered, by method, route pattern and status code",
                                      {"method", "route", "code"})),
      http_duration(registry_.histogram("steward_http_request_duration_seconds",
                                        "Time to produce an HTTP answer, by method and route pattern (a stream counts "
                                        "until its headers are sent)",
                                        {"method", "route"},
                                        {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300})) {
  build_info.set({version}, 1);
  start_time.set(static_cast<double>(now_ms()) / 1000.0);
  scheduler_last_lag.set(0);
}

void StewardMetrics::run_ended(const RunRecord& run) {
  runs.inc({run.status, run.trigger.empty() ? "unknown" : run.trigger});
  if (run.started_ms && run.finished_ms && *run.finished_ms >= *run.started_ms)
    run_duration.observe({run.status}, static_cast<double>(*run.finished_ms - *run.started_ms) / 1000.0);
}

void StewardMetrics::scheduler_fired(double lag_seconds) {
  if (lag_seconds < 0) lag_seconds = 0;  // a fire is never early; a clock step can make it look so
  scheduler_lag.observe(lag_seconds);
  scheduler_last_lag.set(lag_seconds);
}

void StewardMetrics::http_request(const std::string& method, const std::string& route, int status, double seconds) {
  std::string m = method_label(method);
  http_requests.inc({m, route, std::to_string(status)});
  http_duration.observe({m, route}, seconds);
}

std::string method_label(const std::string& method) {
  for (const char* known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
    if (method == known) return method;
  return "other";
}

}  // namespace steward

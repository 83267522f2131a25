// The daemon's metrics, by name, in one place: what docs/operations.md lists. The core
// reports events here (a run ended, a scheduled fire, an HTTP request); the gauges that
// mirror state someone else owns (queue depth, connected devices, plugins) are read by
// callbacks that the composition root (app/serve_command.cpp) wires at start-up.
#pragma once

#include <string>

#include "core/metrics/metrics.hpp"
#include "core/runs/run_record.hpp"

namespace steward {

class StewardMetrics {
 public:
  explicit StewardMetrics(const std::string& version);
  StewardMetrics(const StewardMetrics&) = delete;
  StewardMetrics& operator=(const StewardMetrics&) = delete;

  // A run was stored in a final status: counted by status and trigger, and its duration
  // (start to end) observed when it started at all (skipped or unplannable runs did not).
  void run_ended(const RunRecord& run);
  // The scheduler fired a due automation `lag_seconds` after its fire instant.
  void scheduler_fired(double lag_seconds);
  // One answered HTTP request. `route` is the matched pattern ("/api/automations/{id}"),
  // never the raw path (a webhook path holds its token); "unmatched" for 404/405 and
  // "rejected" for requests refused before routing (413, malformed URI).
  void http_request(const std::string& method, const std::string& route, int status, double seconds);

  std::string render() const { return registry_.render(); }

 private:
  metrics::Registry registry_;

 public:
  // Declared after registry_, which must exist first; public so tests and the
  // composition root can read them and attach callbacks.
  metrics::Gauge& build_info;
  metrics::Gauge& start_time;
  metrics::Counter& runs;
  metrics::Histogram& run_duration;
  metrics::Gauge& runs_queued;
  metrics::Gauge& runs_running;
  metrics::Gauge& scheduled_automations;
  metrics::Histogram& scheduler_lag;
  metrics::Gauge& scheduler_last_lag;
  metrics::Gauge& devices_connected;
  metrics::Gauge& plugins;
  metrics::Counter& http_requests;
  metrics::Histogram& http_duration;
};

// A method label of bounded cardinality: the standard methods as they are, others "other".
std::string method_label(const std::string& method);

}  // namespace steward

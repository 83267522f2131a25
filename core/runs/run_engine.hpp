// Runs automations: a bounded pool of worker threads takes runs in order, executes their
// steps through tool plugins and stores the outcome. Cancellation (user, timeout,
// shutdown) is cooperative: plugins poll is_cancelled() and stop their processes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/automations/automation.hpp"
#include "core/automations/planner.hpp"
#include "core/metrics/steward_metrics.hpp"
#include "core/plugins/plugin_registry.hpp"
#include "core/runs/output_stream.hpp"
#include "core/runs/remote_steps.hpp"
#include "core/runs/run_record.hpp"
#include "core/runs/run_store.hpp"

namespace steward {

struct EngineOptions {
  int workers = 16;                       // runs executing at once; more wait as `queued`
  std::size_t output_cap_bytes = 1 << 20; // per run
  std::size_t stream_window_bytes = 4 << 20;  // live output kept per run for slow stream readers
};

// Thrown by submit() once shutdown has begun.
class EngineStopped : public std::runtime_error {
 public:
  EngineStopped() : std::runtime_error("the daemon is shutting down and accepts no new runs") {}
};

class RunEngine {
 public:
  RunEngine(RunStore& store, const PluginRegistry& registry, EngineOptions options);
  ~RunEngine();
  RunEngine(const RunEngine&) = delete;
  RunEngine& operator=(const RunEngine&) = delete;

  // Plans, stores and starts (or queues) a run. A plan that fails is stored as a failed
  // run with the reason, never lost. Throws EngineStopped during shutdown.
  RunRecord submit(const Automation& automation, const std::string& trigger, const std::string& requested_by);

  // Starts (or queues) a run whose steps are already planned. A record in status
  // `pending_approval` is already stored (an approved run) and moves on; any other record
  // is new and is inserted. Throws EngineStopped during shutdown.
  RunRecord start(RunRecord record, std::vector<Step> steps, std::int64_t timeout_s);

  // Runs sharing a non-empty serial key execute one at a time, in submission order
  // (an automation's `concurrency: queue`). Set before submit()/start() by the caller.
  RunRecord start_serial(RunRecord record, std::vector<Step> steps, std::int64_t timeout_s, const std::string& serial_key);
  // Queued or running runs of one automation.
  std::size_t active_count_of(const std::string& automation_id) const;

  // Blocks until the run is no longer active or `timeout` passes; true when it is done.
  bool wait(const std::string& run_id, std::chrono::milliseconds timeout);
  // Like wait(), and hands back the run as it ended (nullopt: still active, or it was not
  // active when called; then read the store).
  std::optional<RunRecord> wait_result(const std::string& run_id, std::chrono::milliseconds timeout);
  // The live state of an active run (output so far), or nullopt when it is not active.
  std::optional<RunRecord> snapshot(const std::string& run_id) const;
  // The live output stream of an active run (queued or running), or nullptr when the run
  // is not in the engine (never started here, or over: then read the store).
  std::shared_ptr<OutputStream> stream(const std::string& run_id) const;
  // Asks an active run to stop; false when it is not active.
  bool cancel(const std::string& run_id, const std::string& by);
  // The same for a run active in this engine only (a request routed from another daemon).
  bool cancel_here(const std::string& run_id, const std::string& by);

  // Stops accepting runs, lets active ones finish for `grace`, then cancels the rest and
  // waits up to `kill_wait` for their plugins to stop. Every run ends stored in a final
  // status; anything still stuck in a plugin is stored `interrupted` regardless.
  void shutdown(std::chrono::milliseconds grace, std::chrono::milliseconds kill_wait);

  std::size_t active_count() const;
  // Ids of the runs queued or running here now.
  std::vector<std::string> active_ids() const;
  bool accepting() const;

  // Runs steps targeted at devices, groups or "auto" routing. Set once at start-up, before
  // any run; without it such steps fail with a reason.
  void set_remote_steps(RemoteSteps* remote) { remote_ = remote; }
  // Counts every run that ends here. Set once at start-up, before any run.
  void set_metrics(StewardMetrics* metrics) { metrics_ = metrics; }

  // Several daemons on one database (docs/operations.md, "Running a cluster"). Set once at
  // start-up, before any run. From then on a new run that cannot start here at once (no
  // free worker, or `concurrency: queue`) is stored queued for ANY daemon and not held in
  // memory; a claimer thread takes such runs (RunStore::claim_unclaimed) whenever a worker
  // is free. `announce` tells the other daemons a run is waiting, `announce_end` that a
  // run ended here; `cancel_elsewhere` asks the daemon executing a run to cancel it.
  // Waiting for, counting and cancelling runs then also see the runs of other daemons,
  // through the store.
  void enable_shared_queue(std::function<void()> announce, std::function<void(const std::string& run_id)> announce_end,
                           std::function<void(const std::string& run_id, const std::string& by)> cancel_elsewhere);
  // Wakes the claimer: a run may be waiting (another daemon announced one).
  void poke();
  // Wakes whoever waits here for a run of another daemon (it announced an end).
  void ended_elsewhere();

  // Runs stored `queued` (waiting for a worker) and `running` now, for the metrics.
  struct Load {
    std::size_t queued = 0;
    std::size_t running = 0;
  };
  Load load() const;

 private:
  struct ActiveRun;
  void worker_loop();
  void claimer_loop();
  nlohmann::json plan_of(const std::vector<Step>& steps, std::int64_t timeout_s, const std::string& serial_key) const;
  void execute(ActiveRun& run);
  void complete(const std::shared_ptr<ActiveRun>& run);
  bool wait_until_idle(std::chrono::milliseconds timeout);
  std::optional<RunRecord> wait_in_store(const std::string& run_id, std::chrono::milliseconds timeout);

  RunStore& store_;
  const PluginRegistry& registry_;
  EngineOptions options_;
  RemoteSteps* remote_ = nullptr;
  StewardMetrics* metrics_ = nullptr;

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;  // workers wait for runs
  std::condition_variable idle_cv_;  // shutdown waits for active_ to empty
  std::deque<std::shared_ptr<ActiveRun>> queue_;
  std::map<std::string, std::shared_ptr<ActiveRun>> active_;  // queued + running
  bool eligible(const ActiveRun& run) const;  // under mutex_: its serial key is free
  std::map<std::string, int> busy_keys_;      // serial keys of runs executing now
  int running_ = 0;        // runs a worker executes or will pick up at once
  std::size_t waiting_ = 0;  // runs stored as `queued`
  bool accepting_ = true;
  bool stopping_ = false;
  std::vector<std::thread> workers_;

  // The shared queue (enable_shared_queue); all under mutex_.
  bool shared_ = false;
  bool poked_ = false;
  bool claimer_stopping_ = false;
  std::condition_variable claim_cv_;
  std::function<void()> announce_;
  std::function<void(const std::string&)> announce_end_;
  std::condition_variable ended_cv_;  // any run ended (here, or announced from elsewhere)
  std::function<void(const std::string&, const std::string&)> cancel_elsewhere_;
  std::thread claimer_;
};

}  // namespace steward

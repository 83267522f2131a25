#include "core/runs/run_engine.hpp"

#include <algorithm>

#include "core/automations/planner.hpp"
#include "core/runs/output_buffer.hpp"
#include "core/util/clock.hpp"
#include "core/util/ids.hpp"
#include "core/util/log.hpp"

namespace steward {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {
enum CancelKind : int { kNotCancelled = 0, kByUser = 1, kByTimeout = 2, kByShutdown = 3 };
}

struct RunEngine::ActiveRun final : CallContext {
  ActiveRun(RunRecord r, std::vector<Step> s, std::int64_t timeout, std::size_t cap, std::size_t window)
      : record(std::move(r)), steps(std::move(s)), timeout_s(timeout), output(cap),
        stream(std::make_shared<OutputStream>(window)) {}

  bool on_output(steward_stream, std::string_view chunk) override {
    append(chunk);
    return !cancelled();
  }
  // Tool output and the engine's own lines go to both: the stored output and the live
  // stream hold the same bytes at the same offsets.
  void append(std::string_view text) {
    output.append(text);
    stream->append(text);
  }
  // Also the timeout check: every poll by the plugin compares against the deadline, so no
  // watchdog thread is needed.
  bool cancelled() const override {
    if (cancel_kind.load() != kNotCancelled) return true;
    if (has_deadline.load() && Clock::now() >= deadline) {
      int expected = kNotCancelled;
      cancel_kind.compare_exchange_strong(expected, kByTimeout);
      return true;
    }
    return false;
  }
  void start_clock() {
    deadline = Clock::now() + std::chrono::seconds(timeout_s);
    has_deadline = true;
  }

  RunRecord record;  // owned by the worker while running; snapshot() reads under mutex_
  std::vector<Step> steps;
  std::int64_t timeout_s;
  OutputBuffer output;
  std::shared_ptr<OutputStream> stream;  // outlives the run while readers hold it
  mutable std::atomic<int> cancel_kind{kNotCancelled};
  std::string cancelled_by;
  Clock::time_point deadline{};
  std::atomic<bool> has_deadline{false};
  std::string final_status;  // set by the worker; applied to `record` under the mutex
  std::string final_reason;
  std::string note;  // a reason the caller gave a new run (a maintenance override): kept in front
  bool counted_running = false;  // under the engine mutex
  bool done = false;             // under the engine mutex
  RunRecord final_record;        // what was stored, once done
  std::string serial_key;        // runs with one key execute one at a time
  std::condition_variable done_cv;
};

RunEngine::RunEngine(RunStore& store, const PluginRegistry& registry, EngineOptions options)
    : store_(store), registry_(registry), options_(options) {
  if (options_.workers < 1) options_.workers = 1;
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { worker_loop(); });
}

RunEngine::~RunEngine() { shutdown(std::chrono::milliseconds(0), std::chrono::milliseconds(5000)); }

RunRecord RunEngine::submit(const Automation& a, const std::string& trigger, const std::string& requested_by) {
  RunRecord record = new_run(a.id, trigger, requested_by);

  auto planned = plan_automation(registry_, a.type, a.params);
  if (auto* steps = std::get_if<std::vector<Step>>(&planned)) assign_target(*steps, a.target);
  if (auto* err = std::get_if<SchemaError>(&planned)) {
    // The automation was valid when saved; a plugin since removed or changed makes it
    // unplannable. That is a failed run with its reason, not a lost request.
    record.status = run_status::kFailed;
    record.reason = "could not plan: " + err->text();
    record.started_ms = record.finished_ms = record.created_ms;
    {
      std::lock_guard lock(mutex_);
      if (!accepting_) throw EngineStopped();
    }
    store_.insert(record);
    if (metrics_) metrics_->run_ended(record);
    return record;
  }

  // `concurrency: queue`: this automation's runs never overlap; they wait their turn.
  return start_serial(std::move(record), std::get<std::vector<Step>>(std::move(planned)), a.timeout_s,
                      a.concurrency == "queue" ? a.id : "");
}

RunRecord RunEngine::start(RunRecord record, std::vector<Step> steps, std::int64_t timeout_s) {
  return start_serial(std::move(record), std::move(steps), timeout_s, "");
}

bool RunEngine::eligible(const ActiveRun& run) const {
  return run.serial_key.empty() || busy_keys_.count(run.serial_key) == 0;
}

std::size_t RunEngine::active_count_of(const std::string& automation_id) const {
  std::size_t n = 0;
  bool shared = false;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, run] : active_) n += run->record.automation_id == automation_id;
    shared = shared_;
  }
  // Other daemons' runs (and runs waiting for any daemon) are only in the store.
  if (shared) n = std::max(n, store_.active_count(automation_id));
  return n;
}

nlohmann::json RunEngine::plan_of(const std::vector<Step>& steps, std::int64_t timeout_s,
                                  const std::string& serial_key) const {
  return {{"steps", steps_json(steps)}, {"timeout_s", timeout_s}, {"serial_key", serial_key}};
}

void RunEngine::enable_shared_queue(std::function<void()> announce, std::function<void(const std::string&)> announce_end,
                                    std::function<void(const std::string&, const std::string&)> cancel_elsewhere) {
  std::lock_guard lock(mutex_);
  if (shared_) return;
  shared_ = true;
  announce_ = std::move(announce);
  announce_end_ = std::move(announce_end);
  cancel_elsewhere_ = std::move(cancel_elsewhere);
  poked_ = true;  // runs may be waiting from before this daemon started
  claimer_ = std::thread([this] { claimer_loop(); });
}

void RunEngine::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  claim_cv_.notify_all();
}

void RunEngine::claimer_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    // A second at most between looks: an announcement lost with a dropped connection, or
    // a run queued again after a daemon died, is found anyway.
    claim_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return claimer_stopping_ || poked_; });
    if (claimer_stopping_) return;
    poked_ = false;
    if (!accepting_) continue;
    const int free = options_.workers - running_ - static_cast<int>(waiting_);
    if (free <= 0) continue;
    running_ += free;  // reserved while claiming, so a run submitted meanwhile queues
    lock.unlock();
    std::vector<RunStore::Claimed> claimed;
    try {
      claimed = store_.claim_unclaimed(free);
    } catch (const std::exception& e) {
      log(LogLevel::Error, "runs", std::string("claiming queued runs failed: ") + e.what());
    }
    lock.lock();
    running_ -= free;
    for (auto& c : claimed) {
      auto run = std::make_shared<ActiveRun>(std::move(c.run), steps_from_json(c.plan.value("steps", json::array())),
                                             c.plan.value("timeout_s", std::int64_t{3600}), options_.output_cap_bytes,
                                             options_.stream_window_bytes);
      run->note = run->record.reason;  // "queued again by …" after a daemon died: kept in front
      run->record.reason.clear();
      run->serial_key = c.plan.value("serial_key", std::string());
      run->counted_running = true;
      ++running_;
      if (!run->serial_key.empty()) ++busy_keys_[run->serial_key];
      active_[run->record.id] = run;
      queue_.push_back(run);
      work_cv_.notify_one();
    }
    if (static_cast<int>(claimed.size()) == free) poked_ = true;  // there may be more
  }
}

RunRecord RunEngine::start_serial(RunRecord record, std::vector<Step> steps, std::int64_t timeout_s,
                                  const std::string& serial_key) {
  const bool stored = record.status == run_status::kPendingApproval;
  if (!stored) {
    std::unique_lock lock(mutex_);
    if (shared_) {
      if (!accepting_) throw EngineStopped();
      // Only what can start here at once stays here; the rest waits for any daemon.
      if (!serial_key.empty() || running_ >= options_.workers) {
        lock.unlock();
        record.status = run_status::kQueued;
        store_.insert_unclaimed(record, plan_of(steps, timeout_s, serial_key));
        if (announce_) announce_();
        poke();
        return record;
      }
    }
  }
  nlohmann::json plan = nullptr;
  if (shared_) plan = plan_of(steps, timeout_s, serial_key);
  auto run = std::make_shared<ActiveRun>(std::move(record), std::move(steps), timeout_s, options_.output_cap_bytes,
                                         options_.stream_window_bytes);
  if (!stored) run->note = run->record.reason;
  run->serial_key = serial_key;
  {
    // 1. Reserve: decide running or queued. Reported `running` only when a worker is free,
    //    nobody waits ahead of it and no other run holds its serial key.
    std::lock_guard lock(mutex_);
    if (!accepting_) throw EngineStopped();
    bool key_active = false;
    if (!serial_key.empty())
      for (const auto& [id, other] : active_) key_active = key_active || other->serial_key == serial_key;
    bool starts_now = running_ < options_.workers && waiting_ == 0 && !key_active;
    if (starts_now) {
      run->record.status = run_status::kRunning;
      run->record.started_ms = now_ms();
      run->counted_running = true;
      ++running_;
      if (!serial_key.empty()) ++busy_keys_[serial_key];
    } else {
      run->record.status = run_status::kQueued;
      ++waiting_;
    }
    active_[run->record.id] = run;
  }
  // 2. Store it, outside the engine's lock: the engine never waits for the database while
  //    holding its lock, so a caller may start runs from inside a transaction (the
  //    scheduler commits a burst of fires at once) without a lock-order deadlock.
  try {
    if (stored) {
      store_.transition(run->record.id, run->record.status, run->record.started_ms, plan);
    } else {
      store_.insert(run->record, plan);
    }
  } catch (...) {
    std::lock_guard lock(mutex_);
    active_.erase(run->record.id);
    if (run->counted_running) {
      --running_;
      if (!serial_key.empty() && --busy_keys_[serial_key] == 0) busy_keys_.erase(serial_key);
    } else {
      --waiting_;
    }
    idle_cv_.notify_all();
    throw;
  }
  // 3. Hand it to the workers.
  std::lock_guard lock(mutex_);
  if (!accepting_ && !run->counted_running) {
    int expected = kNotCancelled;  // shutdown began meanwhile: a waiting run does not start
    run->cancel_kind.compare_exchange_strong(expected, kByShutdown);
  }
  queue_.push_back(run);
  work_cv_.notify_one();
  return run->record;
}

void RunEngine::worker_loop() {
  for (;;) {
    std::shared_ptr<ActiveRun> run;
    {
      std::unique_lock lock(mutex_);
      auto next = queue_.end();
      work_cv_.wait(lock, [&] {
        // The first run whose serial key is free (runs marked running at submit own theirs).
        next = std::find_if(queue_.begin(), queue_.end(),
                            [&](const auto& r) { return r->counted_running || eligible(*r); });
        return next != queue_.end() || (stopping_ && queue_.empty());
      });
      if (next == queue_.end()) return;
      run = *next;
      queue_.erase(next);
      if (!run->counted_running) {
        run->counted_running = true;
        ++running_;
        --waiting_;
        if (!run->serial_key.empty()) ++busy_keys_[run->serial_key];
      }
    }
    try {
      if (!run->record.started_ms && run->cancel_kind.load() == kNotCancelled) {
        std::int64_t started = now_ms();
        store_.mark_running(run->record.id, started);
        std::lock_guard lock(mutex_);
        run->record.started_ms = started;
        run->record.status = run_status::kRunning;
      }
      if (run->cancel_kind.load() == kNotCancelled) execute(*run);
    } catch (const std::exception& e) {
      run->final_reason = std::string("internal error: ") + e.what();
      run->final_status = run_status::kFailed;
    }
    complete(run);
  }
}

void RunEngine::execute(ActiveRun& run) {
  run.start_clock();
  const std::size_t n = run.steps.size();
  bool previous_failed = false;
  for (std::size_t i = 0; i < n; ++i) {
    const Step& step = run.steps[i];
    json rec = {{"tool", step.tool}, {"status", run_status::kRunning}, {"started", now_ms() / 1000}};
    if (!step.name.empty()) rec["name"] = step.name;
    if (run.cancelled()) break;
    if ((step.when == "previous_failed" && !previous_failed) || (step.when == "previous_succeeded" && previous_failed)) {
      rec["status"] = run_status::kSkipped;
      rec["reason"] = "when " + step.when + ": the step before " + (previous_failed ? "failed" : "succeeded");
      run.record.steps.push_back(std::move(rec));
      run.append("[steward] step " + std::to_string(i + 1) + "/" + std::to_string(n) + " skipped (when " +
                        step.when + ")\n");
      continue;  // a skipped step leaves previous_failed as it was
    }
    if (n > 1) run.append("[steward] step " + std::to_string(i + 1) + "/" + std::to_string(n) + ": " +
                                 (step.name.empty() ? step.tool : step.name) + "\n");
    run.result.clear();
    run.error.clear();
    steward_rc rc = STEWARD_ERROR;
    if (!step.target.empty() && step.target != "local") {
      if (remote_) rc = remote_->run_step(run.record.id, step, run, run.timeout_s);
      else run.error = "this daemon cannot run steps on " + step.target;
    } else {
      const Plugin* tool = registry_.tool(step.tool);
      rc = tool ? tool->run(run, step.args.dump()) : STEWARD_ERROR;
      if (!tool) run.error = "tool '" + step.tool + "' is not loaded";
    }

    json result = json::parse(run.result.empty() ? "{}" : run.result, nullptr, false);
    if (result.is_object() && result.contains("exit_code") && result["exit_code"].is_number_integer()) {
      rec["exit_code"] = result["exit_code"];
      run.record.exit_code = result["exit_code"].get<std::int64_t>();
    }
    if (result.is_object()) rec["result"] = result;
    rec["finished"] = now_ms() / 1000;

    previous_failed = !(rc == STEWARD_OK && !run.cancelled());
    if (rc == STEWARD_OK && !run.cancelled()) {
      rec["status"] = run_status::kDone;
      run.record.steps.push_back(std::move(rec));
      continue;
    }
    if (rc == STEWARD_CANCELLED || run.cancelled()) {
      rec["status"] = run_status::kCancelled;
      run.record.steps.push_back(std::move(rec));
      break;
    }
    std::string why = run.error.empty() ? "step failed" : run.error;
    rec["status"] = run_status::kFailed;
    rec["error"] = why;
    run.record.steps.push_back(std::move(rec));
    if (!step.continue_on_error) {
      run.final_status = run_status::kFailed;
      run.final_reason = n > 1 ? "step " + std::to_string(i + 1) + " (" + step.tool + "): " + why : why;
      return;
    }
  }
  if (!run.cancelled()) run.final_status = run_status::kDone;
}

void RunEngine::complete(const std::shared_ptr<ActiveRun>& run) {
  std::unique_lock state_lock(mutex_);
  RunRecord& r = run->record;
  r.status = run->final_status;
  r.reason = run->final_reason;
  switch (run->cancel_kind.load()) {
    case kByUser:
      r.status = run_status::kCancelled;
      r.reason = "cancelled by " + run->cancelled_by;
      break;
    case kByTimeout:
      r.status = run_status::kTimeout;
      r.reason = "timed out after " + std::to_string(run->timeout_s) + " s";
      break;
    case kByShutdown:
      r.status = run_status::kInterrupted;
      r.reason = r.started_ms ? "the daemon stopped while the run was in progress"
                              : "the daemon stopped before the run started";
      break;
    default:
      break;
  }
  if (!run->note.empty()) r.reason = r.reason.empty() ? run->note : run->note + "; " + r.reason;
  if (!run_status::is_final(r.status)) r.status = run_status::kFailed;  // defensive: never left running
  r.finished_ms = now_ms();
  r.output = run->output.text();
  r.output_truncated = run->output.truncated();
  RunRecord final_record = r;
  state_lock.unlock();
  try {
    if (!store_.finish(final_record))
      log(LogLevel::Warning, "runs", r.id + " ended " + final_record.status +
                                         " here, but another daemon had settled it already (this daemon's lease ran out); kept theirs");
  } catch (const std::exception& e) {
    log(LogLevel::Error, "runs", "could not store the end of " + r.id + ": " + e.what());
  }
  if (metrics_) metrics_->run_ended(final_record);
  // After the store has it, so a reader that reconnects once the run left the engine
  // finds the same output in the store.
  run->stream->end(final_record.status, final_record.reason);
  const std::string id = r.id;
  bool announce = false;
  {
    std::lock_guard lock(mutex_);
    --running_;
    if (!run->serial_key.empty() && --busy_keys_[run->serial_key] == 0) {
      busy_keys_.erase(run->serial_key);
      work_cv_.notify_all();  // a run waiting for this key may go now
    }
    active_.erase(r.id);
    run->final_record = std::move(final_record);
    run->done = true;
    run->done_cv.notify_all();
    idle_cv_.notify_all();
    if (shared_) {
      poked_ = true;  // a worker is free: take a waiting run
      claim_cv_.notify_all();
      ended_cv_.notify_all();
      announce = static_cast<bool>(announce_end_);
    }
  }
  // Outside the engine's lock: publishing writes to the database (see start_serial).
  if (announce) announce_end_(id);
}

std::optional<RunRecord> RunEngine::wait_in_store(const std::string& run_id, std::chrono::milliseconds timeout) {
  // A run on another daemon, or waiting for any: its end is seen in the store.
  const auto deadline = Clock::now() + timeout;
  while (true) {
    auto run = store_.get(run_id);
    if (!run || run_status::is_final(run->status)) return run;
    if (Clock::now() >= deadline) return std::nullopt;
    {
      std::unique_lock lock(mutex_);
      auto it = active_.find(run_id);
      if (it != active_.end()) {  // claimed here meanwhile
        auto local = it->second;
        if (!local->done_cv.wait_until(lock, deadline, [&] { return local->done; })) return std::nullopt;
        return local->final_record;
      }
      if (stopping_) return std::nullopt;
      // Woken when any run ends here or (announced on the bus) on another daemon; the
      // timeout covers an announcement lost with a dropped connection.
      ended_cv_.wait_for(lock, std::chrono::milliseconds(250));
    }
  }
}

void RunEngine::ended_elsewhere() { ended_cv_.notify_all(); }

bool RunEngine::wait(const std::string& run_id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  auto it = active_.find(run_id);
  if (it == active_.end()) {
    if (!shared_) return true;
    lock.unlock();
    auto run = wait_in_store(run_id, timeout);
    return !run || run_status::is_final(run->status);
  }
  auto run = it->second;
  return run->done_cv.wait_for(lock, timeout, [&] { return run->done; });
}

std::optional<RunRecord> RunEngine::wait_result(const std::string& run_id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  auto it = active_.find(run_id);
  if (it == active_.end()) {
    if (!shared_) return std::nullopt;
    lock.unlock();
    return wait_in_store(run_id, timeout);
  }
  auto run = it->second;
  if (!run->done_cv.wait_for(lock, timeout, [&] { return run->done; })) return std::nullopt;
  return run->final_record;
}

std::optional<RunRecord> RunEngine::snapshot(const std::string& run_id) const {
  std::shared_ptr<ActiveRun> run;
  RunRecord copy;
  {
    std::lock_guard lock(mutex_);
    auto it = active_.find(run_id);
    if (it == active_.end()) return std::nullopt;
    run = it->second;
    // Ended but not yet out of active_ (its final write is under way): complete() filled
    // the whole record under this lock and nothing changes it any more.
    if (run_status::is_final(run->record.status)) return run->record;
    // Still going: only the fields the worker does not touch while it runs.
    copy.id = run->record.id;
    copy.automation_id = run->record.automation_id;
    copy.trigger = run->record.trigger;
    copy.status = run->record.status;
    copy.reason = run->record.reason;
    copy.created_ms = run->record.created_ms;
    copy.started_ms = run->record.started_ms;
    copy.requested_by = run->record.requested_by;
    copy.scheduled_ms = run->record.scheduled_ms;
  }
  copy.output = run->output.text();
  copy.output_truncated = run->output.truncated();
  return copy;
}

std::shared_ptr<OutputStream> RunEngine::stream(const std::string& run_id) const {
  std::lock_guard lock(mutex_);
  auto it = active_.find(run_id);
  return it == active_.end() ? nullptr : it->second->stream;
}

bool RunEngine::cancel(const std::string& run_id, const std::string& by) {
  if (cancel_here(run_id, by)) return true;
  {
    std::lock_guard lock(mutex_);
    if (!shared_) return false;
  }
  if (store_.cancel_unclaimed(run_id, "cancelled by " + by)) return true;
  auto run = store_.get(run_id);
  if (!run || run_status::is_final(run->status) || run->status == run_status::kPendingApproval) return false;
  // Running (or claimed) on another daemon: ask it.
  if (cancel_elsewhere_) cancel_elsewhere_(run_id, by);
  return true;
}

bool RunEngine::cancel_here(const std::string& run_id, const std::string& by) {
  std::lock_guard lock(mutex_);
  auto it = active_.find(run_id);
  if (it == active_.end()) return false;
  int expected = kNotCancelled;
  if (it->second->cancel_kind.compare_exchange_strong(expected, kByUser)) it->second->cancelled_by = by;
  return true;
}

std::size_t RunEngine::active_count() const {
  std::lock_guard lock(mutex_);
  return active_.size();
}

std::vector<std::string> RunEngine::active_ids() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  ids.reserve(active_.size());
  for (const auto& [id, run] : active_) ids.push_back(id);
  return ids;
}

RunEngine::Load RunEngine::load() const {
  std::lock_guard lock(mutex_);
  return {waiting_, static_cast<std::size_t>(running_)};
}

bool RunEngine::accepting() const {
  std::lock_guard lock(mutex_);
  return accepting_;
}

bool RunEngine::wait_until_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_cv_.wait_for(lock, timeout, [&] { return active_.empty(); });
}

void RunEngine::shutdown(std::chrono::milliseconds grace, std::chrono::milliseconds kill_wait) {
  {
    std::lock_guard lock(mutex_);
    claimer_stopping_ = true;
  }
  claim_cv_.notify_all();
  if (claimer_.joinable()) claimer_.join();
  {
    std::lock_guard lock(mutex_);
    if (workers_.empty()) return;  // already shut down
    accepting_ = false;
    // Runs still waiting for a worker do not start now: they end `interrupted` at once.
    for (auto& run : queue_) {
      int expected = kNotCancelled;
      if (!run->counted_running) run->cancel_kind.compare_exchange_strong(expected, kByShutdown);
    }
  }
  if (!wait_until_idle(grace)) {
    std::lock_guard lock(mutex_);
    log(LogLevel::Warning, "runs", std::to_string(active_.size()) + " run(s) still active after the grace period; stopping them");
    for (auto& [id, run] : active_) {
      int expected = kNotCancelled;
      run->cancel_kind.compare_exchange_strong(expected, kByShutdown);
    }
  }
  bool idle = wait_until_idle(kill_wait);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    work_cv_.notify_all();
  }
  if (idle) {
    for (auto& t : workers_) t.join();
  } else {
    // A plugin ignores cancellation. Record its runs as interrupted now and leave its
    // thread behind: the process is exiting and a join would hang forever.
    std::lock_guard lock(mutex_);
    for (auto& [id, run] : active_) {
      log(LogLevel::Error, "runs", "run " + id + " did not stop; storing it as interrupted");
      RunRecord r;
      r.id = id;
      r.automation_id = run->record.automation_id;
      r.trigger = run->record.trigger;
      r.status = run_status::kInterrupted;
      r.reason = "the daemon stopped; the tool did not respond to cancellation";
      r.started_ms = run->record.started_ms;
      r.created_ms = run->record.created_ms;
      r.finished_ms = now_ms();
      r.output = run->output.text();
      r.output_truncated = run->output.truncated();
      try {
        store_.finish(r);
      } catch (...) {
      }
      if (metrics_) metrics_->run_ended(r);
      run->stream->end(r.status, r.reason);
    }
    for (auto& t : workers_) t.detach();
  }
  workers_.clear();
}

}  // namespace steward

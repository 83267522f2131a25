#include "core/scheduling/scheduler.hpp"

#include <algorithm>

#include "core/util/clock.hpp"
#include "core/util/ids.hpp"
#include "core/util/log.hpp"

namespace steward {

namespace {
std::string iso_ms(std::int64_t ms) { return iso8601(ms); }
constexpr const char* kChangedChannel = "steward_automation_changed";
}  // namespace

Scheduler::Scheduler(store::Database& db, AutomationStore& automations, RunStore& runs, RunEngine& engine,
                     RunLauncher& launcher)
    : db_(db), automations_(automations), runs_(runs), engine_(engine), launcher_(launcher) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
  if (bus_) {
    bus_->subscribe(kChangedChannel, [this](const std::string& id) { refresh_here(id); });
    bus_->on_resync([this] { reload_all(); });
  }
  const std::int64_t now = now_ms();
  std::map<std::string, std::int64_t> last_fire;
  for (const auto& r : db_.query("SELECT automation_id, MAX(fire_ms) FROM schedule_fires GROUP BY automation_id"))
    last_fire[r.text(0)] = r.integer(1);
  for (auto& row : automations_.list_scheduled()) {
    auto compiled = compile_schedule(row.schedule, row.timezone);
    if (!std::holds_alternative<CompiledSchedule>(compiled)) {
      log(LogLevel::Error, "scheduler", row.id + ": schedule no longer valid: " + std::get<SchemaError>(compiled).text());
      continue;
    }
    auto& schedule = std::get<CompiledSchedule>(compiled);
    auto last = last_fire.find(row.id);
    catch_up(row.id, schedule, std::max(last == last_fire.end() ? 0 : last->second, row.updated_ms), now);
    std::lock_guard lock(mutex_);
    arm(row.id, std::move(schedule), now);
  }
  log(LogLevel::Info, "scheduler", std::to_string(scheduled_count()) + " scheduled automation(s)");
  thread_ = std::thread([this] { loop(); });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t Scheduler::scheduled_count() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::optional<std::int64_t> Scheduler::next_fire_ms(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.next_ms;
}

void Scheduler::arm(const Automation& a, std::int64_t after_ms) {
  entries_.erase(a.id);  // any heap item of the old generation is now stale
  if (!a.enabled || !a.schedule) return;
  auto compiled = compile_schedule(*a.schedule, a.timezone);
  if (!std::holds_alternative<CompiledSchedule>(compiled)) return;
  arm(a.id, std::get<CompiledSchedule>(std::move(compiled)), after_ms);
}

void Scheduler::arm(const std::string& id, CompiledSchedule schedule, std::int64_t after_ms) {
  entries_.erase(id);
  Entry e{std::move(schedule), 0, next_generation_++};
  auto next = e.schedule.next_after_ms(after_ms);
  if (!next) return;
  e.next_ms = *next;
  heap_.push(Due{e.next_ms, e.generation, id});
  entries_[id] = std::move(e);
}

void Scheduler::refresh(const std::string& automation_id) {
  refresh_here(automation_id);
  if (bus_) {
    try {
      bus_->publish(kChangedChannel, automation_id);
    } catch (const std::exception& e) {
      log(LogLevel::Error, "scheduler", automation_id + ": could not tell the other daemons of the change: " + e.what());
    }
  }
}

void Scheduler::reload_all() {
  auto rows = automations_.list_scheduled();
  std::map<std::string, CompiledSchedule> scheduled;
  for (auto& row : rows) {
    auto compiled = compile_schedule(row.schedule, row.timezone);
    if (auto* c = std::get_if<CompiledSchedule>(&compiled)) scheduled.emplace(row.id, std::move(*c));
  }
  const std::int64_t now = now_ms();
  {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();)
      it = scheduled.count(it->first) ? std::next(it) : entries_.erase(it);
    for (auto& [id, schedule] : scheduled) arm(id, std::move(schedule), now);
  }
  cv_.notify_all();
  log(LogLevel::Info, "scheduler", "re-read " + std::to_string(scheduled.size()) + " scheduled automation(s)");
}

void Scheduler::refresh_here(const std::string& automation_id) {
  auto a = automations_.get(automation_id);
  {
    std::lock_guard lock(mutex_);
    if (a) {
      arm(*a, now_ms());
    } else {
      entries_.erase(automation_id);
    }
  }
  cv_.notify_all();
}

void Scheduler::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // Drop heap items of removed or re-armed automations.
    while (!heap_.empty()) {
      auto it = entries_.find(heap_.top().id);
      if (it != entries_.end() && it->second.generation == heap_.top().generation) break;
      heap_.pop();
    }
    const std::int64_t now = now_ms();
    if (heap_.empty() || heap_.top().at_ms > now) {
      // Wall-clock due times: sleep at most a second so a clock change is noticed.
      std::int64_t wait = heap_.empty() ? 1000 : std::min<std::int64_t>(heap_.top().at_ms - now, 1000);
      cv_.wait_for(lock, std::chrono::milliseconds(wait));
      continue;
    }
    // Everything due now, claimed together in one transaction.
    std::vector<std::pair<std::string, std::int64_t>> due;
    while (!heap_.empty() && heap_.top().at_ms <= now) {
      Due d = heap_.top();
      heap_.pop();
      auto it = entries_.find(d.id);
      if (it == entries_.end() || it->second.generation != d.generation) continue;
      due.emplace_back(d.id, d.at_ms);
      auto next = it->second.schedule.next_after_ms(d.at_ms);
      if (next) {
        it->second.next_ms = *next;
        heap_.push(Due{*next, d.generation, d.id});
      } else {
        entries_.erase(it);
      }
    }
    lock.unlock();
    // One order for every daemon (time, then id): daemons claiming the same fires at once
    // then wait for each other in the same order and never deadlock.
    std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second < b.second : a.first < b.first;
    });
    try {
      // One transaction for the whole burst: claims and runs commit together, so a
      // thousand fires due at once cost one commit, not three thousand.
      db_.transaction([&] {
        for (const auto& [id, at] : claim(due)) {
          try {
            // A savepoint each: one bad fire must not undo the others (on PostgreSQL a
            // failed statement would otherwise abort the whole transaction).
            db_.savepoint([&] { fire(id, at); });
          } catch (const std::exception& e) {
            log(LogLevel::Error, "scheduler", id + ": firing failed: " + e.what());
          }
        }
      });
    } catch (const std::exception& e) {
      log(LogLevel::Error, "scheduler", std::string("firing failed: ") + e.what());
    }
    lock.lock();
  }
}

std::vector<std::pair<std::string, std::int64_t>> Scheduler::claim(
    const std::vector<std::pair<std::string, std::int64_t>>& fires) {
  std::vector<std::pair<std::string, std::int64_t>> won;
  if (fires.empty()) return won;
  const std::int64_t now = now_ms();
  db_.transaction([&] {
    for (const auto& [id, at] : fires)
      if (db_.execute("INSERT INTO schedule_fires(automation_id, fire_ms, claimed_ms, daemon_id) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT DO NOTHING",
                      {id, at, now, store::nullable(daemon_.empty() ? std::nullopt : std::optional(daemon_))}) == 1)
        won.emplace_back(id, at);
  });
  return won;
}

void Scheduler::store_skipped(const Automation& a, std::optional<std::int64_t> fire_ms, const std::string& reason) {
  RunRecord r = new_run(a.id, "schedule", "scheduler");
  r.scheduled_ms = fire_ms;
  r.status = run_status::kSkipped;
  r.reason = reason;
  r.finished_ms = r.created_ms;
  runs_.insert(r);
  if (metrics_) metrics_->run_ended(r);
}

void Scheduler::fire(const std::string& automation_id, std::int64_t fire_ms) {
  auto a = automations_.get(automation_id);
  if (!a || !a->enabled || !a->schedule) return;
  if (metrics_) metrics_->scheduler_fired(static_cast<double>(now_ms() - fire_ms) / 1000.0);
  try {
    // The launcher applies the chain: maintenance window, approval, then concurrency
    // (`skip` here; `queue` is the engine running this automation's runs one at a time).
    LaunchOptions options;
    options.skip_if_overlapping = a->concurrency == "skip";
    options.scheduled_ms = fire_ms;
    launcher_.launch(*a, "schedule", "scheduler", options);
  } catch (const EngineStopped&) {
    store_skipped(*a, fire_ms, "the daemon was stopping at the fire time");
  }
}

void Scheduler::catch_up(const std::string& id, const CompiledSchedule& s, std::int64_t from, std::int64_t now) {
  std::vector<std::int64_t> missed;
  std::int64_t not_itemized = 0;
  for (auto t = s.next_after_ms(from); t && *t < now; t = s.next_after_ms(*t)) {
    if (static_cast<int>(missed.size()) < kMaxMissedRecords) {
      missed.push_back(*t);
    } else {
      ++not_itemized;
      if (not_itemized > 10'000'000) break;  // a schedule far more frequent than any cron can be
    }
  }
  if (missed.empty()) return;
  auto found = automations_.get(id);
  if (!found) return;
  const Automation& a = *found;
  std::vector<std::pair<std::string, std::int64_t>> fires;
  for (auto t : missed) fires.emplace_back(a.id, t);
  auto won = claim(fires);
  if (won.empty()) return;
  log(LogLevel::Warning, "scheduler", a.id + ": " + std::to_string(won.size() + not_itemized) +
                                          " fire(s) missed while the daemon was down (catch_up " + a.catch_up + ")");
  if (a.catch_up == "once") {
    // One run stands for all of them; the others are stored as skipped, pointing at it.
    std::int64_t latest = won.back().second;
    RunRecord run;
    try {
      LaunchOptions options;
      options.scheduled_ms = latest;
      run = launcher_.launch(a, "schedule", "scheduler", options).run;
    } catch (const EngineStopped&) {
      return;
    }
    for (size_t i = 0; i + 1 < won.size(); ++i)
      store_skipped(a, won[i].second, "missed: caught up once by " + run.id);
    return;
  }
  for (const auto& fire : won) store_skipped(a, fire.second, "missed: the daemon was not running at " + iso_ms(fire.second));
  if (not_itemized > 0)
    store_skipped(a, std::nullopt,
                  "missed: " + std::to_string(not_itemized) + " more fires before " + iso_ms(now) + " not itemized");
}

}  // namespace steward

#include "core/cluster/device_link.hpp"

#include "core/util/log.hpp"

namespace steward::cluster {

using nlohmann::json;

namespace {

// {"daemon": holder, "execution": id}: the holder claims and sends it.
constexpr const char* kExec = "steward_device_exec";
// {"daemon": holder, "execution": id, "by": who}: the holder asks its agent to stop it.
constexpr const char* kCancel = "steward_device_cancel";
// {"daemon": holder, "device": id, "op": "disconnect" | "deliver" | "replaced", ...}.
constexpr const char* kControl = "steward_device_control";
// {"execution": id}: a routed execution ended and is stored; whoever waits re-reads it.
constexpr const char* kDone = "steward_device_done";

std::string text(const json& m, const char* key) {
  auto it = m.find(key);
  return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

DeviceLink::DeviceLink(store::Database& db, Bus& bus, const std::string& self, DeviceHub& hub,
                       ExecutionStore& executions, DeviceLinkOptions options)
    : bus_(bus),
      self_(self),
      hub_(hub),
      executions_(executions),
      holders_(db, self),
      options_(options),
      inbox_(std::make_shared<Inbox>()) {
  std::weak_ptr<Inbox> weak = inbox_;
  for (const char* channel : {kExec, kCancel, kControl, kDone}) {
    bus_.subscribe(channel, [this, weak, name = std::string(channel)](const std::string& payload) {
      if (auto inbox = weak.lock()) post(inbox, [this, name, payload] { on_message(name, payload); });
    });
  }
  // Whatever was published while the bus was not listening is lost: re-read the store.
  bus_.on_resync([this, weak] {
    if (auto inbox = weak.lock())
      post(inbox, [this] {
        poll();
        for (const auto& device : hub_.connected_ids()) adopt_unclaimed(device);
      });
  });
  worker_ = std::thread([this] { loop(); });
  hub_.set_peers(this);
}

DeviceLink::~DeviceLink() { stop(); }

void DeviceLink::post(const std::shared_ptr<Inbox>& inbox, std::function<void()> task) {
  {
    std::lock_guard lock(inbox->mutex);
    if (inbox->stopping) return;
    inbox->tasks.push_back(std::move(task));
  }
  inbox->cv.notify_one();
}

void DeviceLink::stop() {
  hub_.set_peers(nullptr);
  {
    std::lock_guard lock(inbox_->mutex);
    inbox_->stopping = true;
    inbox_->tasks.clear();
  }
  inbox_->cv.notify_all();
  if (worker_.joinable()) worker_.join();
  std::map<std::string, Waiter> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(waiting_);
  }
  for (auto& [id, w] : left) {
    DeviceExecution e = w.handle->snapshot();
    e.status = execution_status::kFailed;
    e.error = "this daemon stopped before daemon " + w.daemon + " reported the end; the command may still run there";
    w.handle->settle(e);
  }
}

void DeviceLink::loop() {
  auto next_poll = std::chrono::steady_clock::now() + options_.poll;
  std::unique_lock lock(inbox_->mutex);
  while (!inbox_->stopping) {
    inbox_->cv.wait_until(lock, next_poll, [&] { return inbox_->stopping || !inbox_->tasks.empty(); });
    if (inbox_->stopping) return;
    std::deque<std::function<void()>> tasks;
    tasks.swap(inbox_->tasks);
    lock.unlock();
    for (auto& task : tasks) {
      try {
        task();
      } catch (const std::exception& e) {
        log(LogLevel::Error, "devices", std::string("cluster: ") + e.what());
      }
    }
    if (std::chrono::steady_clock::now() >= next_poll) {
      try {
        poll();
      } catch (const std::exception& e) {
        log(LogLevel::Error, "devices", std::string("cluster: re-reading routed executions: ") + e.what());
      }
      next_poll = std::chrono::steady_clock::now() + options_.poll;
    }
    lock.lock();
  }
}

void DeviceLink::publish(const char* channel, const json& message) {
  try {
    bus_.publish(channel, message.dump());
  } catch (const std::exception& e) {
    log(LogLevel::Error, "devices", std::string("cluster: could not publish on ") + channel + ": " + e.what());
  }
}

void DeviceLink::publish_done(const std::string& execution_id) { publish(kDone, {{"execution", execution_id}}); }

// ---------------------------------------------------------------- asked by the hub

std::string DeviceLink::holder(const std::string& device_id) { return holders_.holder_elsewhere(device_id); }

std::vector<std::string> DeviceLink::online_elsewhere() { return holders_.held_elsewhere(); }

void DeviceLink::route(const std::string& daemon, std::shared_ptr<ExecutionHandle> handle) {
  DeviceExecution e = handle->snapshot();
  {
    std::lock_guard lock(mutex_);
    // The holder ends it by timeout + grace after sending; the margin covers the messages.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(e.timeout_s + hub_.options().answer_grace_s) +
                    options_.end_margin;
    waiting_[e.id] = Waiter{std::move(handle), daemon, deadline};
  }
  try {
    bus_.publish(kExec, json{{"daemon", daemon}, {"execution", e.id}}.dump());
    log(LogLevel::Debug, "devices", e.id + " on " + e.device_id + " routed to daemon " + daemon);
  } catch (const std::exception& ex) {
    log(LogLevel::Error, "devices", "routing " + e.id + " to daemon " + daemon + ": " + ex.what());
    try {
      executions_.end_unclaimed(e.id, execution_status::kFailed,
                                "could not reach daemon " + daemon + ", which holds the device's connection");
    } catch (const std::exception&) {
      // The deadline ends the waiter.
    }
    post(inbox_, [this, id = e.id] { settle(id); });
  }
}

bool DeviceLink::cancel(const std::string& execution_id, const std::string& by) {
  // Not claimed yet: nobody will send it now.
  if (executions_.end_unclaimed(execution_id, execution_status::kCancelled,
                                "cancelled by " + by + " before it was sent")) {
    publish_done(execution_id);
    return true;
  }
  auto e = executions_.get(execution_id);
  if (!e || e->status != execution_status::kRunning) return false;
  // Where the device is now (it may have been claimed by another daemon than the one asked).
  std::string daemon = holders_.holder_elsewhere(e->device_id);
  if (daemon.empty()) {
    std::lock_guard lock(mutex_);
    if (auto it = waiting_.find(execution_id); it != waiting_.end()) daemon = it->second.daemon;
  }
  if (daemon.empty()) return false;
  log(LogLevel::Info, "devices", "cancel of " + execution_id + " asked by " + by + "; sent to daemon " + daemon);
  publish(kCancel, {{"daemon", daemon}, {"execution", execution_id}, {"by", by}});
  return true;
}

void DeviceLink::disconnect(const std::string& device_id, int close_code, const std::string& reason) {
  std::string daemon = holders_.holder_elsewhere(device_id);
  if (daemon.empty()) return;
  publish(kControl, {{"daemon", daemon}, {"device", device_id}, {"op", "disconnect"}, {"code", close_code},
                     {"reason", reason}});
}

void DeviceLink::deliver_queue(const std::string& device_id) {
  std::string daemon = holders_.holder_elsewhere(device_id);
  if (!daemon.empty()) publish(kControl, {{"daemon", daemon}, {"device", device_id}, {"op", "deliver"}});
}

// ---------------------------------------------------------------- told by the hub

void DeviceLink::attached(const std::string& device_id) {
  std::string before = holders_.take(device_id);
  // An agent keeps no command across connections: what its earlier connection (to any
  // daemon) was running is over. Commands routed but not yet sent stay for this daemon.
  for (const auto& id :
       executions_.fail_sent(device_id, "the device reconnected (to daemon " + self_ + ") during the execution"))
    publish_done(id);
  // The daemon that held it may not have noticed yet that the connection is gone.
  if (!before.empty()) publish(kControl, {{"daemon", before}, {"device", device_id}, {"op", "replaced"}});
}

void DeviceLink::detached(const std::string& device_id) { holders_.release(device_id); }

void DeviceLink::greeted(const std::string& device_id) {
  post(inbox_, [this, device_id] { adopt_unclaimed(device_id); });
}

void DeviceLink::ended(const std::string& execution_id) { publish_done(execution_id); }

// ---------------------------------------------------------------- on the worker

void DeviceLink::on_message(const std::string& channel, const std::string& payload) {
  json m = json::parse(payload, nullptr, false);
  if (!m.is_object()) return;
  if (channel == kDone) return settle(text(m, "execution"));
  if (text(m, "daemon") != self_) return;
  if (channel == kExec) return adopt(text(m, "execution"));
  if (channel == kCancel) {
    hub_.cancel_here(text(m, "execution"), text(m, "by"));
    return;
  }
  const std::string device = text(m, "device"), op = text(m, "op");
  if (op == "disconnect") {
    int code = m.contains("code") && m["code"].is_number_integer() ? m["code"].get<int>() : 1000;
    hub_.disconnect_here(device, code, text(m, "reason"));
  } else if (op == "deliver") {
    hub_.deliver_here(device);
  } else if (op == "replaced" && !holders_.held_here(device)) {
    // Unless the agent has come back here since.
    hub_.disconnect_here(device, 4000, "replaced by a newer connection to another daemon");
  }
}

void DeviceLink::adopt(const std::string& execution_id) {
  if (hub_.adopt(execution_id) != DeviceHub::Adoption::NotHere) return;
  if (executions_.end_unclaimed(execution_id, execution_status::kFailed,
                                "the device was no longer connected to daemon " + self_ + " when the command arrived"))
    publish_done(execution_id);
}

void DeviceLink::adopt_unclaimed(const std::string& device_id) {
  for (const auto& id : executions_.unclaimed(device_id)) hub_.adopt(id);
}

void DeviceLink::settle(const std::string& execution_id) {
  Waiter w;
  {
    std::lock_guard lock(mutex_);
    auto it = waiting_.find(execution_id);
    if (it == waiting_.end()) return;
    w = it->second;
  }
  auto e = executions_.get(execution_id);
  if (e && !execution_status::is_final(e->status)) {
    if (std::chrono::steady_clock::now() < w.deadline) return;
    executions_.fail_if_running(execution_id, "daemon " + w.daemon + ", holding the device's connection, reported no end in time");
    e = executions_.get(execution_id);
    if (e && !execution_status::is_final(e->status)) return;
  }
  DeviceExecution final_record;
  if (e) {
    final_record = *e;
  } else {
    final_record = w.handle->snapshot();
    final_record.status = execution_status::kFailed;
    final_record.error = "the execution's record is gone (its device was deleted)";
  }
  {
    std::lock_guard lock(mutex_);
    waiting_.erase(execution_id);
  }
  w.handle->settle(final_record);
}

void DeviceLink::poll() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, w] : waiting_) ids.push_back(id);
  }
  for (const auto& id : ids) settle(id);
}

// ---------------------------------------------------------------- reaping

void settle_device_loss(store::Database& db, Bus& bus, const std::string& dead) {
  auto ids = DeviceHolders::settle_loss(db, dead);
  for (const auto& id : ids) bus.publish(kDone, json{{"execution", id}}.dump());
  if (!ids.empty())
    log(LogLevel::Warning, "devices",
        std::to_string(ids.size()) + " device execution(s) running through daemon " + dead + " failed");
}

}  // namespace steward::cluster

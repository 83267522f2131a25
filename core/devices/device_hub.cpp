#include "core/devices/device_hub.hpp"

#include <algorithm>

#include "core/devices/jsonrpc.hpp"
#include "core/util/clock.hpp"
#include "core/util/ids.hpp"
#include "core/util/log.hpp"

namespace steward {

using nlohmann::json;

// ---------------------------------------------------------------- ExecutionHandle

std::optional<DeviceExecution> ExecutionHandle::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!cv_.wait_for(lock, timeout, [&] { return done_; })) return std::nullopt;
  return record_;
}

DeviceExecution ExecutionHandle::snapshot() const {
  std::lock_guard lock(mutex_);
  return record_;
}

bool ExecutionHandle::done() const {
  std::lock_guard lock(mutex_);
  return done_;
}

void ExecutionHandle::append(const std::string& stream, std::string_view data) {
  {
    std::lock_guard lock(mutex_);
    if (done_) return;
    std::size_t room = record_.output.size() < cap_ ? cap_ - record_.output.size() : 0;
    if (data.size() > room) record_.output_truncated = true;
    record_.output.append(data.substr(0, room));
  }
  if (observer_) observer_->on_output(stream, data);
}

std::optional<DeviceExecution> ExecutionHandle::end(const std::string& status, std::optional<std::string> error,
                                                    const json& result) {
  std::lock_guard lock(mutex_);
  if (done_ || settling_) return std::nullopt;
  record_.status = status;
  record_.error = std::move(error);
  if (!result.is_null()) {
    record_.result = result;
    if (result.is_object() && result.contains("exit_code") && result["exit_code"].is_number_integer())
      record_.exit_code = result["exit_code"].get<std::int64_t>();
  }
  record_.finished_ms = now_ms();
  if (!record_.started_ms) record_.started_ms = record_.finished_ms;
  done_ = true;
  cv_.notify_all();
  return record_;
}

bool ExecutionHandle::settle(const DeviceExecution& final_record) {
  {
    std::lock_guard lock(mutex_);
    if (done_ || settling_) return false;
    settling_ = true;
  }
  // Before the end is visible: a run's step completes as soon as its wait returns, and the
  // output must be in the run by then.
  if (observer_ && !final_record.output.empty()) observer_->on_output("stdout", final_record.output);
  std::lock_guard lock(mutex_);
  record_ = final_record;
  done_ = true;
  cv_.notify_all();
  return true;
}

// ---------------------------------------------------------------- DeviceHub

DeviceHub::DeviceHub(DeviceStore& devices, ExecutionStore& executions, HubOptions options)
    : devices_(devices), executions_(executions), options_(options) {}

DeviceHub::~DeviceHub() { stop(); }

void DeviceHub::start() {
  std::lock_guard guard(sweeper_mutex_);
  if (sweeper_.joinable()) return;
  stopping_ = false;
  sweeper_ = std::thread([this] {
    std::unique_lock lock(sweeper_mutex_);
    auto next_expiry = Clock::now();
    while (!sweeper_cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping_; })) {
      lock.unlock();
      try {
        sweep();
        if (Clock::now() >= next_expiry) {
          if (int n = executions_.expire_due(now_ms())) log(LogLevel::Info, "devices", std::to_string(n) + " queued command(s) expired");
          next_expiry = Clock::now() + std::chrono::seconds(2);
        }
      } catch (const std::exception& e) {
        log(LogLevel::Error, "devices", std::string("sweeper: ") + e.what());
      }
      lock.lock();
    }
  });
}

void DeviceHub::stop() {
  {
    std::lock_guard lock(sweeper_mutex_);
    stopping_ = true;
  }
  sweeper_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  std::vector<std::pair<std::uint64_t, std::shared_ptr<DeviceConnection>>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, live] : live_) all.emplace_back(live.connection_id, live.connection);
  }
  for (auto& [cid, conn] : all) {
    drop(cid, "the daemon stopped during the execution");
    conn->close(1000, "daemon stopping");
  }
}

DeviceHub::Admit DeviceHub::admit(const std::string& token) {
  auto device = devices_.find_by_token(token);
  if (!device || device->status == device_status::kRevoked) return {Admission::InvalidToken, ""};
  if (device->status == device_status::kBlocked) return {Admission::Blocked, device->id};
  return {Admission::Admitted, device->id};
}

std::uint64_t DeviceHub::attach(const std::string& device_id, std::shared_ptr<DeviceConnection> connection) {
  std::uint64_t id;
  std::optional<std::uint64_t> replaced;
  std::shared_ptr<DeviceConnection> old;
  {
    std::lock_guard lock(mutex_);
    id = next_connection_++;
    if (auto it = live_.find(device_id); it != live_.end()) {
      replaced = it->second.connection_id;
      old = it->second.connection;
    }
  }
  if (replaced) {
    drop(*replaced, "the device reconnected during the execution");
    old->close(4000, "replaced by a newer connection");
  }
  {
    std::lock_guard lock(mutex_);
    Live live;
    live.connection_id = id;
    live.connection = std::move(connection);
    live.last_received = Clock::now();
    live_[device_id] = std::move(live);
    device_of_[id] = device_id;
  }
  tell_attached(device_id, id);
  log(LogLevel::Info, "devices", device_id + " connected");
  return id;
}

void DeviceHub::tell_attached(const std::string& device_id, std::uint64_t connection_id) {
  DevicePeers* const peers = peers_.load();
  if (!peers) return;
  std::lock_guard order(presence_mutex_);
  {
    std::lock_guard lock(mutex_);
    auto it = live_.find(device_id);
    if (it == live_.end() || it->second.connection_id != connection_id) return;  // already gone again
  }
  try {
    peers->attached(device_id);
  } catch (const std::exception& e) {
    log(LogLevel::Error, "devices", "recording that " + device_id + " is connected here: " + e.what());
  }
}

void DeviceHub::tell_detached(const std::string& device_id) {
  DevicePeers* const peers = peers_.load();
  if (!peers) return;
  std::lock_guard order(presence_mutex_);
  {
    // A newer connection of the device is here: it stays held by this daemon.
    std::lock_guard lock(mutex_);
    if (live_.count(device_id)) return;
  }
  try {
    peers->detached(device_id);
  } catch (const std::exception& e) {
    log(LogLevel::Error, "devices", "recording that " + device_id + " left: " + e.what());
  }
}

void DeviceHub::tell_ended(const std::string& execution_id) {
  DevicePeers* const peers = peers_.load();
  if (!peers) return;
  try {
    peers->ended(execution_id);
  } catch (const std::exception& e) {
    log(LogLevel::Error, "devices", "announcing the end of " + execution_id + ": " + e.what());
  }
}

void DeviceHub::received(std::uint64_t connection_id, std::string_view text) {
  jsonrpc::Message m = jsonrpc::parse(text);
  std::string device_id;
  std::shared_ptr<DeviceConnection> conn;
  bool greeted = false;
  bool too_many = false;
  {
    std::lock_guard lock(mutex_);
    auto d = device_of_.find(connection_id);
    if (d == device_of_.end()) return;  // already dropped
    device_id = d->second;
    Live& live = live_.at(device_id);
    live.last_received = Clock::now();
    live.ping_outstanding = false;
    conn = live.connection;
    greeted = live.greeted;
    if (m.kind == jsonrpc::Message::Kind::Invalid) {
      too_many = ++live.malformed >= options_.max_malformed;
    } else {
      live.malformed = 0;
    }
  }

  using Kind = jsonrpc::Message::Kind;
  switch (m.kind) {
    case Kind::Invalid:
      log(LogLevel::Warning, "devices", device_id + " sent a malformed message: " + m.error_message);
      conn->send_text(jsonrpc::error(m.id, m.error_code, m.error_message));
      if (too_many) {
        drop(connection_id, "the device was disconnected for sending malformed messages");
        conn->close(1008, "too many malformed messages");
      }
      return;
    case Kind::Request:
      if (m.method == "hello") return on_hello(connection_id, device_id, m.id, m.params);
      if (!greeted) {
        conn->send_text(jsonrpc::error(m.id, jsonrpc::kNotAllowedNow, "send hello first"));
        return;
      }
      conn->send_text(jsonrpc::error(m.id, jsonrpc::kMethodNotFound, "method not found: " + m.method));
      return;
    case Kind::Notification:
      if (!greeted) return;  // nothing counts before hello
      if (m.method == "health") {
        devices_.record_health(device_id, m.params, now_ms());
      } else if (m.method == "output") {
        on_output(connection_id, m.params);
      }
      return;  // unknown notifications are ignored, as JSON-RPC says
    case Kind::Result:
      return on_answer(device_id, m.id, &m.result, "");
    case Kind::Error:
      return on_answer(device_id, m.id, nullptr,
                       m.error_message.empty() ? "error " + std::to_string(m.error_code) : m.error_message);
  }
}

namespace {
bool string_or_absent(const json& params, const char* key) {
  return !params.contains(key) || params[key].is_string();
}
std::string text_of(const json& params, const char* key) {
  return params.contains(key) && params[key].is_string() ? params[key].get<std::string>() : "";
}
}  // namespace

void DeviceHub::on_hello(std::uint64_t connection_id, const std::string& device_id, const json& id,
                         const json& params) {
  DevicePeers* const peers = peers_.load();
  auto conn = connection_of(device_id);
  if (!conn) return;
  {
    std::lock_guard lock(mutex_);
    auto it = live_.find(device_id);
    if (it == live_.end() || it->second.connection_id != connection_id) return;
    if (it->second.greeted) {
      conn->send_text(jsonrpc::error(id, jsonrpc::kNotAllowedNow, "hello was already sent on this connection"));
      return;
    }
  }
  for (const char* key : {"platform", "architecture", "os_version", "agent_version", "hostname"}) {
    if (!string_or_absent(params, key)) {
      conn->send_text(jsonrpc::error(id, jsonrpc::kInvalidParams, std::string("hello: ") + key + " must be a string"));
      return;
    }
  }
  DeviceHello hello;
  hello.platform = text_of(params, "platform");
  hello.architecture = text_of(params, "architecture");
  hello.os_version = text_of(params, "os_version");
  hello.agent_version = text_of(params, "agent_version");
  hello.hostname = text_of(params, "hostname");
  if (params.contains("capabilities")) {
    const json& caps = params["capabilities"];
    bool ok = caps.is_array() && std::all_of(caps.begin(), caps.end(), [](const json& c) { return c.is_string(); });
    if (!ok) {
      conn->send_text(jsonrpc::error(id, jsonrpc::kInvalidParams, "hello: capabilities must be an array of tool names"));
      return;
    }
    hello.capabilities = caps;
  }
  if (params.contains("tools")) {
    if (!params["tools"].is_array()) {
      conn->send_text(jsonrpc::error(id, jsonrpc::kInvalidParams, "hello: tools must be an array"));
      return;
    }
    hello.tools = params["tools"];
  }
  devices_.record_hello(device_id, hello, now_ms());
  auto device = devices_.get(device_id);
  std::string status = device ? device->status : device_status::kPending;
  {
    std::lock_guard lock(mutex_);
    auto it = live_.find(device_id);
    if (it == live_.end() || it->second.connection_id != connection_id) return;
    it->second.greeted = true;
  }
  conn->send_text(jsonrpc::result(id, {{"device_id", device_id},
                                       {"status", status},
                                       {"health_interval_s", options_.health_interval_s},
                                       {"ping_interval_s", options_.ping_interval_s}}));
  if (status == device_status::kApproved) deliver_next(device_id);
  if (peers) {
    try {
      peers->greeted(device_id);
    } catch (const std::exception& e) {
      log(LogLevel::Error, "devices", "routed commands for " + device_id + ": " + e.what());
    }
  }
}

void DeviceHub::on_output(std::uint64_t connection_id, const json& params) {
  std::string id = text_of(params, "execution_id");
  std::string stream = text_of(params, "stream");
  if (!params.contains("data") || !params["data"].is_string()) return;
  std::shared_ptr<ExecutionHandle> handle;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(id);
    // Only the connection the execution was sent on may write its output.
    if (it == pending_.end() || it->second.connection_id != connection_id) return;
    handle = it->second.handle;
  }
  handle->append(stream == "stderr" ? "stderr" : "stdout", params["data"].get_ref<const std::string&>());
}

void DeviceHub::on_answer(const std::string& device_id, const json& id, const json* result, const std::string& error) {
  if (!id.is_string()) return;
  std::string exec_id = id.get<std::string>();
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(exec_id);
    if (it == pending_.end()) return;  // an answer to a ping or cancel, or too late
    auto d = device_of_.find(it->second.connection_id);
    if (d == device_of_.end() || d->second != device_id) return;  // not this device's execution
  }
  if (!result) return finish(exec_id, execution_status::kFailed, error);
  if (!result->is_object()) return finish(exec_id, execution_status::kFailed, "the agent's answer is not an object");
  std::string status = text_of(*result, "status");
  if (status != execution_status::kCompleted && status != execution_status::kFailed &&
      status != execution_status::kCancelled && status != execution_status::kTimeout)
    status = execution_status::kFailed;
  std::optional<std::string> why;
  if (result->contains("error") && (*result)["error"].is_string()) why = (*result)["error"].get<std::string>();
  if (status == execution_status::kFailed && !why) why = "the tool failed";
  json tool_result = result->contains("result") ? (*result)["result"] : json();
  if (tool_result.is_object() && !tool_result.contains("exit_code") && result->contains("exit_code"))
    tool_result["exit_code"] = (*result)["exit_code"];
  if (tool_result.is_null() && result->contains("exit_code")) tool_result = {{"exit_code", (*result)["exit_code"]}};
  finish(exec_id, status, why, tool_result);
}

void DeviceHub::finish(const std::string& execution_id, const std::string& status, std::optional<std::string> error,
                       const json& result) {
  Pending p;
  std::string device_id;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(execution_id);
    if (it == pending_.end()) return;
    p = std::move(it->second);
    pending_.erase(it);
  }
  auto final_record = p.handle->end(status, std::move(error), result);
  if (!final_record) return;
  device_id = final_record->device_id;
  try {
    executions_.finish(*final_record);
  } catch (const std::exception& e) {
    log(LogLevel::Error, "devices", "could not store the end of " + execution_id + ": " + e.what());
  }
  if (p.routed) tell_ended(execution_id);
  if (p.from_queue) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = live_.find(device_id); it != live_.end() && it->second.delivering == execution_id)
        it->second.delivering.clear();
    }
    deliver_next(device_id);
  }
}

void DeviceHub::drop(std::uint64_t connection_id, const std::string& reason) {
  std::string device_id;
  std::vector<std::string> failed;
  bool was_current = false;
  {
    std::lock_guard lock(mutex_);
    auto d = device_of_.find(connection_id);
    if (d == device_of_.end()) return;
    device_id = d->second;
    device_of_.erase(d);
    if (auto it = live_.find(device_id); it != live_.end() && it->second.connection_id == connection_id) {
      live_.erase(it);
      was_current = true;
    }
    for (const auto& [id, p] : pending_)
      if (p.connection_id == connection_id) failed.push_back(id);
  }
  for (const auto& id : failed) finish(id, execution_status::kFailed, reason);
  try {
    devices_.touch(device_id, now_ms());
  } catch (const std::exception&) {
  }
  // After its executions ended: another daemon then never sees the device held by nobody
  // while one of them still looks running.
  if (was_current) tell_detached(device_id);
  log(LogLevel::Info, "devices", device_id + " disconnected");
}

void DeviceHub::closed(std::uint64_t connection_id, const std::string& why) {
  drop(connection_id, "the device disconnected during the execution" + (why.empty() ? "" : " (" + why + ")"));
}

std::string DeviceHub::why_not_runnable(const std::optional<Device>& device, const std::string& tool) const {
  if (!device) return "deleted";
  if (device->status != device_status::kApproved) return device->status;
  if (!online(device->id)) return "offline";
  if (!may_run_tool(*device, tool)) return "tool_not_on_device";
  return "";
}

bool DeviceHub::connected_here(const std::string& device_id) const {
  std::lock_guard lock(mutex_);
  auto it = live_.find(device_id);
  return it != live_.end() && it->second.greeted;
}

std::vector<std::string> DeviceHub::connected_ids() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [id, live] : live_)
    if (live.greeted) out.push_back(id);
  return out;
}

bool DeviceHub::online(const std::string& device_id) const {
  DevicePeers* const peers = peers_.load();
  if (connected_here(device_id)) return true;  // no database read for our own agents
  return peers && !peers->holder(device_id).empty();
}

std::vector<std::string> DeviceHub::online_ids() const {
  DevicePeers* const peers = peers_.load();
  std::vector<std::string> out = connected_ids();
  if (peers) {
    for (auto& id : peers->online_elsewhere())
      if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
  }
  return out;
}

void DeviceHub::disconnect(const std::string& device_id, int close_code, const std::string& reason) {
  DevicePeers* const peers = peers_.load();
  disconnect_here(device_id, close_code, reason);
  if (peers) peers->disconnect(device_id, close_code, reason);
}

void DeviceHub::disconnect_here(const std::string& device_id, int close_code, const std::string& reason) {
  std::uint64_t cid = 0;
  std::shared_ptr<DeviceConnection> conn;
  {
    std::lock_guard lock(mutex_);
    auto it = live_.find(device_id);
    if (it == live_.end()) return;
    cid = it->second.connection_id;
    conn = it->second.connection;
  }
  // Dropped before the socket closes: the edge's reader would otherwise race to drop it
  // first with a vaguer reason ("disconnected" instead of "device blocked").
  drop(cid, reason + " during the execution");
  conn->close(close_code, reason);
}

void DeviceHub::approved(const std::string& device_id) {
  DevicePeers* const peers = peers_.load();
  if (connection_of(device_id)) {
    // Connected here before the approval: what waited for it goes now.
    deliver_next(device_id);
    return;
  }
  if (peers) peers->deliver_queue(device_id);
}

void DeviceHub::deliver_here(const std::string& device_id) {
  if (connection_of(device_id)) deliver_next(device_id);
}

std::shared_ptr<DeviceConnection> DeviceHub::connection_of(const std::string& device_id) const {
  std::lock_guard lock(mutex_);
  auto it = live_.find(device_id);
  return it == live_.end() ? nullptr : it->second.connection;
}

std::shared_ptr<ExecutionHandle> DeviceHub::running(const std::string& execution_id) const {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(execution_id);
  return it == pending_.end() ? nullptr : it->second.handle;
}

bool DeviceHub::send_execute(const std::string& device_id, const std::shared_ptr<ExecutionHandle>& handle,
                             bool from_queue, bool routed) {
  DeviceExecution e = handle->snapshot();
  std::shared_ptr<DeviceConnection> conn;
  {
    std::lock_guard lock(mutex_);
    auto it = live_.find(device_id);
    if (it == live_.end() || !it->second.greeted) return false;
    conn = it->second.connection;
    Pending p;
    p.handle = handle;
    p.connection_id = it->second.connection_id;
    p.deadline = Clock::now() + std::chrono::seconds(e.timeout_s + options_.answer_grace_s);
    p.from_queue = from_queue;
    p.routed = routed;
    pending_[e.id] = std::move(p);
    if (from_queue) it->second.delivering = e.id;
  }
  json params = {{"execution_id", e.id}, {"tool", e.tool}, {"args", e.args}, {"timeout_s", e.timeout_s}};
  if (!conn->send_text(jsonrpc::request(e.id, "execute", params))) {
    finish(e.id, execution_status::kFailed, "the execution could not be sent: the device disconnected");
    return false;
  }
  return true;
}

void DeviceHub::deliver_next(const std::string& device_id) {
  {
    std::lock_guard lock(mutex_);
    auto it = live_.find(device_id);
    if (it == live_.end() || !it->second.greeted || !it->second.delivering.empty()) return;
    it->second.delivering = "?";  // claimed by this call while it reads the queue
  }
  auto release = [&] {
    std::lock_guard lock(mutex_);
    if (auto it = live_.find(device_id); it != live_.end() && it->second.delivering == "?") it->second.delivering.clear();
  };
  try {
    auto device = devices_.get(device_id);
    if (!device || device->status != device_status::kApproved) return release();
    executions_.expire_due(now_ms());
    for (auto& e : executions_.queued(device_id)) {
      std::int64_t now = now_ms();
      if (!executions_.mark_sent(e.id, now)) continue;  // cancelled meanwhile
      e.status = execution_status::kRunning;
      e.started_ms = now;
      auto handle = std::make_shared<ExecutionHandle>(e, nullptr, options_.output_cap_bytes);
      if (send_execute(device_id, handle, true)) return;  // the next one goes when this one ends
      // Not sent: the connection went away; the rest stay queued for the next connection.
      return release();
    }
  } catch (const std::exception& ex) {
    log(LogLevel::Error, "devices", "delivering the queue of " + device_id + ": " + ex.what());
  }
  release();
}

namespace {

// The record of a new execution as requested; status and times are the caller's.
DeviceExecution new_execution(const ExecuteRequest& r, std::int64_t now) {
  DeviceExecution e;
  e.id = new_id("exec");
  e.device_id = r.device_id;
  e.tool = r.tool;
  e.args = r.args;
  e.timeout_s = r.timeout_s;
  e.source = r.source;
  e.requested_by = r.requested_by;
  e.created_ms = now;
  return e;
}

}  // namespace

void DeviceHub::send_or_fail(const std::shared_ptr<ExecutionHandle>& handle, bool routed) {
  if (send_execute(handle->snapshot().device_id, handle, false, routed) || handle->done()) return;
  auto ended = handle->end(execution_status::kFailed, "the device went offline before the command was sent", nullptr);
  if (!ended) return;
  executions_.finish(*ended);
  if (routed) tell_ended(ended->id);
}

DeviceHub::Adoption DeviceHub::adopt(const std::string& execution_id) {
  auto e = executions_.get(execution_id);
  if (!e || e->status != execution_status::kRunning || e->started_ms) return Adoption::Gone;
  {
    std::lock_guard lock(mutex_);
    auto it = live_.find(e->device_id);
    if (it == live_.end()) return Adoption::NotHere;
    if (!it->second.greeted) return Adoption::Later;
  }
  const std::int64_t now = now_ms();
  // The claim: of several daemons (a duplicate message, a re-read after a lost one), one sends it.
  if (!executions_.claim(execution_id, now)) return Adoption::Gone;
  e->started_ms = now;
  send_or_fail(std::make_shared<ExecutionHandle>(*e, nullptr, options_.output_cap_bytes), true);
  return Adoption::Sent;
}

void DeviceHub::send_cancel(const std::shared_ptr<DeviceConnection>& connection, const std::string& execution_id) {
  if (connection)
    connection->send_text(
        jsonrpc::request("cancel-" + std::to_string(next_request_++), "cancel", {{"execution_id", execution_id}}));
}

std::shared_ptr<ExecutionHandle> DeviceHub::execute(const ExecuteRequest& r, std::shared_ptr<ExecutionObserver> observer) {
  DevicePeers* const peers = peers_.load();
  auto device = devices_.get(r.device_id);
  if (!device) throw ExecuteRefused(404, "not_found", "no device with id " + r.device_id);
  if (device->status != device_status::kApproved)
    throw ExecuteRefused(409, "device_not_approved", "device " + r.device_id + " is " + device->status +
                                                         "; only approved devices run commands");
  if (r.timeout_s < 1 || r.timeout_s > options_.max_timeout_s)
    throw ExecuteRefused(400, "invalid_field", "timeout must be between 1 and " + std::to_string(options_.max_timeout_s) + " s");
  if (!may_run_tool(*device, r.tool))
    throw ExecuteRefused(400, "tool_not_on_device", "device " + device->name + " has no tool '" + r.tool +
                                                        "' (its agent loaded: " + device->capabilities.dump() + ")");
  const bool here = connected_here(r.device_id);
  const std::string holder = here || !peers ? std::string() : peers->holder(r.device_id);
  if (!here && holder.empty() && !r.queue_if_offline)
    throw ExecuteRefused(409, "device_offline", "device " + device->name + " is offline");

  DeviceExecution e = new_execution(r, now_ms());
  if (!here && holder.empty()) {
    e.status = execution_status::kQueued;
    e.expires_ms = e.created_ms + r.queue_expiry_s * 1000;
    executions_.insert(e);
    auto handle = std::make_shared<ExecutionHandle>(e, observer, options_.output_cap_bytes);
    // The device may have connected between the check and the insert: deliver now then.
    if (connected_here(r.device_id)) {
      deliver_next(r.device_id);
    } else if (peers) {
      peers->deliver_queue(r.device_id);
    }
    return handle;
  }
  if (!here) {
    // Held by another daemon: stored running but unclaimed (no started_ms); that daemon
    // claims it and sends it (adopt), and the peers end this handle from the stored end.
    e.status = execution_status::kRunning;
    executions_.insert(e);
    auto handle = std::make_shared<ExecutionHandle>(e, std::move(observer), options_.output_cap_bytes);
    peers->route(holder, handle);
    return handle;
  }
  e.status = execution_status::kRunning;
  e.started_ms = e.created_ms;
  executions_.insert(e);
  auto handle = std::make_shared<ExecutionHandle>(e, std::move(observer), options_.output_cap_bytes);
  send_or_fail(handle);
  return handle;
}

std::vector<std::shared_ptr<ExecutionHandle>> DeviceHub::execute_all(const std::vector<ExecuteRequest>& requests) {
  DevicePeers* const peers = peers_.load();
  std::vector<DeviceExecution> records;
  std::vector<std::string> holders;  // "" : sent from here
  std::int64_t now = now_ms();
  for (const auto& r : requests) {
    DeviceExecution e = new_execution(r, now);
    e.status = execution_status::kRunning;
    const bool here = connected_here(r.device_id);
    holders.push_back(here || !peers ? std::string() : peers->holder(r.device_id));
    if (holders.back().empty()) e.started_ms = now;  // else the holder claims it
    records.push_back(std::move(e));
  }
  executions_.insert_all(records);
  std::vector<std::shared_ptr<ExecutionHandle>> handles;
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto handle = std::make_shared<ExecutionHandle>(records[i], nullptr, options_.output_cap_bytes);
    if (holders[i].empty()) {
      send_or_fail(handle);
    } else {
      peers->route(holders[i], handle);
    }
    handles.push_back(std::move(handle));
  }
  return handles;
}

bool DeviceHub::cancel(const std::string& execution_id, const std::string& by) {
  DevicePeers* const peers = peers_.load();
  if (cancel_here(execution_id, by)) return true;
  // Not running here: it may run where another daemon holds its device.
  return peers && peers->cancel(execution_id, by);
}

bool DeviceHub::cancel_here(const std::string& execution_id, const std::string& by) {
  std::shared_ptr<DeviceConnection> conn;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(execution_id);
    if (it == pending_.end()) return false;
    auto d = device_of_.find(it->second.connection_id);
    if (d != device_of_.end()) conn = live_.at(d->second).connection;
    // The agent answers the execute with `cancelled`; if it never does, the deadline ends it.
    it->second.deadline = std::min(it->second.deadline, Clock::now() + std::chrono::seconds(options_.answer_grace_s));
    it->second.cancel_asked = true;
  }
  log(LogLevel::Info, "devices", "cancel of " + execution_id + " asked by " + by);
  send_cancel(conn, execution_id);
  return true;
}

void DeviceHub::sweep() {
  const auto now = Clock::now();
  const auto ping_after = std::chrono::seconds(options_.ping_interval_s);
  std::vector<std::pair<std::uint64_t, std::shared_ptr<DeviceConnection>>> silent, to_ping;
  struct Overdue {
    std::string id;
    std::shared_ptr<DeviceConnection> conn;
    bool cancel_asked;
  };
  std::vector<Overdue> overdue;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, live] : live_) {
      auto quiet = now - live.last_received;
      if (quiet > 3 * ping_after) {
        silent.emplace_back(live.connection_id, live.connection);
      } else if (quiet > ping_after && !live.ping_outstanding) {
        live.ping_outstanding = true;
        to_ping.emplace_back(live.connection_id, live.connection);
      }
    }
    for (const auto& [id, p] : pending_)
      if (now >= p.deadline) {
        std::shared_ptr<DeviceConnection> conn;
        if (auto d = device_of_.find(p.connection_id); d != device_of_.end()) conn = live_.at(d->second).connection;
        overdue.push_back({id, conn, p.cancel_asked});
      }
  }
  for (auto& [cid, conn] : silent) {
    drop(cid, "the device went silent during the execution");
    conn->close(1001, "no message for " + std::to_string(3 * options_.ping_interval_s) + " s");
  }
  for (auto& [cid, conn] : to_ping)
    conn->send_text(jsonrpc::request("ping-" + std::to_string(next_request_++), "ping", json::object()));
  for (auto& o : overdue) {
    if (o.cancel_asked) {
      finish(o.id, execution_status::kCancelled, "cancelled; the device did not confirm in time");
      continue;
    }
    send_cancel(o.conn, o.id);
    finish(o.id, execution_status::kTimeout, "no answer from the device within the timeout");
  }
}

}  // namespace steward

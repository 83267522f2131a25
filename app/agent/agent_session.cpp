#include "app/agent/agent_session.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>

#include "core/devices/jsonrpc.hpp"
#include "core/util/clock.hpp"
#include "core/util/json_schema.hpp"
#include "core/util/log.hpp"

namespace steward::agent {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// Why an execution stopped before its tool finished on its own.
enum Stop : int { kRunning = 0, kCancelledByHub = 1, kTimedOut = 2, kDisconnected = 3 };

// Kept below the protocol's 1 MiB frame even if every byte is escaped as \u00XX.
constexpr std::size_t kMaxOutputPiece = 128 * 1024;
constexpr std::size_t kFinishedIdsKept = 512;

}  // namespace

std::size_t complete_utf8_prefix(std::string_view s) {
  const std::size_t n = s.size();
  for (std::size_t back = 1; back <= std::min<std::size_t>(4, n); ++back) {
    const auto c = static_cast<unsigned char>(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // a continuation byte: look further back for the lead
    const std::size_t need = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    return back < need ? n - back : n;
  }
  return n;  // only continuation bytes: invalid whatever follows, sent (and replaced) as is
}

// What execution threads share with the session; kept alive by them, so a thread left
// behind by on_disconnect() never touches a destroyed session.
struct AgentSession::Core {
  explicit Core(Send s) : send(std::move(s)) {}

  // Serialized, and nothing once closed: after on_disconnect() returns, `send` (which may
  // refer to a socket being torn down) is never called again.
  void emit(const std::string& text) {
    std::lock_guard lock(send_mutex);
    if (closed) return;
    try {
      send(text);
    } catch (const std::exception& e) {
      log(LogLevel::Warning, "agent", std::string("sending a message failed: ") + e.what());
    }
  }

  Send send;
  std::mutex send_mutex;
  bool closed = false;  // under send_mutex

  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::shared_ptr<Execution>> running;  // by execution id
  std::deque<std::string> finished;                             // recent ids, for cancel's answer
};

struct AgentSession::Execution final : CallContext {
  Execution(std::shared_ptr<Core> c, std::string exec_id, json request, std::int64_t timeout)
      : core(std::move(c)), id(std::move(exec_id)), request_id(std::move(request)), timeout_s(timeout),
        deadline(Clock::now() + std::chrono::seconds(timeout)) {}

  bool on_output(steward_stream stream, std::string_view chunk) override {
    std::string& carry = carries[stream == STEWARD_STREAM_STDERR ? 1 : 0];
    carry.append(chunk);
    std::string_view pending(carry);
    std::size_t complete = complete_utf8_prefix(pending);
    // A tail that can never complete (more than 3 bytes held back) is flushed as is.
    if (pending.size() - complete > 3) complete = pending.size();
    send_output(stream, pending.substr(0, complete));
    carry.erase(0, complete);
    return !cancelled();
  }

  void flush_output() {
    for (int i = 0; i < 2; ++i) {
      send_output(i == 1 ? STEWARD_STREAM_STDERR : STEWARD_STREAM_STDOUT, carries[i]);
      carries[i].clear();
    }
  }

  void send_output(steward_stream stream, std::string_view data) {
    while (!data.empty()) {
      std::size_t n = std::min(data.size(), kMaxOutputPiece);
      if (n < data.size()) {
        std::size_t cut = complete_utf8_prefix(data.substr(0, n));
        if (cut > 0) n = cut;
      }
      core->emit(jsonrpc::notification(
          "output", {{"execution_id", id},
                     {"stream", stream == STEWARD_STREAM_STDERR ? "stderr" : "stdout"},
                     {"data", std::string(data.substr(0, n))}}));
      data.remove_prefix(n);
    }
  }

  // The agent enforces timeout_s here: every poll by the tool compares against the deadline.
  bool cancelled() const override {
    if (stop.load() != kRunning) return true;
    if (Clock::now() >= deadline) {
      int expected = kRunning;
      stop.compare_exchange_strong(expected, kTimedOut);
      return true;
    }
    return false;
  }

  std::shared_ptr<Core> core;
  std::string id;
  json request_id;
  std::int64_t timeout_s;
  Clock::time_point deadline;
  mutable std::atomic<int> stop{kRunning};
  std::string carries[2];  // stdout, stderr: an incomplete UTF-8 sequence held back
  bool done = false;       // under core->mutex
};

AgentSession::AgentSession(const PluginRegistry& registry, HostFacts facts, Send send, SessionOptions options)
    : registry_(registry), facts_(std::move(facts)), options_(options), core_(std::make_shared<Core>(std::move(send))) {}

AgentSession::~AgentSession() { on_disconnect(); }

std::string AgentSession::hello_request() {
  json params = facts_.to_json();
  json capabilities = json::array(), tools = json::array();
  for (const PluginInfo& p : registry_.plugins()) {
    if (p.status != "loaded" || p.kind != "tool") continue;
    capabilities.push_back(p.name);
    tools.push_back({{"name", p.name}, {"version", p.version}, {"args_schema", p.args_schema}});
  }
  params["capabilities"] = capabilities;
  params["tools"] = tools;
  std::lock_guard lock(state_mutex_);
  hello_id_ = next_request_id_++;
  hello_state_ = HelloState::Waiting;
  return jsonrpc::request(hello_id_, "hello", params);
}

AgentSession::HelloState AgentSession::hello_state() const {
  std::lock_guard lock(state_mutex_);
  return hello_state_;
}
std::string AgentSession::hello_error() const {
  std::lock_guard lock(state_mutex_);
  return hello_error_;
}
std::string AgentSession::device_id() const {
  std::lock_guard lock(state_mutex_);
  return device_id_;
}
std::string AgentSession::device_status() const {
  std::lock_guard lock(state_mutex_);
  return device_status_;
}
std::size_t AgentSession::running_executions() const {
  std::lock_guard lock(core_->mutex);
  return core_->running.size();
}

void AgentSession::on_message(const std::string& text) {
  {
    std::lock_guard lock(core_->send_mutex);
    if (core_->closed) return;
  }
  jsonrpc::Message m = jsonrpc::parse(text);
  switch (m.kind) {
    case jsonrpc::Message::Kind::Invalid: {
      log(LogLevel::Warning, "agent", "the hub sent an invalid message: " + m.error_message);
      // Params that are not an object are the method's problem (invalid params), not the
      // envelope's: a request that is otherwise well formed gets -32602.
      json raw = json::parse(text, nullptr, false);
      if (raw.is_object() && raw.contains("method") && raw["method"].is_string() && raw.contains("params") &&
          !raw["params"].is_object() && raw.contains("id")) {
        core_->emit(jsonrpc::error(m.id, jsonrpc::kInvalidParams, "invalid params: params must be an object"));
        return;
      }
      core_->emit(jsonrpc::error(m.id, m.error_code, m.error_message));
      return;
    }
    case jsonrpc::Message::Kind::Request:
      handle_request(m.id, m.method, m.params);
      return;
    case jsonrpc::Message::Kind::Notification:
      // Nothing is defined hub → agent; notifications are never answered.
      log(LogLevel::Debug, "agent", "ignored notification '" + m.method + "'");
      return;
    case jsonrpc::Message::Kind::Result: {
      std::lock_guard lock(state_mutex_);
      if (hello_state_ != HelloState::Waiting || m.id != hello_id_) return;
      const json& r = m.result;
      if (r.is_object()) {
        if (r.contains("device_id") && r["device_id"].is_string()) device_id_ = r["device_id"].get<std::string>();
        if (r.contains("status") && r["status"].is_string()) device_status_ = r["status"].get<std::string>();
        auto interval = [&](const char* field, std::atomic<int>& into) {
          if (r.contains(field) && r[field].is_number_integer() && r[field].get<long long>() > 0 &&
              r[field].get<long long>() <= 86400)
            into = r[field].get<int>();
        };
        interval("health_interval_s", health_interval_s_);
        interval("ping_interval_s", ping_interval_s_);
      }
      hello_state_ = HelloState::Accepted;
      return;
    }
    case jsonrpc::Message::Kind::Error: {
      std::lock_guard lock(state_mutex_);
      if (hello_state_ == HelloState::Waiting && m.id == hello_id_) {
        hello_state_ = HelloState::Rejected;
        hello_error_ = m.error_message + " (" + std::to_string(m.error_code) + ")";
      }
      log(LogLevel::Warning, "agent", "the hub answered an error: " + m.error_message);
      return;
    }
  }
}

void AgentSession::handle_request(const json& id, const std::string& method, const json& params) {
  if (method == "execute") return execute(id, params);
  if (method == "cancel") return cancel(id, params);
  if (method == "ping") {
    core_->emit(jsonrpc::result(id, {{"time", iso8601(now_ms())}}));
    return;
  }
  core_->emit(jsonrpc::error(id, jsonrpc::kMethodNotFound, "method not found: '" + method + "'"));
}

void AgentSession::execute(const json& id, const json& params) {
  auto invalid = [&](const std::string& why) {
    core_->emit(jsonrpc::error(id, jsonrpc::kInvalidParams, "invalid params: " + why));
  };
  if (!params.contains("execution_id") || !params["execution_id"].is_string() ||
      params["execution_id"].get<std::string>().empty())
    return invalid("execution_id must be a non-empty string");
  if (!params.contains("tool") || !params["tool"].is_string() || params["tool"].get<std::string>().empty())
    return invalid("tool must be a non-empty string");
  json args = params.contains("args") ? params["args"] : json::object();
  if (!args.is_object()) return invalid("args must be an object");
  std::int64_t timeout_s = options_.default_timeout_s;
  if (params.contains("timeout_s")) {
    if (!params["timeout_s"].is_number_integer() || params["timeout_s"].get<std::int64_t>() < 1 ||
        params["timeout_s"].get<std::int64_t>() > 31536000)
      return invalid("timeout_s must be an integer from 1 to 31536000");
    timeout_s = params["timeout_s"].get<std::int64_t>();
  }
  const std::string exec_id = params["execution_id"].get<std::string>();
  const std::string tool_name = params["tool"].get<std::string>();
  const Plugin* tool = registry_.tool(tool_name);
  if (!tool) {
    core_->emit(jsonrpc::error(id, jsonrpc::kToolNotLoaded, "tool '" + tool_name + "' is not loaded on this agent"));
    return;
  }

  auto exec = std::make_shared<Execution>(core_, exec_id, id, timeout_s);
  {
    std::lock_guard lock(core_->mutex);
    if (core_->running.count(exec_id)) return invalid("execution " + exec_id + " is already running");
    core_->running[exec_id] = exec;
  }
  reap_finished_threads();

  std::thread worker([core = core_, exec, tool, tool_name, args] {
    const auto started = Clock::now();
    steward_rc rc = STEWARD_ERROR;
    // The same check the daemon's run engine makes before a tool runs.
    if (auto violation = validate_json(tool->schema(), args, "args")) {
      exec->error = violation->text();
    } else {
      try {
        rc = tool->run(*exec, args.dump());
      } catch (const std::exception& e) {
        exec->error = std::string("the tool threw: ") + e.what();
      }
    }
    exec->flush_output();

    json result = exec->result.empty() ? json(nullptr) : json::parse(exec->result, nullptr, false);
    if (result.is_discarded()) result = nullptr;
    json answer = {{"execution_id", exec->id}, {"result", result}, {"error", nullptr}, {"exit_code", nullptr}};
    if (result.is_object() && result.contains("exit_code") && result["exit_code"].is_number_integer())
      answer["exit_code"] = result["exit_code"];
    // A tool that finished on its own before noticing a stop request counts as finished.
    const int stop = exec->stop.load();
    if (stop == kTimedOut) {
      answer["status"] = "timeout";
      answer["error"] = "timed out after " + std::to_string(exec->timeout_s) + " s";
    } else if (stop == kCancelledByHub || rc == STEWARD_CANCELLED) {
      answer["status"] = "cancelled";
      answer["error"] = stop == kCancelledByHub ? "cancelled by the hub" : "the tool reported it was cancelled";
    } else if (rc == STEWARD_OK) {
      answer["status"] = "completed";
    } else {
      answer["status"] = "failed";
      answer["error"] = exec->error.empty() ? "the tool '" + tool_name + "' failed" : exec->error;
    }
    answer["duration_ms"] =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    {
      std::lock_guard lock(core->mutex);
      core->running.erase(exec->id);
      core->finished.push_back(exec->id);
      if (core->finished.size() > kFinishedIdsKept) core->finished.pop_front();
      exec->done = true;
    }
    // After a disconnect emit() drops it: the hub has already failed the execution.
    core->emit(jsonrpc::result(exec->request_id, answer));
    core->changed.notify_all();
  });
  std::lock_guard lock(threads_mutex_);
  threads_.emplace_back(exec, std::move(worker));
}

void AgentSession::cancel(const json& id, const json& params) {
  if (!params.contains("execution_id") || !params["execution_id"].is_string()) {
    core_->emit(jsonrpc::error(id, jsonrpc::kInvalidParams, "invalid params: execution_id must be a string"));
    return;
  }
  const std::string exec_id = params["execution_id"].get<std::string>();
  bool cancelled = false, known = false;
  {
    std::lock_guard lock(core_->mutex);
    auto it = core_->running.find(exec_id);
    if (it != core_->running.end()) {
      int expected = kRunning;
      cancelled = it->second->stop.compare_exchange_strong(expected, kCancelledByHub);
      known = true;
    } else {
      known = std::find(core_->finished.begin(), core_->finished.end(), exec_id) != core_->finished.end();
    }
  }
  if (!known) {
    core_->emit(jsonrpc::error(id, jsonrpc::kUnknownExecution, "unknown execution id '" + exec_id + "'"));
    return;
  }
  // false: it already ended (or is already stopping for another reason).
  core_->emit(jsonrpc::result(id, {{"cancelled", cancelled}}));
}

void AgentSession::reap_finished_threads() {
  std::vector<std::thread> finished;
  {
    std::lock_guard threads_lock(threads_mutex_);
    std::lock_guard lock(core_->mutex);
    for (auto it = threads_.begin(); it != threads_.end();) {
      if (it->first->done) {
        finished.push_back(std::move(it->second));
        it = threads_.erase(it);
      } else {
        ++it;
      }
    }
  }
  // `done` is set just before the thread's last send; join waits for that, outside the locks.
  for (auto& t : finished) t.join();
}

void AgentSession::on_disconnect() {
  {
    std::lock_guard lock(core_->send_mutex);
    core_->closed = true;
  }
  std::vector<std::pair<std::shared_ptr<Execution>, std::thread>> threads;
  {
    std::lock_guard lock(threads_mutex_);
    threads.swap(threads_);
  }
  std::unique_lock lock(core_->mutex);
  for (auto& [id, exec] : core_->running) {
    int expected = kRunning;
    exec->stop.compare_exchange_strong(expected, kDisconnected);
  }
  core_->changed.wait_for(lock, options_.disconnect_wait, [&] { return core_->running.empty(); });
  std::vector<std::string> left;
  for (auto& [exec, thread] : threads) {
    if (exec->done) {
      lock.unlock();
      thread.join();
      lock.lock();
    } else {
      left.push_back(exec->id);
      thread.detach();  // it holds its own references to what it touches
    }
  }
  lock.unlock();
  for (const auto& id : left)
    log(LogLevel::Warning, "agent", "execution " + id + " ignored cancellation; left to finish on its own");
}

namespace {

class HealthCall : public CallContext {
 public:
  bool on_output(steward_stream, std::string_view) override { return true; }
};

}  // namespace

std::string AgentSession::health_notification() const {
  json health;
  if (const Plugin* info = registry_.tool("system_info")) {
    HealthCall call;
    json args = {{"what", "health"}, {"sample_ms", options_.health_sample_ms}};
    if (info->run(call, args.dump()) == STEWARD_OK) {
      json r = json::parse(call.result.empty() ? "{}" : call.result, nullptr, false);
      if (r.is_object() && r.contains("health")) health = r["health"];
    } else {
      log(LogLevel::Warning, "agent", "system_info failed: " + call.error);
    }
  }
  return jsonrpc::notification("health", health_params(health, now_ms()));
}

void AgentSession::send_health() {
  std::string text = health_notification();
  core_->emit(text);
}

json health_params(const json& h, std::int64_t now) {
  json p = json::object();
  if (h.is_object()) {
    auto number = [&](const json& v) { return v.is_number(); };
    if (h.contains("cpu_percent") && number(h["cpu_percent"])) p["cpu_percent"] = h["cpu_percent"];
    if (h.contains("memory") && h["memory"].is_object() && h["memory"].contains("used_percent") &&
        number(h["memory"]["used_percent"]) && h["memory"].value("total_bytes", 0.0) > 0)
      p["memory_percent"] = h["memory"]["used_percent"];
    if (h.contains("disks") && h["disks"].is_array()) {
      std::optional<double> fullest;
      for (const json& d : h["disks"])
        if (d.is_object() && d.contains("used_percent") && number(d["used_percent"]))
          fullest = std::max(fullest.value_or(0.0), d["used_percent"].get<double>());
      if (fullest) p["disk_percent"] = *fullest;
    }
    if (h.contains("load_average") && h["load_average"].is_array() && h["load_average"].size() == 3)
      p["load_average"] = h["load_average"];
    if (h.contains("uptime_s") && number(h["uptime_s"]))
      p["uptime_seconds"] = static_cast<std::int64_t>(h["uptime_s"].get<double>());
    if (h.contains("network") && h["network"].is_object() && h["network"].contains("total") &&
        h["network"]["total"].is_object()) {
      const json& t = h["network"]["total"];
      if (t.contains("tx_bytes") && t.contains("rx_bytes") && number(t["tx_bytes"]) && number(t["rx_bytes"]))
        p["network"] = {{"bytes_sent", t["tx_bytes"]}, {"bytes_recv", t["rx_bytes"]}};
    }
  }
  p["timestamp"] = iso8601(now);
  return p;
}

}  // namespace steward::agent

#include "core/devices/execution_store.hpp"

#include "core/util/clock.hpp"

namespace steward {

using nlohmann::json;
using store::nullable;
using store::Value;

namespace {

const char* kColumns =
    "id, device_id, tool, args_json, timeout_s, status, output, output_truncated, error, result_json, exit_code, "
    "source, requested_by, created_ms, expires_ms, started_ms, finished_ms";


DeviceExecution from_row(const store::Row& r) {
  DeviceExecution e;
  e.id = r.text(0);
  e.device_id = r.text(1);
  e.tool = r.text(2);
  e.args = json::parse(r.text(3), nullptr, false);
  e.timeout_s = r.integer(4);
  e.status = r.text(5);
  e.output = r.text(6);
  e.output_truncated = r.integer(7) != 0;
  e.error = r.optional_text(8);
  if (auto res = r.optional_text(9)) e.result = json::parse(*res, nullptr, false);
  e.exit_code = r.optional_integer(10);
  e.source = r.text(11);
  e.requested_by = r.text(12);
  e.created_ms = r.integer(13);
  e.expires_ms = r.optional_integer(14);
  e.started_ms = r.optional_integer(15);
  e.finished_ms = r.optional_integer(16);
  return e;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

void ExecutionStore::insert(const DeviceExecution& e) {
  db_.execute(std::string("INSERT INTO device_executions (") + kColumns +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {e.id, e.device_id, e.tool, dump(e.args), e.timeout_s, e.status, e.output,
               std::int64_t{e.output_truncated}, nullable(e.error), e.result.is_null() ? Value(nullptr) : Value(dump(e.result)),
               nullable(e.exit_code), e.source, e.requested_by, e.created_ms, nullable(e.expires_ms), nullable(e.started_ms),
               nullable(e.finished_ms)});
}

void ExecutionStore::insert_all(const std::vector<DeviceExecution>& executions) {
  db_.transaction([&] {
    for (const auto& e : executions) insert(e);
  });
}

bool ExecutionStore::mark_sent(const std::string& id, std::int64_t at_ms) {
  return db_.execute("UPDATE device_executions SET status = 'running', started_ms = ? WHERE id = ? AND status = 'queued'",
                     {at_ms, id}) == 1;
}

void ExecutionStore::finish(const DeviceExecution& e) {
  db_.execute(
      "UPDATE device_executions SET status = ?, output = ?, output_truncated = ?, error = ?, result_json = ?, "
      "exit_code = ?, started_ms = ?, finished_ms = ? WHERE id = ?",
      {e.status, e.output, std::int64_t{e.output_truncated}, nullable(e.error),
       e.result.is_null() ? Value(nullptr) : Value(dump(e.result)), nullable(e.exit_code), nullable(e.started_ms),
       nullable(e.finished_ms), e.id});
}

std::optional<DeviceExecution> ExecutionStore::get(const std::string& id) {
  auto row = db_.query_one(std::string("SELECT ") + kColumns + " FROM device_executions WHERE id = ?", {id});
  if (!row) return std::nullopt;
  return from_row(*row);
}

std::vector<DeviceExecution> ExecutionStore::list(const std::string& device_id, int limit, int offset) {
  std::vector<DeviceExecution> out;
  for (const auto& r : db_.query(std::string("SELECT ") + kColumns +
                                     " FROM device_executions WHERE device_id = ? ORDER BY created_ms DESC, id DESC "
                                     "LIMIT ? OFFSET ?",
                                 {device_id, std::int64_t{limit}, std::int64_t{offset}}))
    out.push_back(from_row(r));
  return out;
}

std::int64_t ExecutionStore::count(const std::string& device_id) {
  auto row = db_.query_one("SELECT COUNT(*) FROM device_executions WHERE device_id = ?", {device_id});
  return row ? row->integer(0) : 0;
}

std::vector<DeviceExecution> ExecutionStore::queued(const std::string& device_id) {
  std::vector<DeviceExecution> out;
  for (const auto& r : db_.query(std::string("SELECT ") + kColumns +
                                     " FROM device_executions WHERE device_id = ? AND status = 'queued' "
                                     "ORDER BY created_ms, rowid",
                                 {device_id}))
    out.push_back(from_row(r));
  return out;
}

int ExecutionStore::expire_due(std::int64_t now) {
  return static_cast<int>(db_.execute(
      "UPDATE device_executions SET status = 'expired', finished_ms = ?, "
      "error = 'the device did not connect before the command expired' "
      "WHERE status = 'queued' AND expires_ms IS NOT NULL AND expires_ms <= ?",
      {now, now}));
}

bool ExecutionStore::cancel_queued(const std::string& device_id, const std::string& id, const std::string& by) {
  return db_.execute(
             "UPDATE device_executions SET status = 'cancelled', finished_ms = ?, "
             "error = ? WHERE id = ? AND device_id = ? AND status = 'queued'",
             {now_ms(), "cancelled by " + by + " before it was sent", id, device_id}) == 1;
}

int ExecutionStore::clear_queue(const std::string& device_id, const std::string& by) {
  return static_cast<int>(db_.execute(
      "UPDATE device_executions SET status = 'cancelled', finished_ms = ?, "
      "error = ? WHERE device_id = ? AND status = 'queued'",
      {now_ms(), "cancelled by " + by + " (queue cleared) before it was sent", device_id}));
}

int ExecutionStore::interrupt_unfinished(const std::string& reason) {
  return static_cast<int>(db_.execute(
      "UPDATE device_executions SET status = 'failed', finished_ms = ?, error = ? "
      "WHERE status = 'running'",
      {now_ms(), reason}));
}

int ExecutionStore::interrupt_orphaned(const std::string& reason) {
  return static_cast<int>(db_.execute(
      "UPDATE device_executions SET status = 'failed', finished_ms = ?, error = ? "
      "WHERE status = 'running' AND device_id NOT IN "
      "(SELECT d.id FROM devices d JOIN daemons m ON m.id = d.daemon_id)",
      {now_ms(), reason}));
}

bool ExecutionStore::claim(const std::string& id, std::int64_t at_ms) {
  return db_.execute(
             "UPDATE device_executions SET started_ms = ? WHERE id = ? AND status = 'running' AND started_ms IS NULL",
             {at_ms, id}) == 1;
}

std::vector<std::string> ExecutionStore::unclaimed(const std::string& device_id) {
  std::vector<std::string> out;
  for (const auto& r : db_.query("SELECT id FROM device_executions WHERE device_id = ? AND status = 'running' "
                                 "AND started_ms IS NULL ORDER BY created_ms, id",
                                 {device_id}))
    out.push_back(r.text(0));
  return out;
}

bool ExecutionStore::end_unclaimed(const std::string& id, const std::string& status, const std::string& reason) {
  return db_.execute(
             "UPDATE device_executions SET status = ?, finished_ms = ?, error = ? "
             "WHERE id = ? AND status = 'running' AND started_ms IS NULL",
             {status, now_ms(), reason, id}) == 1;
}

bool ExecutionStore::fail_if_running(const std::string& id, const std::string& reason) {
  return db_.execute(
             "UPDATE device_executions SET status = 'failed', finished_ms = ?, error = ? WHERE id = ? AND status = 'running'",
             {now_ms(), reason, id}) == 1;
}

std::vector<std::string> ExecutionStore::fail_sent(const std::string& device_id, const std::string& reason) {
  return db_.transaction([&] {
    std::vector<std::string> ids;
    for (const auto& r : db_.query("SELECT id FROM device_executions WHERE device_id = ? AND status = 'running' "
                                   "AND started_ms IS NOT NULL",
                                   {device_id}))
      ids.push_back(r.text(0));
    for (const auto& id : ids)
      db_.execute("UPDATE device_executions SET status = 'failed', finished_ms = ?, error = ? "
                  "WHERE id = ? AND status = 'running'",
                  {now_ms(), reason, id});
    return ids;
  });
}

}  // namespace steward

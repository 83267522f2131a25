#include "core/devices/transfer.hpp"

#include "core/util/clock.hpp"
#include "core/util/json_time.hpp"
#include "core/util/ids.hpp"
#include "core/util/log.hpp"

namespace steward {

using nlohmann::json;
using store::nullable;
using store::Value;

namespace {

const char* kColumns =
    "id, device_id, direction, local_path, remote_path, status, bytes_total, bytes_done, sha256, error, "
    "requested_by, created_ms, finished_ms";

Transfer from_row(const store::Row& r) {
  Transfer t;
  t.id = r.text(0);
  t.device_id = r.text(1);
  t.direction = r.text(2);
  t.local_path = r.text(3);
  t.remote_path = r.text(4);
  t.status = r.text(5);
  t.bytes_total = r.optional_integer(6);
  t.bytes_done = r.integer(7);
  t.sha256 = r.optional_text(8);
  t.error = r.optional_text(9);
  t.requested_by = r.text(10);
  t.created_ms = r.integer(11);
  t.finished_ms = r.optional_integer(12);
  return t;
}

// One filesystem call that failed: the message names the side and the path.
struct StepFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace

json to_json(const Transfer& t) {
  json percent;
  if (t.bytes_total && *t.bytes_total > 0) percent = (t.bytes_done * 1000 / *t.bytes_total) / 10.0;
  else if (t.bytes_total && t.status == "completed") percent = 100.0;
  return {{"transfer_id", t.id},
          {"device_id", t.device_id},
          {"direction", t.direction},
          {"local_path", t.local_path},
          {"remote_path", t.remote_path},
          {"status", t.status},
          {"bytes_total", t.bytes_total ? json(*t.bytes_total) : json()},
          {"bytes_done", t.bytes_done},
          {"percent", percent},
          {"sha256", t.sha256 ? json(*t.sha256) : json()},
          {"error", t.error ? json(*t.error) : json()},
          {"requested_by", t.requested_by},
          {"created_at", iso8601(t.created_ms)},
          {"finished_at", iso8601_or_null(t.finished_ms)}};
}

void TransferStore::insert(const Transfer& t) {
  db_.execute(std::string("INSERT INTO device_transfers (") + kColumns +
                  ", started_ms, daemon_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {t.id, t.device_id, t.direction, t.local_path, t.remote_path, t.status, nullable(t.bytes_total), t.bytes_done,
               nullable(t.sha256), nullable(t.error), t.requested_by, t.created_ms, nullable(t.finished_ms), t.created_ms,
               owner_.empty() ? store::Value(nullptr) : store::Value(owner_)});
}

void TransferStore::progress(const std::string& id, std::optional<std::int64_t> total, std::int64_t done) {
  db_.execute("UPDATE device_transfers SET bytes_total = ?, bytes_done = ? WHERE id = ?", {nullable(total), done, id});
}

void TransferStore::finish(const Transfer& t) {
  db_.execute("UPDATE device_transfers SET status = ?, bytes_total = ?, bytes_done = ?, sha256 = ?, error = ?, "
              "finished_ms = ? WHERE id = ?",
              {t.status, nullable(t.bytes_total), t.bytes_done, nullable(t.sha256), nullable(t.error), nullable(t.finished_ms), t.id});
}

std::vector<Transfer> TransferStore::list(const std::string& device_id, int limit, int offset) {
  std::vector<Transfer> out;
  for (const auto& r : db_.query(std::string("SELECT ") + kColumns +
                                     " FROM device_transfers WHERE device_id = ? ORDER BY created_ms DESC, id DESC "
                                     "LIMIT ? OFFSET ?",
                                 {device_id, std::int64_t{limit}, std::int64_t{offset}}))
    out.push_back(from_row(r));
  return out;
}

std::int64_t TransferStore::count(const std::string& device_id) {
  auto row = db_.query_one("SELECT COUNT(*) FROM device_transfers WHERE device_id = ?", {device_id});
  return row ? row->integer(0) : 0;
}

int TransferStore::interrupt_unfinished(const std::string& reason, const std::optional<std::string>& daemon_id) {
  if (daemon_id)
    return static_cast<int>(db_.execute(
        "UPDATE device_transfers SET status = 'failed', error = ?, finished_ms = ? WHERE status = 'running' AND daemon_id = ?",
        {reason, now_ms(), *daemon_id}));
  return static_cast<int>(db_.execute(
      "UPDATE device_transfers SET status = 'failed', error = ?, finished_ms = ? WHERE status = 'running'",
      {reason, now_ms()}));
}

TransferService::~TransferService() {
  stopping_ = true;
  std::lock_guard lock(mutex_);
  for (auto& w : workers_)
    if (w.thread.joinable()) w.thread.join();
}

Transfer TransferService::start(const std::string& device_id, const std::string& direction,
                                const std::string& local_path, const std::string& remote_path,
                                const std::string& requested_by) {
  auto device = devices_.get(device_id);
  if (!device) throw ExecuteRefused(404, "not_found", "no device with id " + device_id);
  if (device->status != device_status::kApproved)
    throw ExecuteRefused(409, "device_not_approved", "device " + device_id + " is " + device->status);
  if (!hub_.online(device_id)) throw ExecuteRefused(409, "device_offline", "device " + device->name + " is offline");
  if (!lists_tool(*device, "filesystem"))
    throw ExecuteRefused(400, "tool_not_on_device", "device " + device->name + " has no filesystem tool");
  if (!local_.tool("filesystem"))
    throw ExecuteRefused(400, "tool_not_loaded", "this daemon has no filesystem tool loaded");

  Transfer t;
  t.id = new_id("xfer");
  t.device_id = device_id;
  t.direction = direction;
  t.local_path = local_path;
  t.remote_path = remote_path;
  t.requested_by = requested_by;
  t.created_ms = now_ms();
  store_.insert(t);

  std::lock_guard lock(mutex_);
  for (auto it = workers_.begin(); it != workers_.end();) {  // reap finished copies
    if (it->done->load()) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
  auto done = std::make_shared<std::atomic<bool>>(false);
  workers_.push_back({std::thread([this, t, done] {
                        copy(t);
                        done->store(true);
                      }),
                      done});
  return t;
}

void TransferService::copy(Transfer t) {
  const bool push = t.direction == "push";
  // One filesystem call on either side; the result object, or StepFailed with the reason.
  auto call = [&](bool on_device, json args) -> json {
    if (stopping_) throw StepFailed("the daemon is stopping");
    if (!on_device) {
      PlanCall c;
      const Plugin* fs = local_.tool("filesystem");
      steward_rc rc = fs->run(c, args.dump());
      if (rc != STEWARD_OK) throw StepFailed("here: " + (c.error.empty() ? std::string("filesystem call failed") : c.error));
      return json::parse(c.result.empty() ? "{}" : c.result, nullptr, false);
    }
    ExecuteRequest r;
    r.device_id = t.device_id;
    r.tool = "filesystem";
    r.args = std::move(args);
    r.timeout_s = 120;
    r.source = "transfer:" + t.id;
    r.requested_by = t.requested_by;
    r.queue_if_offline = false;
    auto handle = hub_.execute(r);
    auto e = handle->wait(std::chrono::seconds(r.timeout_s + hub_.options().answer_grace_s + 2));
    if (!e) throw StepFailed("on the device: no answer");
    if (e->status != execution_status::kCompleted)
      throw StepFailed("on the device: " + e->error.value_or(e->status));
    return e->result;
  };
  const bool src_remote = !push;  // where the bytes come from
  const std::string& src = push ? t.local_path : t.remote_path;
  const std::string& dst = push ? t.remote_path : t.local_path;
  const std::string partial = dst + ".steward-partial";
  bool wrote = false;
  try {
    json st = call(src_remote, {{"operation", "stat"}, {"path", src}});
    if (!st.value("exists", false)) throw StepFailed(src + ": no such file");
    if (st.value("type", "") != "file") throw StepFailed(src + ": not a regular file");
    t.bytes_total = st.value("size", std::int64_t{0});
    store_.progress(t.id, t.bytes_total, 0);
    std::int64_t offset = 0;
    for (;;) {
      json chunk = call(src_remote, {{"operation", "read"}, {"path", src}, {"offset", offset}, {"length", chunk_},
                                     {"encoding", "base64"}});
      std::string data = chunk.value("content_base64", "");
      std::int64_t n = chunk.value("length", std::int64_t{0});
      call(!src_remote, {{"operation", wrote ? "append" : "write"}, {"path", partial}, {"content_base64", data}});
      wrote = true;
      offset += n;
      t.bytes_done = offset;
      store_.progress(t.id, t.bytes_total, offset);
      if (chunk.value("eof", true) || n == 0) break;
    }
    call(!src_remote, {{"operation", "move"}, {"path", partial}, {"destination", dst}, {"overwrite", true}});
    wrote = false;
    std::string a = call(src_remote, {{"operation", "checksum"}, {"path", src}}).value("sha256", "");
    std::string b = call(!src_remote, {{"operation", "checksum"}, {"path", dst}}).value("sha256", "");
    if (a.empty() || a != b) throw StepFailed("checksums differ after the copy (" + a + " vs " + b + ")");
    t.sha256 = a;
    t.status = "completed";
  } catch (const std::exception& e) {
    t.status = "failed";
    t.error = e.what();
    if (wrote) {
      try {
        call(!src_remote, {{"operation", "delete"}, {"path", partial}});
      } catch (const std::exception&) {
      }
    }
  }
  t.finished_ms = now_ms();
  try {
    store_.finish(t);
  } catch (const std::exception& e) {
    log(LogLevel::Error, "devices", "could not store the end of transfer " + t.id + ": " + e.what());
  }
}

}  // namespace steward

// File transfers between this daemon and a device, made of filesystem tool calls on both
// sides (docs/devices.md, "Transfers"): read a chunk here, write it there, until done; then
// rename the partial file into place and compare SHA-256 checksums. Both ends stay inside
// their filesystem tool's allowed_roots, so a transfer can reach nothing the tools cannot.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/devices/device_hub.hpp"
#include "core/plugins/plugin_registry.hpp"
#include "core/store/database.hpp"

namespace steward {

struct Transfer {
  std::string id;  // xfer_…
  std::string device_id;
  std::string direction;  // push (daemon -> device) | pull (device -> daemon)
  std::string local_path;
  std::string remote_path;
  std::string status = "running";  // running | completed | failed
  std::optional<std::int64_t> bytes_total;
  std::int64_t bytes_done = 0;
  std::optional<std::string> sha256;
  std::optional<std::string> error;
  std::string requested_by;
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> finished_ms;
};

nlohmann::json to_json(const Transfer& t);

class TransferStore {
 public:
  explicit TransferStore(store::Database& db) : db_(db) {}
  // The daemon this process is: transfers it starts name it, so that when it dies another
  // daemon fails just its transfers (interrupt_unfinished with its id).
  void set_owner(std::string daemon_id) { owner_ = std::move(daemon_id); }
  void insert(const Transfer& t);
  void progress(const std::string& id, std::optional<std::int64_t> total, std::int64_t done);
  void finish(const Transfer& t);
  std::vector<Transfer> list(const std::string& device_id, int limit, int offset);
  std::int64_t count(const std::string& device_id);
  // Running transfers become failed with `reason`: every one (a lone daemon at start), or
  // those of `daemon_id` (a dead daemon, when it is reaped).
  int interrupt_unfinished(const std::string& reason, const std::optional<std::string>& daemon_id = std::nullopt);

 private:
  store::Database& db_;
  std::string owner_;
};

class TransferService {
 public:
  TransferService(DeviceHub& hub, DeviceStore& devices, TransferStore& store, const PluginRegistry& local,
                  std::int64_t chunk_bytes = 256 * 1024)
      : hub_(hub), devices_(devices), store_(store), local_(local), chunk_(chunk_bytes) {}
  ~TransferService();  // stops and joins transfers still going (they end failed)

  // Checks what can be checked at once (ExecuteRefused: unknown device 404, not approved
  // or offline 409, no filesystem tool 400) and starts the copy in the background.
  Transfer start(const std::string& device_id, const std::string& direction, const std::string& local_path,
                 const std::string& remote_path, const std::string& requested_by);

 private:
  void copy(Transfer t);

  DeviceHub& hub_;
  DeviceStore& devices_;
  TransferStore& store_;
  const PluginRegistry& local_;
  std::int64_t chunk_;
  std::atomic<bool> stopping_{false};
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::mutex mutex_;
  std::list<Worker> workers_;
};

}  // namespace steward

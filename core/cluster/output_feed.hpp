// The reading side of the runs' live output in the database (OutputChunks): what a daemon
// needs to stream, or show, the output of a run another daemon executes. Readers wait on a
// Watch, which wakes when the executing daemon NOTIFYs kRunOutputChannel for that run (or
// after the bus reconnected, when notifications may have been lost).
//
// PostgreSQL only; on SQLite there is one daemon and every run's output is in its memory.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/cluster/bus.hpp"
#include "core/cluster/output_chunks.hpp"

namespace steward::cluster {

class OutputFeed {
  struct Signals;

 public:
  // Subscribes to the bus: construct before bus.start(). `cap_bytes`: output_cap_bytes.
  OutputFeed(store::Database& db, Bus& bus, std::size_t cap_bytes);

  OutputChunks::Read read(const std::string& run_id, std::uint64_t from, std::size_t max_bytes) {
    return chunks_.read(run_id, from, max_bytes);
  }
  // The output so far, capped as the stored output will be.
  OutputChunks::SoFar so_far(const std::string& run_id) { return chunks_.so_far(run_id, cap_); }

  // Interest in one run's new output, for the life of a stream.
  class Watch {
   public:
    Watch(OutputFeed& feed, std::string run_id);
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    // Returns when the run's output changed since the last wait (or the watch began), or
    // after `timeout`; true when it changed.
    bool wait(std::chrono::milliseconds timeout);

   private:
    std::shared_ptr<Signals> signals_;
    std::string run_id_;
    std::uint64_t seen_ = 0;
  };

 private:
  // Shared with the bus handler, which may outlive this object during a failed start.
  struct Signals {
    std::mutex mutex;
    std::condition_variable cv;
    struct Run {
      std::uint64_t version = 0;
      int watchers = 0;
    };
    std::map<std::string, Run> runs;  // only runs somebody watches
    void notify(const std::string& run_id);
    void notify_all();
  };

  OutputChunks chunks_;
  std::size_t cap_;
  std::shared_ptr<Signals> signals_ = std::make_shared<Signals>();
};

}  // namespace steward::cluster

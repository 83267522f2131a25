// Copies the live output of this daemon's runs into run_output_chunks, so that any other
// daemon can stream it (docs/operations.md, "Running a cluster"). Every `interval` it takes
// the bytes each local run's OutputStream gained since the last pass, stores them as rows
// at the stream's own offsets and NOTIFYs kRunOutputChannel with the run id, so remote
// readers wake at once. When a stream ends, one end row carries the status.
//
// Rows stay bounded like the stream's memory: the first `cap` bytes (GET run shows them)
// and about the last `window` bytes; older rows in between are dropped, and a remote reader
// that far behind is told so, as a local one is. Rows of runs that ended are deleted by
// sweep() (every daemon runs it) once remote followers have had time to read the tail.
//
// PostgreSQL only: a lone SQLite daemon serves every stream from memory.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/cluster/bus.hpp"
#include "core/cluster/output_chunks.hpp"
#include "core/runs/output_stream.hpp"
#include "core/store/database.hpp"

namespace steward::cluster {

struct RelayOptions {
  std::chrono::milliseconds interval{200};     // how often new output is stored
  std::size_t cap_bytes = 1 << 20;             // output_cap_bytes: the head kept for GET run
  std::size_t window_bytes = 4 << 20;          // stream_window_bytes: the tail kept for readers
  std::chrono::milliseconds keep_after_end{10000};  // rows of an ended run live this long
  std::chrono::milliseconds sweep_every{5000};
};

class OutputRelay {
 public:
  struct LiveRun {
    std::string id;
    std::shared_ptr<OutputStream> stream;
  };
  // This daemon's active runs and their streams (RunEngine::active_ids() / stream()).
  using Source = std::function<std::vector<LiveRun>()>;

  OutputRelay(store::Database& db, Bus& bus, Source source, RelayOptions options);
  ~OutputRelay();
  OutputRelay(const OutputRelay&) = delete;
  OutputRelay& operator=(const OutputRelay&) = delete;

  void start();
  // Stops the thread after one last pass (call after the engine has ended its runs, so
  // their end rows are written). Idempotent.
  void stop();

  // One pass: store what every local run printed since the last one. The thread calls it;
  // tests call it directly. Never throws: a failed write is retried on the next pass.
  void flush();
  // Deletes rows nobody will read (OutputChunks::sweep). Never throws.
  void sweep();

 private:
  struct Tracked {
    std::shared_ptr<OutputStream> stream;
    std::uint64_t stored = 0;   // bytes [0, stored) are in the table (or were dropped)
    bool fresh = true;          // no row written yet: clear leftovers of an earlier attempt first
    std::uint64_t dropped_to = 0;  // rows starting in [cap, dropped_to) are gone
  };
  // True once the run's stream has ended and its end row is stored.
  bool flush_run(const std::string& id, Tracked& t);
  void loop();

  store::Database& db_;
  Bus& bus_;
  OutputChunks chunks_;
  Source source_;
  RelayOptions options_;
  std::map<std::string, Tracked> tracked_;  // only the relay thread (or a test) touches it
  std::chrono::steady_clock::time_point last_sweep_{};

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace steward::cluster

// The live output of runs, in the table run_output_chunks, for streams and GET run served
// by a daemon other than the one executing the run (docs/operations.md, "Running a
// cluster"). The executing daemon's OutputRelay appends rows; any daemon reads them.
//
// A row is (run_id, start_offset, data): the bytes of the run's OutputStream from
// start_offset on, so offsets are the same ids the local SSE stream uses. Tool output may
// hold NUL bytes and invalid UTF-8, which a PostgreSQL TEXT column refuses, so `data` is
// base64: every byte comes back as it was. The stream's end is one more row at the final
// offset whose data is a JSON object {"status","reason"} (base64 never contains '{').
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/store/database.hpp"

namespace steward::cluster {

// NOTIFY channel: a run's chunks changed (payload: the run id).
inline constexpr const char* kRunOutputChannel = "steward_run_output";

class OutputChunks {
 public:
  explicit OutputChunks(store::Database& db) : db_(db) {}

  // Appends the bytes at [start, start + bytes.size()), in rows of at most kRowBytes.
  void append(const std::string& run_id, std::uint64_t start, std::string_view bytes);
  // The stream ended at `total` bytes with this status.
  void end(const std::string& run_id, std::uint64_t total, const std::string& status, const std::string& reason);
  // Every row of the run (a new attempt starts its output again at 0).
  void clear(const std::string& run_id);
  // Rows starting in [from, up_to): bytes no reader can still need.
  void drop_range(const std::string& run_id, std::uint64_t from, std::uint64_t up_to);

  struct Read {
    enum class Kind { Nothing, Data, Gap, Ended } kind = Kind::Nothing;
    std::string data;        // Data: the bytes from `from`
    std::uint64_t next = 0;  // Data: the offset after them; Gap: the first offset still kept
    std::string status, reason;  // Ended
  };
  // The bytes from `from` (at most max_bytes). Nothing: none yet. Gap: the bytes at `from`
  // are no longer (or were never) kept. Ended: `from` is the end of the stream.
  Read read(const std::string& run_id, std::uint64_t from, std::size_t max_bytes);

  // The output so far as the executing daemon's GET would show it: the first `cap` bytes,
  // then the truncation marker when there are more (OutputBuffer's rule).
  struct SoFar {
    std::string text;
    bool truncated = false;
  };
  SoFar so_far(const std::string& run_id, std::size_t cap);

  // Rows nobody will read: runs deleted, final for more than `keep_ms` (followers on
  // other daemons have had their tail), or queued for any daemon to take (a retried run
  // starts its output again). Returns how many rows went.
  std::size_t sweep(std::int64_t now_ms, std::int64_t keep_ms);

  static constexpr std::size_t kRowBytes = 64 * 1024;

 private:
  store::Database& db_;
};

}  // namespace steward::cluster

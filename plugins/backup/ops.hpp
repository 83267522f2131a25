// The backup tool's operations, one file each; backup_tool.cpp parses args into Options
// and dispatches. Each throws std::runtime_error with a message naming the path and reason.
#pragma once

#include <steward/plugin.hpp>

#include <ctime>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "retention.hpp"

namespace backup {

struct Options {
  std::string operation = "create";
  std::string name;
  std::vector<std::string> sources;
  std::string destination;
  std::string compression = "zstd";
  int level = 0;  // 0: the default for the compression (zstd 3, gzip 6)
  std::vector<std::string> include, exclude;
  RetentionPolicy retention;
  std::string archive;  // verify / restore
  std::string target;   // restore
  std::optional<std::time_t> now;  // test hook: the time stamped into the archive name
  std::uint64_t progress_files = 1000;
  std::uint64_t progress_bytes = 256ull << 20;
};

// Streams a progress line; throws Cancelled when the run was cancelled.
struct Cancelled {};
void progress_line(steward::Run& run, const std::string& line);
std::string mib(std::uint64_t bytes);  // "350.2 MiB"

steward_rc create_archive(steward::Run& run, const Options& o);
steward_rc verify_archive(steward::Run& run, const Options& o);
steward_rc restore_archive(steward::Run& run, const Options& o);
steward_rc list_archives(steward::Run& run, const Options& o);
steward_rc prune_command(steward::Run& run, const Options& o);

// Deletes this name's archives in the destination that the policy does not keep; only
// archives with an owned sidecar are considered. Returns the deleted archive paths.
std::vector<std::string> prune_archives(steward::Run& run, const std::string& destination, const std::string& name,
                                        const RetentionPolicy& policy);

}  // namespace backup

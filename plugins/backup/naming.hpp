// Archive file names: `<name>-<YYYYMMDDTHHMMSSZ>[-<n>].tar.<zst|gz>`. The UTC timestamp in
// the name is the archive's time for listing and retention (file mtimes can be changed by
// copies; the name cannot without the sidecar noticing, see manifest.hpp).
#pragma once

#include <ctime>
#include <optional>
#include <string>

namespace backup {

// 1-100 characters of [A-Za-z0-9._-], not starting with '.' or '-' (it becomes a file name).
bool valid_name(const std::string& name);

std::string format_stamp(std::time_t t);                       // "20261123T031500Z"
std::optional<std::time_t> parse_stamp(const std::string& s);  // the inverse; nullopt if malformed
std::string iso_time(std::time_t t);                           // "2026-11-23T03:15:00Z"

struct ArchiveName {
  std::string name;         // the backup's name
  std::time_t time = 0;     // from the stamp
  int seq = 0;              // 0, or n for a second archive in the same second
  std::string compression;  // "zstd" | "gzip"
};

std::string archive_file_name(const std::string& name, std::time_t t, int seq, const std::string& compression);
// Parses a file name (no directory); nullopt when it is not an archive name.
std::optional<ArchiveName> parse_archive_file_name(const std::string& file);

}  // namespace backup

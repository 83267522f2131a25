// The manifest sidecar `<archive>.manifest.json`, written next to every archive this tool
// makes. It is the ownership marker (retention deletes only archives whose sidecar has our
// format and names that very archive), and it holds what verify checks: the archive's size
// and SHA-256, and per entry its type, mode, size, SHA-256 (files) or target (symlinks).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace backup {

inline constexpr const char* kManifestFormat = "steward-backup/1";

inline std::string sidecar_path(const std::string& archive_path) { return archive_path + ".manifest.json"; }

// The sidecar of `archive_path` if it exists, parses, has our format and names this archive's
// file name; nullopt otherwise (a foreign file, or an archive someone else made).
std::optional<nlohmann::json> read_owned_sidecar(const std::string& archive_path);

// Like read_owned_sidecar, but throws a message saying what is wrong.
nlohmann::json read_sidecar_or_throw(const std::string& archive_path);

}  // namespace backup

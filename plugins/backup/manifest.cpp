#include "manifest.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "fs_util.hpp"

namespace backup {

using nlohmann::json;

json read_sidecar_or_throw(const std::string& archive_path) {
  const std::string path = sidecar_path(archive_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": no manifest sidecar (was this archive made by the backup tool?)");
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  if (!j.is_object() || j.value("format", "") != kManifestFormat)
    throw std::runtime_error(path + ": not a backup manifest (format is not " + std::string(kManifestFormat) + ")");
  if (j.value("archive", "") != basename_of(archive_path))
    throw std::runtime_error(path + ": the manifest names archive '" + j.value("archive", "") + "', not '" +
                             basename_of(archive_path) + "'");
  if (!j.contains("entries") || !j["entries"].is_array() || !j.contains("archive_sha256") ||
      !j["archive_sha256"].is_string() || !j.contains("archive_size") || !j["archive_size"].is_number_unsigned())
    throw std::runtime_error(path + ": the manifest lacks entries, archive_sha256 or archive_size");
  return j;
}

std::optional<json> read_owned_sidecar(const std::string& archive_path) {
  try {
    return read_sidecar_or_throw(archive_path);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace backup

// operations "list" and "prune": the archives in a destination this tool made, i.e. files
// named like an archive whose manifest sidecar has our format and names that very file.
// Nothing else in the destination is ever deleted.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fs_util.hpp"
#include "manifest.hpp"
#include "naming.hpp"
#include "ops.hpp"

namespace backup {

namespace {

using nlohmann::json;

struct Found {
  std::string path;
  ArchiveName name;
  std::uint64_t size = 0;
  json sidecar;
};

// Owned archives in `dest` (optionally only those of `name`), newest first.
std::vector<Found> owned_archives(const std::string& dest, const std::string& name) {
  DIR* d = ::opendir(dest.c_str());
  if (d == nullptr) throw std::runtime_error("destination " + errno_text(dest, errno));
  std::vector<std::string> files;
  while (dirent* de = ::readdir(d)) files.emplace_back(de->d_name);
  ::closedir(d);
  std::vector<Found> found;
  for (const auto& f : files) {
    auto parsed = parse_archive_file_name(f);
    if (!parsed || (!name.empty() && parsed->name != name)) continue;
    const std::string path = dest + "/" + f;
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    auto sidecar = read_owned_sidecar(path);
    if (!sidecar || sidecar->value("name", "") != parsed->name) continue;
    found.push_back({path, *parsed, static_cast<std::uint64_t>(st.st_size), std::move(*sidecar)});
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    if (a.name.time != b.name.time) return a.name.time > b.name.time;
    return a.name.seq > b.name.seq;
  });
  return found;
}

std::string strip_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

}  // namespace

std::vector<std::string> prune_archives(steward::Run& run, const std::string& destination, const std::string& name,
                                        const RetentionPolicy& policy) {
  auto found = owned_archives(strip_slashes(destination), name);
  std::vector<std::time_t> times;
  for (const auto& f : found) times.push_back(f.name.time);
  const auto keep = retained(times, policy);
  std::vector<std::string> deleted;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (keep[i]) continue;
    const std::string& path = found[i].path;
    if (::unlink(path.c_str()) != 0) throw std::runtime_error("prune: " + errno_text(path, errno));
    ::unlink(sidecar_path(path).c_str());
    deleted.push_back(path);
    run.output("backup: pruned " + path + "\n");
  }
  return deleted;
}

steward_rc prune_command(steward::Run& run, const Options& o) {
  auto deleted = prune_archives(run, o.destination, o.name, o.retention);
  run.result(json{{"pruned", deleted}}.dump());
  return STEWARD_OK;
}

steward_rc list_archives(steward::Run& run, const Options& o) {
  auto found = owned_archives(strip_slashes(o.destination), o.name);
  std::reverse(found.begin(), found.end());  // oldest first reads like a log
  json list = json::array();
  for (const auto& f : found) {
    const auto files = f.sidecar.value("files", std::uint64_t{0});
    list.push_back({{"archive", f.path},
                    {"name", f.name.name},
                    {"time", iso_time(f.name.time)},
                    {"size", f.size},
                    {"files", files},
                    {"bytes", f.sidecar.value("bytes", std::uint64_t{0})},
                    {"compression", f.name.compression},
                    {"sha256", f.sidecar.value("archive_sha256", "")}});
    run.output(iso_time(f.name.time) + "  " + mib(f.size) + "  " + std::to_string(files) + " files  " +
               basename_of(f.path) + "\n");
  }
  if (found.empty()) run.output("backup: no archives in " + o.destination + "\n");
  run.result(json{{"destination", o.destination}, {"archives", list}}.dump());
  return STEWARD_OK;
}

}  // namespace backup

// operation "verify": re-reads the archive once, checking the file's size and SHA-256 and
// every entry's type, mode, size, SHA-256 (files) and target (symlinks) against the
// manifest sidecar, and that no entry is missing or extra. Names every mismatch.
#include <archive.h>
#include <archive_entry.h>

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "archive_reader.hpp"
#include "manifest.hpp"
#include "ops.hpp"
#include "sha256.hpp"

namespace backup {

namespace {

using nlohmann::json;

std::string entry_path(archive_entry* e) {
  const char* p = archive_entry_pathname(e);
  std::string s = p ? p : "";
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string type_of(archive_entry* e) {
  if (archive_entry_hardlink(e) != nullptr) return "hardlink";
  switch (archive_entry_filetype(e)) {
    case AE_IFREG: return "file";
    case AE_IFDIR: return "dir";
    case AE_IFLNK: return "symlink";
    default: return "special";
  }
}

}  // namespace

steward_rc verify_archive(steward::Run& run, const Options& o) {
  const json manifest = read_sidecar_or_throw(o.archive);
  std::map<std::string, const json*> expected;
  for (const auto& m : manifest["entries"]) expected[m.value("path", "")] = &m;

  std::vector<std::string> mismatches;
  std::map<std::string, bool> seen;
  std::uint64_t files = 0, bytes = 0, last_files = 0, last_bytes = 0;
  std::vector<char> buf(1 << 20);
  HashingArchiveReader reader(o.archive);
  archive* a = reader.get();
  run.output("verify: reading " + o.archive + "\n");

  std::string last_path = "(start of archive)";
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      mismatches.push_back("archive: unreadable after " + last_path + ": " + archive_error_string(a));
      break;
    }
    if (run.cancelled()) return STEWARD_CANCELLED;
    const std::string path = entry_path(e);
    last_path = path;
    auto it = expected.find(path);
    if (it == expected.end()) {
      mismatches.push_back(path + ": in the archive but not in the manifest");
      continue;
    }
    if (seen[path]) mismatches.push_back(path + ": appears twice in the archive");
    seen[path] = true;
    const json& m = *it->second;
    const std::string type = type_of(e), want_type = m.value("type", "");
    if (type != want_type) {
      mismatches.push_back(path + ": type " + type + ", manifest says " + want_type);
      continue;
    }
    if (m.contains("mode") && (archive_entry_perm(e) & 07777) != m["mode"].get<unsigned>())
      mismatches.push_back(path + ": mode differs from the manifest");
    if (type == "symlink") {
      const char* t = archive_entry_symlink(e);
      if ((t ? t : "") != m.value("target", "")) mismatches.push_back(path + ": symlink target differs from the manifest");
    } else if (type == "file") {
      Sha256 sha;
      std::uint64_t size = 0;
      bool broken = false;
      for (;;) {
        la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
        if (n == 0) break;
        if (n < 0) {
          mismatches.push_back(path + ": unreadable: " + archive_error_string(a));
          broken = true;
          break;
        }
        sha.update(buf.data(), static_cast<size_t>(n));
        size += static_cast<std::uint64_t>(n);
        if (run.cancelled()) return STEWARD_CANCELLED;
      }
      if (broken) break;  // the stream is corrupt from here on
      const std::string got = sha.hex();
      if (size != m.value("size", std::uint64_t{0}))
        mismatches.push_back(path + ": size " + std::to_string(size) + ", manifest says " +
                             std::to_string(m.value("size", std::uint64_t{0})));
      else if (got != m.value("sha256", ""))
        mismatches.push_back(path + ": sha256 " + got + ", manifest says " + m.value("sha256", ""));
      ++files;
      bytes += size;
      if (files - last_files >= o.progress_files || bytes - last_bytes >= o.progress_bytes) {
        last_files = files;
        last_bytes = bytes;
        progress_line(run, "verify: " + std::to_string(files) + " files, " + mib(bytes));
      }
    }
  }
  for (const auto& [path, _] : expected)
    if (!seen.count(path)) mismatches.push_back(path + ": in the manifest but missing from the archive");

  const std::string sha = reader.finish_sha256();
  const std::string want_sha = manifest["archive_sha256"];
  if (reader.size() != manifest["archive_size"].get<std::uint64_t>())
    mismatches.insert(mismatches.begin(), "archive: size " + std::to_string(reader.size()) + ", manifest says " +
                                              std::to_string(manifest["archive_size"].get<std::uint64_t>()));
  if (sha != want_sha)
    mismatches.insert(mismatches.begin(), "archive: sha256 " + sha + ", manifest says " + want_sha);

  run.result(json{{"archive", o.archive},
                  {"ok", mismatches.empty()},
                  {"sha256", sha},
                  {"size", reader.size()},
                  {"files", files},
                  {"bytes", bytes},
                  {"mismatches", mismatches}}
                 .dump());
  if (mismatches.empty()) {
    run.output("verify: ok, " + std::to_string(files) + " files, " + mib(bytes) + ", sha256 " + sha + "\n");
    return STEWARD_OK;
  }
  std::string message = "verify failed for " + o.archive + ": ";
  for (std::size_t i = 0; i < mismatches.size() && i < 5; ++i) message += (i ? "; " : "") + mismatches[i];
  if (mismatches.size() > 5) message += "; and " + std::to_string(mismatches.size() - 5) + " more";
  for (const auto& m : mismatches) run.output("verify: MISMATCH " + m + "\n", STEWARD_STREAM_STDERR);
  return run.fail(message);
}

}  // namespace backup

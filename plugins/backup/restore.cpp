// operation "restore": extracts an archive into an empty (or new) target directory.
// A first pass reads every header and refuses the whole archive, before anything is
// written, if any entry would land outside the target: absolute paths, "..", paths through
// a symlink, hardlinks to anything but an earlier file, symlinks whose target (resolved
// through the archive's own symlinks) leaves the target, devices/fifos, duplicates.
// The second pass extracts with libarchive's SECURE_NODOTDOT | SECURE_SYMLINKS |
// SECURE_NOABSOLUTEPATHS as a second line of defence.
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "fs_util.hpp"
#include "ops.hpp"

namespace backup {

namespace {

using nlohmann::json;

struct ReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};

std::unique_ptr<archive, ReadDeleter> open_archive(const std::string& path) {
  std::unique_ptr<archive, ReadDeleter> a(archive_read_new());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 20) != ARCHIVE_OK)
    throw std::runtime_error("archive " + path + ": " + archive_error_string(a.get()));
  return a;
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    std::string c = path.substr(start, slash - start);
    if (!c.empty() && c != ".") parts.push_back(c);
    start = slash + 1;
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += (i ? "/" : "") + parts[i];
  return s;
}

// The entry's path relative to the target, or throws if it is absolute or has "..".
std::string safe_relative(const std::string& raw, const std::string& what) {
  if (raw.empty()) throw std::runtime_error(what + ": empty path");
  if (raw[0] == '/') throw std::runtime_error(what + " '" + raw + "': absolute path");
  auto parts = split(raw);
  for (const auto& p : parts)
    if (p == "..") throw std::runtime_error(what + " '" + raw + "': contains '..'");
  return join(parts, parts.size());
}

// Resolves `dir/target` the way the kernel would once the archive's own symlinks exist
// (the target starts empty, so they are the only ones); false if it climbs above the root.
bool resolves_inside(const std::string& dir, const std::string& target, const std::map<std::string, std::string>& links,
                     std::string& why) {
  std::vector<std::string> stack = split(dir);
  std::deque<std::string> todo;
  for (const auto& c : std::vector<std::string>(split(target))) todo.push_back(c);
  // split() drops "." but keeps ".."; an absolute target is refused before this.
  int hops = 0;
  while (!todo.empty()) {
    std::string c = todo.front();
    todo.pop_front();
    if (c == "..") {
      if (stack.empty()) {
        why = "points outside the target";
        return false;
      }
      stack.pop_back();
      continue;
    }
    stack.push_back(c);
    auto link = links.find(join(stack, stack.size()));
    if (link == links.end()) continue;
    if (++hops > 40) {
      why = "is a symlink chain that is too long or loops";
      return false;
    }
    if (!link->second.empty() && link->second[0] == '/') {
      why = "points outside the target through symlink '" + link->first + "'";
      return false;
    }
    stack.pop_back();
    auto t = split(link->second);
    todo.insert(todo.begin(), t.begin(), t.end());
  }
  return true;
}

// Pass 1: headers only. Throws naming the first unsafe entry.
void check_entries(steward::Run& run, const std::string& archive_path) {
  auto a = open_archive(archive_path);
  std::map<std::string, std::string> links;  // symlink path -> target
  std::set<std::string> paths, files;
  std::vector<std::string> all;
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      throw std::runtime_error("archive " + archive_path + ": " + archive_error_string(a.get()));
    if (run.cancelled()) throw Cancelled{};
    const char* raw = archive_entry_pathname(e);
    const std::string path = safe_relative(raw ? raw : "", "entry");
    if (path.empty()) continue;  // "./": the target itself
    if (!paths.insert(path).second) throw std::runtime_error("entry '" + path + "': appears twice in the archive");
    all.push_back(path);
    if (const char* hard = archive_entry_hardlink(e)) {
      const std::string to = safe_relative(hard, "hardlink '" + path + "' to");
      if (!files.count(to)) throw std::runtime_error("hardlink '" + path + "': '" + to + "' is not an earlier file in the archive");
      continue;
    }
    switch (archive_entry_filetype(e)) {
      case AE_IFREG: files.insert(path); break;
      case AE_IFDIR: break;
      case AE_IFLNK: {
        const char* t = archive_entry_symlink(e);
        const std::string target = t ? t : "";
        if (target.empty() || target[0] == '/')
          throw std::runtime_error("symlink '" + path + "' -> '" + target + "': points outside the target");
        links[path] = target;
        break;
      }
      default: throw std::runtime_error("entry '" + path + "': a device, fifo or socket (not restored)");
    }
  }
  for (const auto& path : all) {
    auto parts = split(path);
    for (std::size_t n = 1; n < parts.size(); ++n)
      if (links.count(join(parts, n)))
        throw std::runtime_error("entry '" + path + "': goes through symlink '" + join(parts, n) + "'");
  }
  for (const auto& [path, target] : links) {
    std::string why;
    if (!resolves_inside(dirname_of(path) == "." ? "" : dirname_of(path), target, links, why))
      throw std::runtime_error("symlink '" + path + "' -> '" + target + "': " + why);
  }
}

bool dir_is_empty(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) throw std::runtime_error("target " + errno_text(dir, errno));
  bool empty = true;
  while (dirent* de = ::readdir(d))
    if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0) empty = false;
  ::closedir(d);
  return empty;
}

struct Extracted {
  std::uint64_t entries = 0, bytes = 0;
  bool cancelled = false;
  std::string error;
};

// Pass 2. Runs on its own thread, which unshare(CLONE_FS)s so that it can chdir into the
// target without moving the daemon's other threads; entry paths then stay relative and
// libarchive's SECURE_NOABSOLUTEPATHS applies. Where unshare is not allowed (some seccomp
// profiles) paths are prefixed with the real target path instead: pass 1 has already
// refused absolute entries.
void extract(steward::Run& run, const Options& o, const std::string& target, Extracted& out) {
  int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
              ARCHIVE_EXTRACT_SECURE_SYMLINKS;
  if (::geteuid() == 0) flags |= ARCHIVE_EXTRACT_OWNER;  // only root can give files away
  std::string prefix;
  if (::unshare(CLONE_FS) == 0 && ::chdir(target.c_str()) == 0) {
    flags |= ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
  } else {
    prefix = target + "/";
  }
  auto in = open_archive(o.archive);
  std::unique_ptr<archive, WriteDeleter> disk(archive_write_disk_new());
  archive_write_disk_set_options(disk.get(), flags);
  archive_write_disk_set_standard_lookup(disk.get());
  std::uint64_t last_entries = 0, last_bytes = 0;
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(in.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      out.error = "archive " + o.archive + ": " + archive_error_string(in.get());
      return;
    }
    if (run.cancelled()) {
      out.cancelled = true;
      return;
    }
    const char* raw = archive_entry_pathname(e);
    const auto parts = split(raw ? raw : "");
    const std::string path = parts.empty() ? "." : join(parts, parts.size());
    archive_entry_copy_pathname(e, (prefix + path).c_str());
    if (const char* hard = archive_entry_hardlink(e)) {
      const auto to = split(hard);
      archive_entry_copy_hardlink(e, (prefix + join(to, to.size())).c_str());
    }
    if (archive_write_header(disk.get(), e) != ARCHIVE_OK) {
      out.error = "restoring '" + path + "': " + archive_error_string(disk.get());
      return;
    }
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    while ((rc = archive_read_data_block(in.get(), &block, &size, &offset)) == ARCHIVE_OK) {
      if (archive_write_data_block(disk.get(), block, size, offset) != ARCHIVE_OK) {
        out.error = "restoring '" + path + "': " + archive_error_string(disk.get());
        return;
      }
      out.bytes += size;
      if (run.cancelled()) {
        out.cancelled = true;
        return;
      }
    }
    if (rc != ARCHIVE_EOF) {
      out.error = "reading '" + path + "' from the archive: " + archive_error_string(in.get());
      return;
    }
    if (archive_write_finish_entry(disk.get()) != ARCHIVE_OK) {
      out.error = "restoring '" + path + "': " + archive_error_string(disk.get());
      return;
    }
    ++out.entries;
    if (out.entries - last_entries >= o.progress_files || out.bytes - last_bytes >= o.progress_bytes) {
      last_entries = out.entries;
      last_bytes = out.bytes;
      if (!run.output("restore: " + std::to_string(out.entries) + " entries, " + mib(out.bytes) + "\n")) {
        out.cancelled = true;
        return;
      }
    }
  }
  // Directory modes and times are applied last (a read-only directory is filled first).
  if (archive_write_close(disk.get()) != ARCHIVE_OK) out.error = std::string("restore: ") + archive_error_string(disk.get());
}

}  // namespace

steward_rc restore_archive(steward::Run& run, const Options& o) {
  if (o.target.empty() || o.target[0] != '/') return run.fail("target: an absolute directory path is required");
  check_entries(run, o.archive);  // throws, before anything is written

  struct stat st{};
  if (::stat(o.target.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return run.fail("target " + o.target + ": exists and is not a directory");
    if (!dir_is_empty(o.target)) return run.fail("target " + o.target + ": is not empty (restore only into an empty or new directory)");
  } else {
    make_dirs(o.target);
  }
  // The real path: SECURE_SYMLINKS must not trip over a symlink among the target's parents.
  char* real = ::realpath(o.target.c_str(), nullptr);
  if (real == nullptr) throw std::runtime_error("target " + errno_text(o.target, errno));
  const std::string target = real;
  ::free(real);

  run.output("restore: " + o.archive + " -> " + target + "\n");
  Extracted done;
  std::thread worker([&] {
    try {
      extract(run, o, target, done);
    } catch (const std::exception& e) {
      done.error = e.what();
    }
  });
  worker.join();
  if (done.cancelled) {
    run.output("restore: cancelled; " + target + " holds what was restored so far\n", STEWARD_STREAM_STDERR);
    return STEWARD_CANCELLED;
  }
  if (!done.error.empty()) return run.fail(done.error + " (" + target + " holds what was restored so far)");
  run.output("restore: done, " + std::to_string(done.entries) + " entries, " + mib(done.bytes) + "\n");
  run.result(json{{"archive", o.archive}, {"target", target}, {"entries", done.entries}, {"bytes", done.bytes}}.dump());
  return STEWARD_OK;
}

}  // namespace backup

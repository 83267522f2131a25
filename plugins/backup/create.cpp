// operation "create": walks the sources (symlinks archived as links, never followed),
// streams a pax tar through zstd or gzip into `<final>.partial` while hashing both every
// file and the compressed stream, then fsyncs and renames it and writes the manifest
// sidecar. Any failure or cancellation removes the partial file: a final name always
// holds a complete archive with its manifest.
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "fs_util.hpp"
#include "manifest.hpp"
#include "naming.hpp"
#include "ops.hpp"
#include "sha256.hpp"

namespace backup {

namespace {

using nlohmann::json;

constexpr std::size_t kChunk = 1 << 20;

// libarchive's output callback: the compressed stream goes to the partial file and the hash.
struct Sink {
  int fd = -1;
  Sha256 sha;
  std::uint64_t size = 0;
  int err = 0;
};

la_ssize_t sink_write(archive*, void* self, const void* buf, size_t n) {
  auto* s = static_cast<Sink*>(self);
  const char* p = static_cast<const char*>(buf);
  for (size_t done = 0; done < n;) {
    ssize_t w = ::write(s->fd, p + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      s->err = errno;
      return -1;
    }
    done += static_cast<size_t>(w);
  }
  s->sha.update(buf, n);
  s->size += n;
  return static_cast<la_ssize_t>(n);
}

// A glob with a '/' matches the whole path relative to the source ('*' crosses '/'); one
// without also matches the last component, so "*.log" or "cache" work at any depth.
bool glob_match(const std::string& pattern, const std::string& rel) {
  if (::fnmatch(pattern.c_str(), rel.c_str(), 0) == 0) return true;
  return pattern.find('/') == std::string::npos && ::fnmatch(pattern.c_str(), basename_of(rel).c_str(), 0) == 0;
}

bool any_match(const std::vector<std::string>& patterns, const std::string& rel) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return glob_match(p, rel); });
}

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<archive_entry, EntryDeleter>;

class TreeWriter {
 public:
  TreeWriter(steward::Run& run, const Options& o, archive* a, const struct stat& dest)
      : run_(run), o_(o), a_(a), dest_(dest) {}

  void add_source(const std::string& src, const std::string& top) {
    struct stat st{};
    if (::lstat(src.c_str(), &st) != 0) throw std::runtime_error("source " + errno_text(src, errno));
    if (S_ISDIR(st.st_mode)) {
      write_dir(top, st);
      walk(src, top, "", o_.include.empty());
    } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
      if (any_match(o_.exclude, top) || !(o_.include.empty() || any_match(o_.include, top))) return;
      S_ISREG(st.st_mode) ? write_file(src, top) : write_symlink(src, top, st);
    } else {
      throw std::runtime_error("source " + src + ": not a file, directory or symlink");
    }
  }

  void final_progress() { progress(true); }

  json entries = json::array();
  std::uint64_t files = 0, bytes = 0;

 private:
  struct Pending {
    std::string arc;
    struct stat st;
    bool written;
  };

  void walk(const std::string& abs, const std::string& arc, const std::string& rel, bool included) {
    std::vector<std::string> names;
    {
      DIR* d = ::opendir(abs.c_str());
      if (d == nullptr) throw std::runtime_error("cannot read source directory " + errno_text(abs, errno));
      errno = 0;
      while (dirent* de = ::readdir(d)) {
        std::string n = de->d_name;
        if (n != "." && n != "..") names.push_back(std::move(n));
        errno = 0;
      }
      int err = errno;
      ::closedir(d);
      if (err != 0) throw std::runtime_error("cannot read source directory " + errno_text(abs, err));
    }
    std::sort(names.begin(), names.end());  // a deterministic order
    for (const auto& n : names) {
      if (run_.cancelled()) throw Cancelled{};
      const std::string child = abs == "/" ? "/" + n : abs + "/" + n;
      const std::string child_arc = arc + "/" + n;
      const std::string child_rel = rel.empty() ? n : rel + "/" + n;
      struct stat st{};
      if (::lstat(child.c_str(), &st) != 0) throw std::runtime_error("source " + errno_text(child, errno));
      if (S_ISDIR(st.st_mode) && st.st_dev == dest_.st_dev && st.st_ino == dest_.st_ino) {
        note("skipped " + child + " (the destination directory)");
        continue;
      }
      if (any_match(o_.exclude, child_rel)) continue;
      const bool inc = included || any_match(o_.include, child_rel);
      if (S_ISDIR(st.st_mode)) {
        pending_.push_back({child_arc, st, false});
        walk(child, child_arc, child_rel, inc);
        // An empty (or fully filtered) directory is still archived when it is included.
        if (!pending_.back().written && inc) flush_pending();
        pending_.pop_back();
      } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
        if (!inc) continue;
        flush_pending();
        S_ISREG(st.st_mode) ? write_file(child, child_arc) : write_symlink(child, child_arc, st);
      } else {
        note("skipped " + child + " (not a regular file, directory or symlink)");
      }
    }
  }

  // Parent directories are written lazily, just before their first entry, so that with
  // `include` a directory appears only when something in it is included.
  void flush_pending() {
    for (auto& p : pending_)
      if (!p.written) {
        write_dir(p.arc, p.st);
        p.written = true;
      }
  }

  void write_header(archive_entry* e, const std::string& what) {
    if (archive_write_header(a_, e) != ARCHIVE_OK)
      throw std::runtime_error("writing the archive entry for " + what + ": " + archive_error_string(a_));
  }

  void write_dir(const std::string& arc, const struct stat& st) {
    EntryPtr e(archive_entry_new());
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_copy_pathname(e.get(), arc.c_str());
    archive_entry_set_size(e.get(), 0);
    write_header(e.get(), arc);
    entries.push_back({{"path", arc}, {"type", "dir"}, {"mode", st.st_mode & 07777}});
  }

  void write_symlink(const std::string& abs, const std::string& arc, const struct stat& st) {
    std::string target(static_cast<std::size_t>(std::max<off_t>(st.st_size, 255)) + 1, '\0');
    ssize_t n = ::readlink(abs.c_str(), target.data(), target.size());
    if (n < 0) throw std::runtime_error("source " + errno_text(abs, errno));
    target.resize(static_cast<std::size_t>(n));
    EntryPtr e(archive_entry_new());
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_copy_pathname(e.get(), arc.c_str());
    archive_entry_copy_symlink(e.get(), target.c_str());
    archive_entry_set_size(e.get(), 0);
    write_header(e.get(), arc);
    entries.push_back({{"path", arc}, {"type", "symlink"}, {"target", target}});
  }

  void write_file(const std::string& abs, const std::string& arc) {
    int fd = ::open(abs.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot read source file " + errno_text(abs, errno));
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st{};
    if (::fstat(fd, &st) != 0) throw std::runtime_error("source " + errno_text(abs, errno));
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    EntryPtr e(archive_entry_new());
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_copy_pathname(e.get(), arc.c_str());
    write_header(e.get(), arc);

    // The header fixed the size: exactly that many bytes are archived. A file that grows
    // meanwhile is cut at that size; one that shrinks fails the backup.
    Sha256 sha;
    std::uint64_t left = static_cast<std::uint64_t>(st.st_size);
    buf_.resize(kChunk);
    while (left > 0) {
      if (run_.cancelled()) throw Cancelled{};
      ssize_t n = ::read(fd, buf_.data(), static_cast<size_t>(std::min<std::uint64_t>(left, kChunk)));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error("cannot read source file " + errno_text(abs, errno));
      if (n == 0) throw std::runtime_error("source " + abs + ": the file shrank while it was being read");
      sha.update(buf_.data(), static_cast<size_t>(n));
      if (archive_write_data(a_, buf_.data(), static_cast<size_t>(n)) < 0)
        throw std::runtime_error("writing " + arc + " into the archive: " + archive_error_string(a_));
      left -= static_cast<std::uint64_t>(n);
      bytes += static_cast<std::uint64_t>(n);
      if (bytes - last_bytes_ >= o_.progress_bytes) progress(true);
    }
    entries.push_back({{"path", arc},
                       {"type", "file"},
                       {"mode", st.st_mode & 07777},
                       {"size", static_cast<std::uint64_t>(st.st_size)},
                       {"sha256", sha.hex()}});
    ++files;
    progress(false);
  }

  void progress(bool force) {
    if (!force && files - last_files_ < o_.progress_files && bytes - last_bytes_ < o_.progress_bytes) return;
    last_files_ = files;
    last_bytes_ = bytes;
    progress_line(run_, "backup: " + std::to_string(files) + " files, " + mib(bytes));
  }

  void note(const std::string& text) { run_.output("backup: " + text + "\n", STEWARD_STREAM_STDERR); }

  steward::Run& run_;
  const Options& o_;
  archive* a_;
  struct stat dest_;
  std::vector<Pending> pending_;
  std::vector<char> buf_;
  std::uint64_t last_files_ = 0, last_bytes_ = 0;
};

std::string strip_trailing_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

}  // namespace

steward_rc create_archive(steward::Run& run, const Options& o) {
  // Sources: absolute, and distinct top-level names inside the archive.
  std::vector<std::pair<std::string, std::string>> sources;  // path, top-level name
  for (const auto& raw : o.sources) {
    std::string src = strip_trailing_slashes(raw);
    if (src.empty() || src[0] != '/') return run.fail("sources: '" + raw + "' is not an absolute path");
    std::string top = basename_of(src);
    if (top.empty() || top == "." || top == "..")
      return run.fail("sources: '" + raw + "' has no usable last component to name it in the archive");
    for (const auto& [other, other_top] : sources)
      if (other_top == top)
        return run.fail("sources: '" + other + "' and '" + src + "' would both be '" + top + "/' in the archive");
    sources.emplace_back(src, top);
  }
  const std::string dest = strip_trailing_slashes(o.destination);
  make_dirs(dest);
  struct stat dest_st{};
  if (::stat(dest.c_str(), &dest_st) != 0) throw std::runtime_error("destination " + errno_text(dest, errno));

  // A free final name: a second archive in the same second gets "-1", "-2", ...
  const std::time_t now = o.now ? *o.now : std::time(nullptr);
  std::string file, final_path, partial;
  for (int seq = 0;; ++seq) {
    file = archive_file_name(o.name, now, seq, o.compression);
    final_path = dest + "/" + file;
    partial = final_path + ".partial";
    struct stat st{};
    if (::lstat(final_path.c_str(), &st) != 0 && ::lstat(partial.c_str(), &st) != 0) break;
    if (seq >= 999) return run.fail("destination " + dest + ": too many archives named " + file);
  }

  Sink sink;
  sink.fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (sink.fd < 0) throw std::runtime_error("destination " + errno_text(partial, errno));
  TempFileGuard partial_guard(partial);
  struct FdCloser {
    int& fd;
    ~FdCloser() {
      if (fd >= 0) ::close(fd);
    }
  } fd_closer{sink.fd};

  std::unique_ptr<archive, ArchiveDeleter> a(archive_write_new());
  const int level = o.level > 0 ? o.level : (o.compression == "gzip" ? 6 : 3);
  const std::string filter = o.compression == "gzip" ? "gzip" : "zstd";
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      (o.compression == "gzip" ? archive_write_add_filter_gzip(a.get()) : archive_write_add_filter_zstd(a.get())) !=
          ARCHIVE_OK ||
      archive_write_set_filter_option(a.get(), filter.c_str(), "compression-level", std::to_string(level).c_str()) !=
          ARCHIVE_OK)
    return run.fail(filter + " level " + std::to_string(level) + ": " + archive_error_string(a.get()));
  // One zstd worker thread, as `zstd -T1`: compression overlaps reading and hashing files.
  // Best effort: a libarchive without the option still compresses, on this thread.
  if (o.compression != "gzip") archive_write_set_filter_option(a.get(), "zstd", "threads", "1");
  archive_write_set_bytes_in_last_block(a.get(), 1);  // no padding after the end-of-archive blocks
  if (archive_write_open2(a.get(), &sink, nullptr, sink_write, nullptr, nullptr) != ARCHIVE_OK)
    throw std::runtime_error("opening " + partial + ": " + archive_error_string(a.get()));

  TreeWriter writer(run, o, a.get(), dest_st);
  try {
    run.output("backup: writing " + final_path + "\n");
    for (const auto& [src, top] : sources) writer.add_source(src, top);
    if (archive_write_close(a.get()) != ARCHIVE_OK)
      throw std::runtime_error("finishing " + partial + ": " +
                               (sink.err ? std::string(std::strerror(sink.err)) : archive_error_string(a.get())));
  } catch (const Cancelled&) {
    // Closed, not archive_write_fail(): libarchive's free skips closing the compression
    // filter of a failed archive and leaks it. The trailer lands in the partial file,
    // which is removed anyway.
    archive_write_close(a.get());
    run.output("backup: cancelled; removed " + partial + "\n", STEWARD_STREAM_STDERR);
    return STEWARD_CANCELLED;
  } catch (...) {
    archive_write_close(a.get());  // see above; its own error does not replace the first one
    throw;
  }
  writer.final_progress();
  if (::fsync(sink.fd) != 0 || ::close(sink.fd) != 0) {
    sink.fd = -1;
    throw std::runtime_error("destination " + errno_text(partial, errno));
  }
  sink.fd = -1;
  const std::string archive_sha = sink.sha.hex();

  json sidecar = {{"format", kManifestFormat},
                  {"name", o.name},
                  {"archive", file},
                  {"created", iso_time(now)},
                  {"compression", o.compression},
                  {"level", level},
                  {"sources", o.sources},
                  {"include", o.include},
                  {"exclude", o.exclude},
                  {"files", writer.files},
                  {"bytes", writer.bytes},
                  {"archive_size", sink.size},
                  {"archive_sha256", archive_sha},
                  {"entries", std::move(writer.entries)}};
  if (::rename(partial.c_str(), final_path.c_str()) != 0) throw std::runtime_error("destination " + errno_text(final_path, errno));
  partial_guard.release();
  TempFileGuard final_guard(final_path);  // an archive without its sidecar must not stay
  write_file_atomic(sidecar_path(final_path), sidecar.dump());
  final_guard.release();
  run.output("backup: wrote " + final_path + " (" + mib(sink.size) + ", sha256 " + archive_sha + ")\n");

  json pruned = json::array();
  if (o.retention.any())
    for (const auto& p : prune_archives(run, dest, o.name, o.retention)) pruned.push_back(p);
  run.result(json{{"archive", final_path},
                  {"manifest", sidecar_path(final_path)},
                  {"size", sink.size},
                  {"sha256", archive_sha},
                  {"files", writer.files},
                  {"bytes", writer.bytes},
                  {"pruned", pruned}}
                 .dump());
  return STEWARD_OK;
}

}  // namespace backup

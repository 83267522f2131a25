#include "operations.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "fs_args.hpp"
#include "sha256.hpp"
#include "text_codec.hpp"

namespace fs_tool {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxListEntries = 10000;  // keeps a huge tree from making a huge result
constexpr std::size_t kChunk = 1 << 20;

std::string type_name(mode_t m) {
  if (S_ISREG(m)) return "file";
  if (S_ISDIR(m)) return "directory";
  if (S_ISLNK(m)) return "symlink";
  return "other";
}

std::string bytes_text(std::uint64_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

// The bytes of content or content_base64 (check_args made sure there is exactly one).
std::string content_of(const json& args, const Sandbox& sb, const std::string& path) {
  std::string bytes = args.contains("content") ? args["content"].get<std::string>()
                                               : *base64_decode(args["content_base64"].get<std::string>());
  if (bytes.size() > sb.config().max_write_bytes)
    throw FsError(path, "content is " + bytes_text(bytes.size()) + ", more than max_write_bytes (" +
                            std::to_string(sb.config().max_write_bytes) +
                            "); refused. Raise max_write_bytes in the plugin config to allow it");
  return bytes;
}

std::optional<mode_t> mode_arg(const json& args) {
  if (!args.contains("mode")) return std::nullopt;
  return parse_mode(args["mode"].get<std::string>());
}

void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw FsError(path, "write failed: " + reason(errno));
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Regular files only: reading a FIFO or a device could block or never end.
struct stat regular_file_stat(int fd, const Target& t) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw FsError(t.display, reason(errno, &t));
  if (S_ISDIR(st.st_mode)) throw FsError(t.display, "is a directory (use the list operation)");
  if (!S_ISREG(st.st_mode)) throw FsError(t.display, "is not a regular file (" + type_name(st.st_mode) + ")");
  return st;
}

// lstat of target's last component in its parent directory; false when it does not exist.
bool entry_stat(int parent, const Target& t, struct stat* st) {
  if (::fstatat(parent, t.name().c_str(), st, AT_SYMLINK_NOFOLLOW) == 0) return true;
  if (errno == ENOENT) return false;
  throw FsError(t.display, reason(errno, &t));
}

std::string random_suffix() {
  unsigned char raw[6];
  if (::getrandom(raw, sizeof raw, 0) != static_cast<ssize_t>(sizeof raw))
    throw std::runtime_error(std::string("getrandom failed: ") + reason(errno));
  std::string out;
  char hex[3];
  for (unsigned char b : raw) std::snprintf(hex, sizeof hex, "%02x", b), out += hex;
  return out;
}

Outcome do_read(const Sandbox& sb, const json& args) {
  Target t = sb.locate(args["path"]);
  Fd fd = sb.open(t, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  struct stat st = regular_file_stat(fd.get(), t);
  const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
  const std::uint64_t offset = args.value("offset", std::uint64_t{0});
  const std::uint64_t cap = sb.config().max_read_bytes;
  std::uint64_t want;
  if (args.contains("length")) {
    want = args["length"].get<std::uint64_t>();
    if (want > cap)
      throw FsError(t.display, "length " + std::to_string(want) + " is more than max_read_bytes (" +
                                   std::to_string(cap) + "); refused. Read it in parts of at most that size");
  } else {
    want = size > offset ? size - offset : 0;
    if (want > cap)
      throw FsError(t.display, "is " + bytes_text(size) + "; reading " + bytes_text(want) + " from offset " +
                                   std::to_string(offset) + " is more than max_read_bytes (" + std::to_string(cap) +
                                   "); refused. Read it in parts with offset and length");
  }
  std::string data(want, '\0');
  std::size_t got = 0;
  while (got < want) {
    ssize_t n = ::pread(fd.get(), data.data() + got, want - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw FsError(t.display, "read failed: " + reason(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  data.resize(got);
  ::fstat(fd.get(), &st);  // the file may have grown or shrunk while we read
  const bool eof = offset + got >= static_cast<std::uint64_t>(st.st_size);
  const std::string encoding = args.value("encoding", "auto");
  json r = {{"path", t.display}, {"size", st.st_size}, {"offset", offset}, {"length", got}, {"eof", eof}};
  const bool utf8 = is_valid_utf8(data);
  if (encoding == "text" && !utf8)
    throw FsError(t.display, "is not valid UTF-8 text; read it with encoding \"base64\" (or \"auto\")");
  if (encoding == "base64" || !utf8) {
    r["encoding"] = "base64";
    r["content_base64"] = base64_encode(data);
  } else {
    r["encoding"] = "text";
    r["content"] = data;
  }
  return {r, "read " + bytes_text(got) + " from " + t.display + (eof ? " (to the end)" : "")};
}

Outcome do_write(const Sandbox& sb, const json& args) {
  Target t = sb.locate(args["path"]);
  const std::string bytes = content_of(args, sb, t.display);
  const bool overwrite = args.value("overwrite", true);
  Fd parent = sb.open_parent(t, args.value("create_parents", false));
  const std::string name = t.name();
  struct stat old {};
  const bool exists = entry_stat(parent.get(), t, &old);
  if (exists) {
    if (S_ISLNK(old.st_mode)) {
      sb.refuse_escaping_link(t);
      throw FsError(t.display, "is a symlink; write replaces files atomically and does not replace or follow "
                               "symlinks. Write to the path it points to instead");
    }
    if (S_ISDIR(old.st_mode)) throw FsError(t.display, "is a directory");
    if (!S_ISREG(old.st_mode)) throw FsError(t.display, "is not a regular file (" + type_name(old.st_mode) + ")");
    if (!overwrite) throw FsError(t.display, "already exists (pass overwrite: true to replace it)");
  }
  const mode_t mode = mode_arg(args).value_or(exists ? (old.st_mode & 07777) : 0644);

  // The new content goes to a temp file next to the target and is renamed over it, so a
  // reader sees the old file or the new one, never a part; on failure the temp goes away.
  const std::string tmp = ".steward-" + random_suffix() + ".tmp";
  Fd fd(::openat(parent.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw FsError(t.display, "cannot create a temp file in its directory: " + reason(errno));
  struct Cleanup {
    int dir;
    const std::string& name;
    bool armed = true;
    ~Cleanup() {
      if (armed) ::unlinkat(dir, name.c_str(), 0);
    }
  } cleanup{parent.get(), tmp};
  write_all(fd.get(), bytes, t.display);
  if (::fchmod(fd.get(), mode) != 0) throw FsError(t.display, "cannot set mode: " + reason(errno));
  if (exists && ::fchown(fd.get(), old.st_uid, old.st_gid) != 0) {
    // Not root: the file now belongs to the daemon's user, as any new file would.
  }
  if (::fsync(fd.get()) != 0) throw FsError(t.display, "fsync failed: " + reason(errno));
  fd = Fd();
  int rc = overwrite ? ::renameat(parent.get(), tmp.c_str(), parent.get(), name.c_str())
                     : ::renameat2(parent.get(), tmp.c_str(), parent.get(), name.c_str(), RENAME_NOREPLACE);
  if (rc != 0) {
    int err = errno;
    throw FsError(t.display, err == EEXIST ? "already exists (pass overwrite: true to replace it)"
                                           : "cannot rename the temp file into place: " + reason(err));
  }
  cleanup.armed = false;
  // Make the rename durable too; an O_PATH fd cannot be fsynced, so open the dir for it.
  Fd dir(::openat(parent.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  json r = {{"path", t.display}, {"size", bytes.size()}, {"mode", format_mode(mode)}, {"created", !exists}};
  return {r, "wrote " + bytes_text(bytes.size()) + " to " + t.display};
}

Outcome do_append(const Sandbox& sb, const json& args) {
  Target t = sb.locate(args["path"]);
  const std::string bytes = content_of(args, sb, t.display);
  if (t.is_root()) throw FsError(t.display, "is an allowed root (a directory)");
  if (args.value("create_parents", false)) sb.open_parent(t, true);
  const auto mode = mode_arg(args);
  // O_CREAT under openat2 follows a final symlink only while it stays beneath the root.
  Fd fd = sb.open(t, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_NONBLOCK, mode.value_or(0644));
  regular_file_stat(fd.get(), t);
  if (mode && ::fchmod(fd.get(), *mode) != 0) throw FsError(t.display, "cannot set mode: " + reason(errno));
  write_all(fd.get(), bytes, t.display);
  struct stat st {};
  ::fstat(fd.get(), &st);
  json r = {{"path", t.display}, {"appended", bytes.size()}, {"size", st.st_size}};
  return {r, "appended " + bytes_text(bytes.size()) + " to " + t.display};
}

json entry_json(int dirfd, const std::string& name, const std::string& path, const struct stat& st) {
  json e = {{"name", name},
            {"path", path},
            {"type", type_name(st.st_mode)},
            {"size", st.st_size},
            {"mtime", st.st_mtim.tv_sec},
            {"mode", format_mode(st.st_mode & 07777)}};
  if (S_ISLNK(st.st_mode)) {
    char buf[4096];
    ssize_t n = ::readlinkat(dirfd, name.c_str(), buf, sizeof buf);
    if (n >= 0) e["target"] = std::string(buf, static_cast<std::size_t>(n));
  }
  return e;
}

// Lists dirfd (taking ownership) depth levels deep; symlinks are listed, never followed.
void list_dir(int dirfd, const std::string& path, int depth, json& out, bool& truncated, const CancelCheck& cancelled) {
  DIR* dir = ::fdopendir(dirfd);
  if (!dir) {
    ::close(dirfd);
    throw FsError(path, reason(errno));
  }
  std::vector<std::string> names;
  while (dirent* d = ::readdir(dir)) {
    std::string n = d->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    if (cancelled()) {
      ::closedir(dir);
      throw Cancelled();
    }
    if (out.size() >= kMaxListEntries) {
      truncated = true;
      break;
    }
    struct stat st {};
    if (::fstatat(::dirfd(dir), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone meanwhile
    const std::string child = path == "/" ? "/" + n : path + "/" + n;
    out.push_back(entry_json(::dirfd(dir), n, child, st));
    if (S_ISDIR(st.st_mode) && depth > 1) {
      int sub = ::openat(::dirfd(dir), n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) {
        out.back()["error"] = reason(errno);
        continue;
      }
      try {
        list_dir(sub, child, depth - 1, out, truncated, cancelled);
      } catch (...) {
        ::closedir(dir);
        throw;
      }
    }
  }
  ::closedir(dir);
}

Outcome do_list(const Sandbox& sb, const json& args, const CancelCheck& cancelled) {
  Target t = sb.locate(args["path"]);
  const bool recursive = args.value("recursive", false);
  const int depth = args.value("max_depth", recursive ? 16 : 1);
  Fd fd = sb.open(t, O_RDONLY | O_DIRECTORY);
  json entries = json::array();
  bool truncated = false;
  list_dir(fd.release(), t.display, depth, entries, truncated, cancelled);
  json r = {{"path", t.display}, {"entries", entries}, {"truncated", truncated}};
  return {r, t.display + ": " + std::to_string(entries.size()) + " entries" + (truncated ? " (truncated)" : "")};
}

Outcome do_stat(const Sandbox& sb, const json& args) {
  Target t = sb.locate(args["path"]);
  Fd fd(sb.try_open(t, O_PATH));
  if (fd.get() < 0 && errno == ENOENT) return {{{"path", t.display}, {"exists", false}}, t.display + " does not exist"};
  if (fd.get() < 0) throw FsError(t.display, reason(errno, &t));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw FsError(t.display, reason(errno));
  json r = {{"path", t.display},         {"exists", true},        {"type", type_name(st.st_mode)},
            {"size", st.st_size},        {"mtime", st.st_mtim.tv_sec}, {"mode", format_mode(st.st_mode & 07777)},
            {"uid", st.st_uid},          {"gid", st.st_gid}};
  return {r, t.display + ": " + type_name(st.st_mode) + ", " + bytes_text(static_cast<std::uint64_t>(st.st_size))};
}

Outcome do_mkdir(const Sandbox& sb, const json& args) {
  Target t = sb.locate(args["path"]);
  const bool parents = args.value("create_parents", false);
  if (t.is_root()) throw FsError(t.display, "is an allowed root; it exists already");
  Fd parent = sb.open_parent(t, parents);
  const auto mode = mode_arg(args);
  const std::string name = t.name();
  bool created = true;
  if (::mkdirat(parent.get(), name.c_str(), mode.value_or(0755)) != 0) {
    int err = errno;
    struct stat st {};
    // Like mkdir -p: with create_parents an existing directory is success.
    if (err == EEXIST && parents && entry_stat(parent.get(), t, &st) && S_ISDIR(st.st_mode))
      created = false;
    else
      throw FsError(t.display, reason(err, &t));
  }
  if (created && mode) {
    // mkdirat() applies the umask; fchmod sets exactly the mode asked for.
    Fd dir(::openat(parent.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir.get() < 0 || ::fchmod(dir.get(), *mode) != 0) throw FsError(t.display, "cannot set mode: " + reason(errno));
  }
  json r = {{"path", t.display}, {"created", created}};
  return {r, created ? "created directory " + t.display : t.display + " exists already"};
}

Outcome do_move(const Sandbox& sb, const json& args) {
  Target from = sb.locate(args["path"]);
  Target to = sb.locate(args["destination"]);
  const bool overwrite = args.value("overwrite", false);
  Fd from_dir = sb.open_parent(from, false);
  Fd to_dir = sb.open_parent(to, args.value("create_parents", false));
  struct stat st {};
  if (!entry_stat(from_dir.get(), from, &st)) throw FsError(from.display, "does not exist");
  if (S_ISLNK(st.st_mode)) sb.refuse_escaping_link(from);
  if (entry_stat(to_dir.get(), to, &st)) {
    if (S_ISLNK(st.st_mode)) sb.refuse_escaping_link(to);
    if (!overwrite) throw FsError(to.display, "already exists (pass overwrite: true to replace it)");
  }
  const std::string a = from.name(), b = to.name();
  int rc = overwrite ? ::renameat(from_dir.get(), a.c_str(), to_dir.get(), b.c_str())
                     : ::renameat2(from_dir.get(), a.c_str(), to_dir.get(), b.c_str(), RENAME_NOREPLACE);
  if (rc != 0) {
    int err = errno;
    std::string why = err == EXDEV    ? "is on another filesystem than " + to.display + "; move only renames, it does not copy"
                      : err == EINVAL ? "cannot be moved into itself"
                      : err == EEXIST || err == ENOTEMPTY
                          ? "cannot replace " + to.display + ": " + reason(err)
                          : "cannot be moved to " + to.display + ": " + reason(err);
    throw FsError(from.display, why);
  }
  json r = {{"path", from.display}, {"destination", to.display}};
  return {r, "moved " + from.display + " to " + to.display};
}

// Empties the directory `name` in `parent` (not following symlinks, not crossing into
// other filesystems); returns the number of entries removed.
std::uint64_t empty_tree(int parent, const std::string& name, const std::string& path, dev_t dev,
                         const CancelCheck& cancelled) {
  int fd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) throw FsError(path, reason(errno));
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    throw FsError(path, reason(errno));
  }
  std::vector<std::string> names;
  while (dirent* d = ::readdir(dir)) {
    std::string n = d->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  std::uint64_t removed = 0;
  try {
    for (const std::string& n : names) {
      if (cancelled()) throw Cancelled();
      const std::string child = path + "/" + n;
      struct stat st {};
      if (::fstatat(::dirfd(dir), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;
        throw FsError(child, reason(errno));
      }
      if (S_ISDIR(st.st_mode)) {
        if (st.st_dev != dev) throw FsError(child, "is a mount point; recursive delete does not cross filesystems");
        removed += empty_tree(::dirfd(dir), n, child, dev, cancelled);
      }
      if (::unlinkat(::dirfd(dir), n.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0 && errno != ENOENT)
        throw FsError(child, "cannot delete: " + reason(errno));
      ++removed;
    }
  } catch (...) {
    ::closedir(dir);
    throw;
  }
  ::closedir(dir);
  return removed;
}

Outcome do_delete(const Sandbox& sb, const json& args, const CancelCheck& cancelled) {
  Target t = sb.locate(args["path"]);
  if (t.is_root()) throw FsError(t.display, "is an allowed root; it cannot be deleted");
  Fd parent = sb.open_parent(t, false);
  struct stat st {};
  if (!entry_stat(parent.get(), t, &st)) throw FsError(t.display, "does not exist");
  const std::string name = t.name();
  std::uint64_t removed = 1;
  if (S_ISLNK(st.st_mode)) sb.refuse_escaping_link(t);  // the link itself is removed, never its target
  if (S_ISDIR(st.st_mode)) {
    if (args.value("recursive", false)) removed += empty_tree(parent.get(), name, t.display, st.st_dev, cancelled);
    if (::unlinkat(parent.get(), name.c_str(), AT_REMOVEDIR) != 0) {
      int err = errno;
      if (err == ENOTEMPTY || err == EEXIST)
        throw FsError(t.display, "is a directory that is not empty; pass recursive: true to delete it with everything in it");
      throw FsError(t.display, "cannot delete: " + reason(err, &t));
    }
  } else if (::unlinkat(parent.get(), name.c_str(), 0) != 0) {
    throw FsError(t.display, "cannot delete: " + reason(errno, &t));
  }
  json r = {{"path", t.display}, {"type", type_name(st.st_mode)}, {"deleted", removed}};
  return {r, "deleted " + t.display + (removed > 1 ? " (" + std::to_string(removed) + " entries)" : "")};
}

Outcome do_checksum(const Sandbox& sb, const json& args, const CancelCheck& cancelled) {
  Target t = sb.locate(args["path"]);
  Fd fd = sb.open(t, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  regular_file_stat(fd.get(), t);
  Sha256 hash;
  std::string buf(kChunk, '\0');
  std::uint64_t total = 0;
  for (;;) {
    if (cancelled()) throw Cancelled();
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw FsError(t.display, "read failed: " + reason(errno));
    if (n == 0) break;
    hash.update(buf.data(), static_cast<std::size_t>(n));
    total += static_cast<std::uint64_t>(n);
  }
  const std::string digest = hash.hex_digest();
  json r = {{"path", t.display}, {"sha256", digest}, {"size", total}};
  return {r, digest + "  " + t.display};
}

}  // namespace

Outcome run_operation(const Sandbox& sb, const json& args, const CancelCheck& cancelled) {
  const std::string op = args["operation"];
  if (op == "read") return do_read(sb, args);
  if (op == "write") return do_write(sb, args);
  if (op == "append") return do_append(sb, args);
  if (op == "list") return do_list(sb, args, cancelled);
  if (op == "stat") return do_stat(sb, args);
  if (op == "mkdir") return do_mkdir(sb, args);
  if (op == "move") return do_move(sb, args);
  if (op == "delete") return do_delete(sb, args, cancelled);
  if (op == "checksum") return do_checksum(sb, args, cancelled);
  throw std::runtime_error("operation: '" + op + "' is not a filesystem operation");
}

}  // namespace fs_tool

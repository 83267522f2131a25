#include "sandbox.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace fs_tool {

using nlohmann::json;

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

namespace {

constexpr std::uint64_t kMaxCap = 1ull << 30;  // results are held in memory and sent as JSON

const char* kHowToConfigure =
    "add {\"filesystem\": {\"allowed_roots\": [\"/absolute/dir\"]}} to the daemon's plugin_config file "
    "(--plugin-config FILE) and restart it";

// Splits on '/', dropping empty and "." components; reports whether a ".." was seen.
std::vector<std::string> components(const std::string& path, bool* dotdot) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string c = path.substr(start, end - start);
    if (c == "..") *dotdot = true;
    if (!c.empty() && c != ".") out.push_back(c);
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::size_t from = 0) {
  std::string out;
  for (std::size_t i = from; i < parts.size(); ++i) out += (out.empty() ? "" : "/") + parts[i];
  return out;
}

std::string child_path(const std::string& dir, const std::string& rel) {
  if (rel.empty()) return dir;
  return dir == "/" ? "/" + rel : dir + "/" + rel;
}

bool starts_with(const std::vector<std::string>& path, const std::vector<std::string>& prefix) {
  if (prefix.size() > path.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (path[i] != prefix[i]) return false;
  return true;
}

long raw_openat2(int dirfd, const std::string& rel, int flags, mode_t mode) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) ? mode : 0;  // the kernel refuses a mode without O_CREAT
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const char* p = rel.empty() ? "." : rel.c_str();
  long fd;
  // EAGAIN: a concurrent rename made the kernel unsure '..' stayed beneath; retrying is the
  // documented answer. EINTR: a signal during an open of a slow file.
  int tries = 0;
  do fd = ::syscall(SYS_openat2, dirfd, p, &how, sizeof how);
  while (fd < 0 && (errno == EAGAIN || errno == EINTR) && ++tries < 16);
  return fd;
}

std::uint64_t cap_field(const json& cfg, const char* name, std::uint64_t fallback) {
  if (!cfg.contains(name)) return fallback;
  const json& v = cfg[name];
  if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::uint64_t>() > kMaxCap)
    throw std::runtime_error(std::string(name) + ": must be an integer from 1 to " + std::to_string(kMaxCap) +
                             " (bytes)");
  return v.get<std::uint64_t>();
}

}  // namespace

Config parse_config(std::string_view config_json) {
  json cfg = json::parse(config_json, nullptr, false);
  if (!cfg.is_object()) throw std::runtime_error("config: must be a JSON object");
  for (const auto& [key, _] : cfg.items())
    if (key != "allowed_roots" && key != "max_read_bytes" && key != "max_write_bytes")
      throw std::runtime_error("config: unknown field '" + key +
                               "' (known: allowed_roots, max_read_bytes, max_write_bytes)");
  Config c;
  c.max_read_bytes = cap_field(cfg, "max_read_bytes", c.max_read_bytes);
  c.max_write_bytes = cap_field(cfg, "max_write_bytes", c.max_write_bytes);
  if (!cfg.contains("allowed_roots")) return c;
  const json& roots = cfg["allowed_roots"];
  if (!roots.is_array()) throw std::runtime_error("allowed_roots: must be an array of absolute directory paths");
  for (std::size_t i = 0; i < roots.size(); ++i) {
    const std::string where = "allowed_roots[" + std::to_string(i) + "]";
    if (!roots[i].is_string()) throw std::runtime_error(where + ": must be a string");
    const std::string p = roots[i];
    bool dotdot = false;
    auto parts = components(p, &dotdot);
    if (p.empty() || p[0] != '/' || p.find('\0') != std::string::npos)
      throw std::runtime_error(where + ": '" + p + "' is not an absolute path");
    if (dotdot) throw std::runtime_error(where + ": '" + p + "' must not contain '..'");
    Root root{"/" + join(parts), ""};
    Fd fd(::open(root.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0)
      throw std::runtime_error(where + ": " + root.path + " cannot be opened as a directory: " + std::strerror(errno));
    root.canonical = std::filesystem::canonical(root.path).string();
    // Probe once so a kernel without openat2 (before 5.6) refuses the plugin at load
    // instead of failing every call.
    long probe = raw_openat2(fd.get(), "", O_PATH | O_DIRECTORY, 0);
    if (probe < 0 && errno == ENOSYS)
      throw std::runtime_error("this kernel has no openat2(2) (Linux 5.6+ is needed to confine paths safely)");
    if (probe >= 0) ::close(static_cast<int>(probe));
    c.roots.push_back(std::move(root));
  }
  return c;
}

std::string Target::parent_rel() const {
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}

std::string Target::name() const {
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

std::string reason(int err, const Target* t) {
  switch (err) {
    case EXDEV:
      return "leads outside the allowed root " + (t ? t->root->path : std::string()) +
             " (a symlink pointing out of it, or any absolute symlink); refused";
    case ELOOP:
      return "is or passes through a symlink that cannot be followed here (a loop, a /proc magic link, or a "
             "symlink where none is allowed); refused";
    case ENOENT:
      return "does not exist";
    case ENOTDIR:
      return "is not a directory (or a component of its path is not)";
    case EISDIR:
      return "is a directory";
    case EACCES:
    case EPERM:
      return "permission denied";
    case EEXIST:
      return "already exists";
    case ENOTEMPTY:
      return "is a directory that is not empty";
    case ENOSPC:
      return "no space left on the device";
    case EROFS:
      return "is on a read-only filesystem";
    default:
      return std::strerror(err);
  }
}

Target Sandbox::locate(const std::string& path) const {
  if (config_.roots.empty())
    throw FsError(path, std::string("refused: the filesystem plugin has no allowed_roots configured; ") +
                            kHowToConfigure);
  if (path.empty()) throw FsError("(empty path)", "a path is required");
  if (path.find('\0') != std::string::npos) throw FsError(path, "contains a NUL character");
  bool dotdot = false;
  auto parts = components(path, &dotdot);
  if (dotdot) throw FsError(path, "'..' components are not allowed; give the path without them");
  if (path[0] != '/') {
    const Root& first = config_.roots.front();
    return Target{&first, join(parts), child_path(first.path, join(parts))};
  }
  // The longest matching root wins, so nested roots map to the innermost one.
  const Root* best = nullptr;
  std::size_t best_len = 0;
  for (const Root& r : config_.roots)
    for (const std::string* form : {&r.path, &r.canonical}) {
      bool unused = false;
      auto prefix = components(*form, &unused);
      if (starts_with(parts, prefix) && (!best || prefix.size() > best_len)) best = &r, best_len = prefix.size();
    }
  if (!best) {
    std::string list;
    for (const Root& r : config_.roots) list += (list.empty() ? "" : ", ") + r.path;
    throw FsError(path, "is outside the allowed roots (" + list + "); refused");
  }
  std::string rel = join(parts, best_len);
  return Target{best, rel, child_path(best->path, rel)};
}

Fd Sandbox::open_root(const Root& root) const {
  Fd fd(::open(root.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw FsError(root.path, "the allowed root cannot be opened: " + reason(errno));
  return fd;
}

int Sandbox::try_open(const Target& t, int flags, mode_t mode) const {
  Fd root = open_root(*t.root);
  return static_cast<int>(raw_openat2(root.get(), t.rel, flags, mode));
}

Fd Sandbox::open(const Target& t, int flags, mode_t mode) const {
  Fd fd(try_open(t, flags, mode));
  if (fd.get() < 0) throw FsError(t.display, reason(errno, &t));
  return fd;
}

Fd Sandbox::open_parent(const Target& t, bool create_parents) const {
  if (t.is_root()) throw FsError(t.display, "is an allowed root itself; this operation needs a path inside it");
  Target parent{t.root, t.parent_rel(), child_path(t.root->path, t.parent_rel())};
  if (!create_parents) {
    Fd fd(try_open(parent, O_PATH | O_DIRECTORY));
    if (fd.get() < 0)
      throw FsError(t.display, "parent directory " + parent.display + ": " + reason(errno, &t) +
                                   (errno == ENOENT ? " (pass create_parents: true to create it)" : ""));
    return fd;
  }
  // Each level is created with mkdirat() in the level above, which was itself opened
  // beneath the root, then reopened beneath the root: a symlink planted meanwhile is
  // still resolved by openat2 and cannot lead out.
  bool unused = false;
  auto parts = components(parent.rel, &unused);
  Fd dir = open_root(*t.root);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    Target level{t.root, join(std::vector<std::string>(parts.begin(), parts.begin() + long(i) + 1)), ""};
    level.display = child_path(t.root->path, level.rel);
    Fd next(try_open(level, O_PATH | O_DIRECTORY));
    if (next.get() < 0 && errno == ENOENT) {
      if (::mkdirat(dir.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST)
        throw FsError(t.display, "cannot create parent directory " + level.display + ": " + reason(errno, &t));
      next = Fd(try_open(level, O_PATH | O_DIRECTORY));
    }
    if (next.get() < 0) throw FsError(t.display, "parent directory " + level.display + ": " + reason(errno, &t));
    dir = std::move(next);
  }
  return dir;
}

void Sandbox::refuse_escaping_link(const Target& t) const {
  Fd fd(try_open(t, O_PATH));
  if (fd.get() < 0 && (errno == EXDEV || errno == ELOOP))
    throw FsError(t.display, "is a symlink that " + std::string(errno == EXDEV ? "leads outside the allowed root " + t.root->path + "; refused" : "cannot be followed (a loop or a /proc magic link); refused"));
}

}  // namespace fs_tool

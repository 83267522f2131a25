// Confines every path to the configured allowed_roots. A path is mapped to (root, relative
// path) lexically, then resolved by the kernel with openat2(RESOLVE_BENEATH |
// RESOLVE_NO_MAGICLINKS) relative to an fd of the root, so '..' and symlinks cannot leave
// the root, even when they are swapped in while we work. Operations that change a
// directory entry act on the resolved parent directory's fd with *at() calls.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fs_tool {

// A failure about one path: what() is "<path>: <reason>".
class FsError : public std::runtime_error {
 public:
  FsError(const std::string& path, const std::string& reason) : std::runtime_error(path + ": " + reason) {}
};

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd();
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

struct Root {
  std::string path;       // as configured, lexically normalised: shown in results
  std::string canonical;  // with symlinks resolved at load: also accepted in requests
};

struct Config {
  std::vector<Root> roots;
  std::uint64_t max_read_bytes = 16ull << 20;
  std::uint64_t max_write_bytes = 16ull << 20;
};

// Parses and checks the plugin config; throws std::runtime_error naming the bad field.
Config parse_config(std::string_view config_json);

// A path confined to a root: `rel` is relative to the root ("" is the root itself).
struct Target {
  const Root* root = nullptr;
  std::string rel;
  std::string display;  // the absolute path, for results and messages
  bool is_root() const { return rel.empty(); }
  std::string parent_rel() const;
  std::string name() const;  // the last component
};

class Sandbox {
 public:
  explicit Sandbox(Config config) : config_(std::move(config)) {}
  const Config& config() const { return config_; }

  // Maps a requested path to its root; throws FsError for '..', paths outside every root
  // and when no roots are configured.
  Target locate(const std::string& path) const;
  // openat2 of target beneath its root. `flags` are open(2) flags; O_CLOEXEC is added.
  Fd open(const Target& t, int flags, mode_t mode = 0) const;
  // Like open() but returns -1 with errno set instead of throwing.
  int try_open(const Target& t, int flags, mode_t mode = 0) const;
  // The directory holding target's last component (O_PATH), created first (0755) when
  // create_parents. Throws for the root itself, which has no parent inside the root.
  Fd open_parent(const Target& t, bool create_parents) const;
  // Throws when the symlink at target (its last component) leads outside the root.
  void refuse_escaping_link(const Target& t) const;

 private:
  Fd open_root(const Root& root) const;
  Config config_;
};

// Why an errno happened, phrased for a path ("does not exist", "leads outside ...").
std::string reason(int err, const Target* t = nullptr);

}  // namespace fs_tool

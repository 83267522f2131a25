// Small POSIX helpers: error text, durable writes, and a guard that removes a temp file
// unless the operation that owns it succeeds.
#pragma once

#include <string>

namespace backup {

// "PATH: strerror(err)"
std::string errno_text(const std::string& path, int err);

// Writes `content` to `path` durably: PATH.partial, fsync, rename, fsync of the directory.
void write_file_atomic(const std::string& path, const std::string& content);
void fsync_dir(const std::string& dir);
std::string dirname_of(const std::string& path);
std::string basename_of(const std::string& path);
// Creates `dir` and its parents (mode 0755); throws with the path on failure.
void make_dirs(const std::string& dir);

// Unlinks the path on destruction unless release()d.
class TempFileGuard {
 public:
  explicit TempFileGuard(std::string path) : path_(std::move(path)) {}
  ~TempFileGuard();
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  void release() { path_.clear(); }

 private:
  std::string path_;
};

}  // namespace backup

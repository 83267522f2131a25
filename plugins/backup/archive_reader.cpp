#include "archive_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "fs_util.hpp"

namespace backup {

HashingArchiveReader::HashingArchiveReader(const std::string& path) : path_(path), buf_(1 << 20) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error("archive " + errno_text(path, errno));
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  a_ = archive_read_new();
  archive_read_support_filter_zstd(a_);
  archive_read_support_filter_gzip(a_);
  archive_read_support_format_tar(a_);
  // No skip/seek callbacks: every byte passes through read_cb and into the hash.
  if (archive_read_open2(a_, this, nullptr, read_cb, nullptr, nullptr) != ARCHIVE_OK) {
    std::string why = archive_error_string(a_) ? archive_error_string(a_) : "unknown error";
    archive_read_free(a_);
    ::close(fd_);
    throw std::runtime_error("archive " + path + ": " + why);
  }
}

HashingArchiveReader::~HashingArchiveReader() {
  archive_read_free(a_);
  if (fd_ >= 0) ::close(fd_);
}

la_ssize_t HashingArchiveReader::read_cb(archive* a, void* self, const void** out) {
  auto* r = static_cast<HashingArchiveReader*>(self);
  for (;;) {
    ssize_t n = ::read(r->fd_, r->buf_.data(), r->buf_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      archive_set_error(a, errno, "reading %s", r->path_.c_str());
      return -1;
    }
    r->sha_.update(r->buf_.data(), static_cast<size_t>(n));
    r->size_ += static_cast<std::uint64_t>(n);
    *out = r->buf_.data();
    return n;
  }
}

std::string HashingArchiveReader::finish_sha256() {
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data(), buf_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("archive " + errno_text(path_, errno));
    if (n == 0) break;
    sha_.update(buf_.data(), static_cast<size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
  }
  return sha_.hex();
}

}  // namespace backup

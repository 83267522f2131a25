// Reads an archive file through libarchive (zstd, gzip or plain tar) while hashing every
// byte of the file, so verify checks the archive's SHA-256 in the same pass as its entries.
#pragma once

#include <archive.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sha256.hpp"

namespace backup {

class HashingArchiveReader {
 public:
  explicit HashingArchiveReader(const std::string& path);  // throws if it cannot open
  ~HashingArchiveReader();
  HashingArchiveReader(const HashingArchiveReader&) = delete;
  HashingArchiveReader& operator=(const HashingArchiveReader&) = delete;

  archive* get() { return a_; }
  // Hashes whatever libarchive did not read (trailing blocks, or everything after a
  // decompression error) and returns the SHA-256 and size of the whole file.
  std::string finish_sha256();
  std::uint64_t size() const { return size_; }

 private:
  static la_ssize_t read_cb(archive*, void* self, const void** out);
  std::string path_;
  int fd_ = -1;
  archive* a_ = nullptr;
  Sha256 sha_;
  std::uint64_t size_ = 0;
  std::vector<char> buf_;
};

}  // namespace backup

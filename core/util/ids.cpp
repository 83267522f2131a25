#include "core/util/ids.hpp"

#include <sys/random.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

namespace steward {

namespace {
constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

void fill_random(unsigned char* buf, std::size_t len) {
  std::size_t got = 0;
  while (got < len) {
    ssize_t n = getrandom(buf + got, len - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("getrandom failed");
    }
    got += static_cast<std::size_t>(n);
  }
}
}  // namespace

std::string random_base32(std::size_t chars) {
  std::vector<unsigned char> bytes(chars);
  fill_random(bytes.data(), bytes.size());
  std::string out(chars, '\0');
  // One byte per character, keeping the low 5 bits: uniform since 256 % 32 == 0.
  for (std::size_t i = 0; i < chars; ++i) out[i] = kAlphabet[bytes[i] & 31];
  return out;
}

std::string new_id(std::string_view prefix) {
  std::string id(prefix);
  id += '_';
  id += random_base32(16);
  return id;
}

}  // namespace steward

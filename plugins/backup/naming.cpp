#include "naming.hpp"

#include <regex>

namespace backup {

bool valid_name(const std::string& name) {
  static const std::regex kName("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}");
  return std::regex_match(name, kName);
}

std::string format_stamp(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string iso_time(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<std::time_t> parse_stamp(const std::string& s) {
  static const std::regex kStamp("(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})Z");
  std::smatch m;
  if (!std::regex_match(s, m, kStamp)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = std::stoi(m[6]);
  std::time_t t = timegm(&tm);
  // timegm normalises out-of-range fields (month 13, hour 25): such a stamp is malformed.
  if (t == -1 || format_stamp(t) != s) return std::nullopt;
  return t;
}

std::string archive_file_name(const std::string& name, std::time_t t, int seq, const std::string& compression) {
  return name + "-" + format_stamp(t) + (seq > 0 ? "-" + std::to_string(seq) : "") +
         (compression == "gzip" ? ".tar.gz" : ".tar.zst");
}

std::optional<ArchiveName> parse_archive_file_name(const std::string& file) {
  static const std::regex kFile("(.+)-(\\d{8}T\\d{6}Z)(?:-([1-9]\\d{0,5}))?\\.tar\\.(zst|gz)");
  std::smatch m;
  if (!std::regex_match(file, m, kFile)) return std::nullopt;
  ArchiveName a;
  a.name = m[1];
  if (!valid_name(a.name)) return std::nullopt;
  auto t = parse_stamp(m[2]);
  if (!t) return std::nullopt;
  a.time = *t;
  a.seq = m[3].matched ? std::stoi(m[3]) : 0;
  a.compression = m[4] == "gz" ? "gzip" : "zstd";
  return a;
}

}  // namespace backup

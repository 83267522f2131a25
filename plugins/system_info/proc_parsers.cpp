#include "proc_parsers.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <set>

namespace system_info_plugin {

namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

template <class T>
std::optional<T> number(std::string_view s) {
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// strtod, not from_chars: libstdc++ before 11 lacks floating-point from_chars.
std::optional<double> decimal(std::string_view s) {
  std::string copy(s);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) return std::nullopt;
  return v;
}

// fstab-style octal escapes: "\040" is a space, "\011" a tab, "\134" a backslash.
std::string unescape_octal(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() + 1) {
      std::string_view digits = s.substr(i + 1, 3);
      if (digits.size() == 3 && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        out += static_cast<char>((digits[0] - '0') * 64 + (digits[1] - '0') * 8 + (digits[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : lines_of(text)) {
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string key(trim(line.substr(0, eq)));
    std::string_view raw = trim(line.substr(eq + 1));
    std::string value;
    if (raw.size() >= 2 && (raw.front() == '"' || raw.front() == '\'') && raw.back() == raw.front()) {
      const char quote = raw.front();
      raw = raw.substr(1, raw.size() - 2);
      for (size_t i = 0; i < raw.size(); ++i) {
        // Shell rules: inside double quotes a backslash escapes the next character.
        if (quote == '"' && raw[i] == '\\' && i + 1 < raw.size()) ++i;
        value += raw[i];
      }
    } else {
      value = std::string(raw);
    }
    out[key] = value;
  }
  return out;
}

std::optional<CpuTimes> parse_cpu_times(std::string_view proc_stat) {
  for (std::string_view line : lines_of(proc_stat)) {
    auto f = fields_of(line);
    if (f.empty() || f[0] != "cpu") continue;
    // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is
    // already counted in user/nice, so only the first eight add up to the total.
    if (f.size() < 5) return std::nullopt;
    CpuTimes t;
    for (size_t i = 1; i < f.size() && i <= 8; ++i) {
      auto v = number<std::uint64_t>(f[i]);
      if (!v) return std::nullopt;
      t.total += *v;
      if (i == 4 || i == 5) t.idle += *v;
    }
    return t;
  }
  return std::nullopt;
}

double cpu_percent(const CpuTimes& earlier, const CpuTimes& later) {
  CpuTimes from = earlier;
  if (later.total <= earlier.total) from = CpuTimes{};  // no time passed: since boot
  const double total = static_cast<double>(later.total - from.total);
  if (total <= 0) return 0.0;
  const double idle = later.idle >= from.idle ? static_cast<double>(later.idle - from.idle) : 0.0;
  return std::clamp(100.0 * (total - idle) / total, 0.0, 100.0);
}

std::optional<std::int64_t> parse_boot_time(std::string_view proc_stat) {
  for (std::string_view line : lines_of(proc_stat)) {
    auto f = fields_of(line);
    if (f.size() >= 2 && f[0] == "btime") return number<std::int64_t>(f[1]);
  }
  return std::nullopt;
}

CpuInfo parse_cpuinfo(std::string_view text) {
  CpuInfo info;
  // In order of preference: x86 and most others, ARM (32-bit), POWER, MIPS.
  static const std::vector<std::string> kModelKeys = {"model name", "Processor", "cpu", "cpu model"};
  std::map<std::string, std::string> first_value;
  for (std::string_view line : lines_of(text)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (key == "processor") ++info.processors;
    if (!first_value.count(key)) first_value[key] = std::string(value);
  }
  for (const auto& key : kModelKeys) {
    auto it = first_value.find(key);
    if (it != first_value.end() && !it->second.empty()) {
      info.model = it->second;
      break;
    }
  }
  return info;
}

std::map<std::string, std::uint64_t> parse_meminfo(std::string_view text) {
  std::map<std::string, std::uint64_t> out;
  for (std::string_view line : lines_of(text)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto f = fields_of(line.substr(colon + 1));
    if (f.empty()) continue;
    auto v = number<std::uint64_t>(f[0]);
    if (!v) continue;
    std::uint64_t factor = (f.size() >= 2 && f[1] == "kB") ? 1024 : 1;
    out[std::string(trim(line.substr(0, colon)))] = *v * factor;
  }
  return out;
}

std::optional<std::array<double, 3>> parse_loadavg(std::string_view text) {
  auto f = fields_of(lines_of(text).empty() ? std::string_view() : lines_of(text)[0]);
  if (f.size() < 3) return std::nullopt;
  std::array<double, 3> out{};
  for (size_t i = 0; i < 3; ++i) {
    auto v = decimal(f[i]);
    if (!v || *v < 0) return std::nullopt;
    out[i] = *v;
  }
  return out;
}

std::optional<double> parse_uptime(std::string_view text) {
  auto f = fields_of(lines_of(text).empty() ? std::string_view() : lines_of(text)[0]);
  if (f.empty()) return std::nullopt;
  auto v = decimal(f[0]);
  if (!v || *v < 0) return std::nullopt;
  return v;
}

std::vector<Mount> parse_mounts(std::string_view text) {
  std::vector<Mount> out;
  for (std::string_view line : lines_of(text)) {
    auto f = fields_of(line);
    if (f.size() < 4) continue;
    out.push_back(Mount{unescape_octal(f[0]), unescape_octal(f[1]), std::string(f[2]), std::string(f[3])});
  }
  return out;
}

bool is_pseudo_fs(std::string_view fs_type) {
  static const std::set<std::string, std::less<>> kPseudo = {
      "proc",     "sysfs",       "devtmpfs",   "devpts",   "tmpfs",     "ramfs",     "cgroup",     "cgroup2",
      "securityfs", "debugfs",   "tracefs",    "configfs", "fusectl",   "mqueue",    "hugetlbfs",  "pstore",
      "bpf",      "autofs",      "binfmt_misc", "rpc_pipefs", "nsfs",   "efivarfs",  "selinuxfs",  "squashfs",
      "nfsd",     "fuse.gvfsd-fuse", "fuse.portal", "fuse.lxcfs"};
  return kPseudo.count(fs_type) > 0;
}

std::vector<NetDev> parse_net_dev(std::string_view text) {
  std::vector<NetDev> out;
  for (std::string_view line : lines_of(text)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // the two header lines have '|', no ':'
    std::string name(trim(line.substr(0, colon)));
    auto f = fields_of(line.substr(colon + 1));
    // rx: bytes packets errs drop fifo frame compressed multicast; tx: bytes ...
    if (name.empty() || f.size() < 9) continue;
    auto rx = number<std::uint64_t>(f[0]);
    auto tx = number<std::uint64_t>(f[8]);
    if (!rx || !tx) continue;
    out.push_back(NetDev{name, *rx, *tx});
  }
  return out;
}

}  // namespace system_info_plugin

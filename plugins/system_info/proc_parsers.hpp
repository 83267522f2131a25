// Pure parsers for the text of /proc files and /etc/os-release: text in, values out, no
// I/O, so they are tested on literal samples and reused by other plugins (the device agent).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace system_info_plugin {

// /etc/os-release: KEY=value lines, values optionally quoted ("..." or '...', with \ escapes).
std::map<std::string, std::string> parse_os_release(std::string_view text);

// The aggregate "cpu " line of /proc/stat, in jiffies.
struct CpuTimes {
  std::uint64_t total = 0;
  std::uint64_t idle = 0;  // idle + iowait: time the CPUs did no work
};
std::optional<CpuTimes> parse_cpu_times(std::string_view proc_stat);
// Busy share between two samples in percent (0..100). With no elapsed time (same sample
// twice) it is the average since `earlier` counted from zero, i.e. since boot.
double cpu_percent(const CpuTimes& earlier, const CpuTimes& later);

// "btime" of /proc/stat: boot time in seconds since the epoch.
std::optional<std::int64_t> parse_boot_time(std::string_view proc_stat);

// /proc/cpuinfo: the processor's model name (x86 "model name"; ARM, POWER, MIPS spell it
// differently) and the number of "processor" entries.
struct CpuInfo {
  std::string model;
  int processors = 0;
};
CpuInfo parse_cpuinfo(std::string_view text);

// /proc/meminfo: every "Key: N kB" line, in bytes (lines without a unit as given).
std::map<std::string, std::uint64_t> parse_meminfo(std::string_view text);

// /proc/loadavg: the 1, 5 and 15 minute load averages.
std::optional<std::array<double, 3>> parse_loadavg(std::string_view text);

// /proc/uptime: seconds since boot.
std::optional<double> parse_uptime(std::string_view text);

// /proc/self/mounts (fstab format; spaces etc. in paths are octal escapes like \040).
struct Mount {
  std::string device, mount_point, fs_type, options;
};
std::vector<Mount> parse_mounts(std::string_view text);
// True for filesystems with no storage of their own to run out of (proc, sysfs, cgroup,
// tmpfs, ...) and for read-only images that are always full (squashfs): no disk to report.
bool is_pseudo_fs(std::string_view fs_type);

// /proc/net/dev: per-interface byte counters.
struct NetDev {
  std::string name;
  std::uint64_t rx_bytes = 0, tx_bytes = 0;
};
std::vector<NetDev> parse_net_dev(std::string_view text);

}  // namespace system_info_plugin

// The `system_info` tool: host facts (name, OS, kernel, CPU, memory, boot time) and health
// (CPU, memory, swap, disks, load, uptime, network) read from /proc, /etc/os-release,
// uname() and statvfs(). Parsing lives in proc_parsers.cpp; this file only reads and
// assembles. One summary line as output, everything in the JSON result.
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <steward/plugin.hpp>
#include <thread>

#include "proc_parsers.hpp"

namespace system_info_plugin {
namespace {

using nlohmann::json;

constexpr int kDefaultSampleMs = 200;
constexpr int kSliceMs = 50;  // cancellation latency while sampling the CPU

const char* kSchema = R"json({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "what": {"type": "string", "enum": ["facts", "health", "all"], "default": "all",
             "description": "facts: what the host is (name, OS, kernel, CPU, memory size, boot time); health: how it is doing (CPU, memory, swap, disks, load, uptime, network); all: both"},
    "sample_ms": {"type": "integer", "minimum": 0, "maximum": 5000, "default": 200,
                  "description": "Interval in milliseconds between the two /proc/stat samples for cpu_percent; 0 gives the average since boot"}
  }
})json";

// Whole file as text; /proc files report size 0, so read until EOF. Empty when unreadable.
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string iso_utc(std::int64_t epoch_s) {
  std::time_t t = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double round1(double v) { return std::round(v * 10.0) / 10.0; }

double percent(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : round1(100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string human_bytes(std::uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024.0 && unit < 5) {
    v /= 1024.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[unit]);
  return buf;
}

std::string human_duration(double seconds) {
  auto s = static_cast<std::int64_t>(seconds);
  std::int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
  if (d > 0) return std::to_string(d) + "d " + std::to_string(h) + "h";
  if (h > 0) return std::to_string(h) + "h " + std::to_string(m) + "m";
  return std::to_string(m) + "m";
}

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

json facts() {
  json f;
  char host[256] = {};
  f["hostname"] = ::gethostname(host, sizeof host - 1) == 0 ? std::string(host) : std::string();
  auto os = parse_os_release(slurp("/etc/os-release"));
  if (os.empty()) os = parse_os_release(slurp("/usr/lib/os-release"));  // the fallback os-release(5) names
  f["os"] = {{"pretty_name", os.count("PRETTY_NAME") ? os["PRETTY_NAME"] : "Linux"},
             {"id", os.count("ID") ? os["ID"] : "linux"},
             {"version_id", os.count("VERSION_ID") ? json(os["VERSION_ID"]) : json(nullptr)}};
  utsname u{};
  if (::uname(&u) == 0) {
    f["kernel"] = {{"name", u.sysname}, {"release", u.release}, {"version", u.version}};
    f["architecture"] = u.machine;
  }
  long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  CpuInfo cpu = parse_cpuinfo(slurp("/proc/cpuinfo"));
  f["cpu_count"] = online > 0 ? static_cast<int>(online) : cpu.processors;
  f["cpu_model"] = cpu.model;
  auto mem = parse_meminfo(slurp("/proc/meminfo"));
  f["memory_total_bytes"] = mem.count("MemTotal") ? mem["MemTotal"] : 0;
  if (auto bt = parse_boot_time(slurp("/proc/stat"))) {
    f["boot_time"] = iso_utc(*bt);
    f["boot_time_unix"] = *bt;
  }
  return f;
}

json disks() {
  json out = json::array();
  std::map<std::string, size_t> seen;  // mount point -> index: the last mount on a point is the visible one
  for (const Mount& m : parse_mounts(slurp("/proc/self/mounts"))) {
    if (is_pseudo_fs(m.fs_type)) continue;
    // Bind mounts of single files (a container's /etc/hosts) are not disks.
    struct stat st{};
    if (::stat(m.mount_point.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    struct statvfs vfs{};
    if (::statvfs(m.mount_point.c_str(), &vfs) != 0 || vfs.f_blocks == 0) continue;
    const std::uint64_t frsize = vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize;
    const std::uint64_t total = static_cast<std::uint64_t>(vfs.f_blocks) * frsize;
    const std::uint64_t used = static_cast<std::uint64_t>(vfs.f_blocks - vfs.f_bfree) * frsize;
    const std::uint64_t avail = static_cast<std::uint64_t>(vfs.f_bavail) * frsize;
    // As df: the share of what non-root users can use (reserved blocks excluded).
    json d = {{"mount", m.mount_point}, {"fs", m.fs_type}, {"device", m.device}, {"total_bytes", total},
              {"used_bytes", used}, {"available_bytes", avail}, {"used_percent", percent(used, used + avail)}};
    if (auto it = seen.find(m.mount_point); it != seen.end()) {
      out[it->second] = d;
    } else {
      seen[m.mount_point] = out.size();
      out.push_back(d);
    }
  }
  return out;
}

// Waits `ms` in slices; false when the run was cancelled meanwhile.
bool sleep_unless_cancelled(steward::Run& run, int ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (run.cancelled()) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(kSliceMs)));
  }
  return !run.cancelled();
}

// Returns nullopt when cancelled during the CPU sample.
std::optional<json> health(steward::Run& run, int sample_ms) {
  json h;
  auto first = parse_cpu_times(slurp("/proc/stat"));
  if (sample_ms > 0 && !sleep_unless_cancelled(run, sample_ms)) return std::nullopt;
  auto second = sample_ms > 0 ? parse_cpu_times(slurp("/proc/stat")) : first;
  h["cpu_percent"] = first && second ? json(round1(cpu_percent(*first, *second))) : json(nullptr);
  h["cpu_sample_ms"] = sample_ms;

  auto mem = parse_meminfo(slurp("/proc/meminfo"));
  const std::uint64_t total = mem["MemTotal"];
  // MemAvailable exists since Linux 3.14; before that, free + page cache is the estimate.
  const std::uint64_t available =
      mem.count("MemAvailable") ? mem["MemAvailable"] : mem["MemFree"] + mem["Buffers"] + mem["Cached"];
  const std::uint64_t used = total > available ? total - available : 0;
  h["memory"] = {{"total_bytes", total},
                 {"available_bytes", available},
                 {"used_bytes", used},
                 {"used_percent", percent(used, total)}};
  const std::uint64_t swap_total = mem["SwapTotal"], swap_free = mem["SwapFree"];
  const std::uint64_t swap_used = swap_total > swap_free ? swap_total - swap_free : 0;
  h["swap"] = {{"total_bytes", swap_total},
               {"free_bytes", swap_free},
               {"used_bytes", swap_used},
               {"used_percent", percent(swap_used, swap_total)}};

  h["disks"] = disks();
  auto load = parse_loadavg(slurp("/proc/loadavg"));
  h["load_average"] = load ? json(*load) : json(nullptr);
  auto up = parse_uptime(slurp("/proc/uptime"));
  h["uptime_s"] = up ? json(std::floor(*up)) : json(nullptr);

  json ifaces = json::array();
  std::uint64_t rx = 0, tx = 0;
  for (const NetDev& n : parse_net_dev(slurp("/proc/net/dev"))) {
    ifaces.push_back({{"name", n.name}, {"rx_bytes", n.rx_bytes}, {"tx_bytes", n.tx_bytes}});
    if (n.name != "lo") {  // loopback traffic never leaves the host
      rx += n.rx_bytes;
      tx += n.tx_bytes;
    }
  }
  h["network"] = {{"interfaces", ifaces}, {"total", {{"rx_bytes", rx}, {"tx_bytes", tx}}}};
  return h;
}

std::string summary(const json& r) {
  std::string line;
  if (r.contains("facts")) {
    const json& f = r["facts"];
    line += f.value("hostname", "?") + " (" + f["os"].value("pretty_name", "?");
    if (f.contains("kernel")) line += ", " + f["kernel"].value("name", "") + " " + f["kernel"].value("release", "");
    if (f.contains("architecture")) line += " " + f["architecture"].get<std::string>();
    line += ", " + std::to_string(f.value("cpu_count", 0)) + " CPU, " +
            human_bytes(f.value("memory_total_bytes", std::uint64_t{0})) + " RAM)";
  }
  if (r.contains("health")) {
    const json& h = r["health"];
    if (!line.empty()) line += ": ";
    if (h["cpu_percent"].is_number()) line += "cpu " + fixed1(h["cpu_percent"].get<double>()) + "%, ";
    line += "mem " + fixed1(h["memory"]["used_percent"].get<double>()) + "% of " +
            human_bytes(h["memory"]["total_bytes"].get<std::uint64_t>());
    if (h["load_average"].is_array())
      line += ", load " + fixed1(h["load_average"][0].get<double>()) + " " + fixed1(h["load_average"][1].get<double>()) +
              " " + fixed1(h["load_average"][2].get<double>());
    // The fullest disk is the one worth a glance.
    const json* fullest = nullptr;
    for (const auto& d : h["disks"])
      if (!fullest || d["used_percent"].get<double>() > (*fullest)["used_percent"].get<double>()) fullest = &d;
    if (fullest)
      line += ", disk " + (*fullest)["mount"].get<std::string>() + " " + fixed1((*fullest)["used_percent"].get<double>()) +
              "% of " + human_bytes((*fullest)["total_bytes"].get<std::uint64_t>());
    if (h["uptime_s"].is_number()) line += ", up " + human_duration(h["uptime_s"].get<double>());
  }
  return line + "\n";
}

class SystemInfoTool {
 public:
  SystemInfoTool(const steward::Host&, std::string_view) {}

  steward_rc run(steward::Run& run, std::string_view args_text) {
    json args = json::parse(args_text);
    const std::string what = args.value("what", "all");
    if (what != "facts" && what != "health" && what != "all")
      return run.fail("what: must be facts, health or all (got '" + what + "')");
    const int sample_ms = args.value("sample_ms", kDefaultSampleMs);
    if (sample_ms < 0 || sample_ms > 5000) return run.fail("sample_ms: must be from 0 to 5000");

    json result = json::object();
    if (what != "health") result["facts"] = facts();
    if (what != "facts") {
      auto h = health(run, sample_ms);
      if (!h) return STEWARD_CANCELLED;
      result["health"] = *h;
    }
    run.result(result.dump());
    run.output(summary(result));
    return STEWARD_OK;
  }
};

}  // namespace
}  // namespace system_info_plugin

STEWARD_TOOL_PLUGIN(system_info_plugin::SystemInfoTool, "system_info", "1.0.0",
                    "Host facts and health (CPU, memory, swap, disks, load, uptime, network) from /proc",
                    system_info_plugin::kSchema)

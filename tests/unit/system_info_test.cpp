// The system_info tool on this host, checked against /proc read independently here, and
// its pure /proc parsers on literal sample texts.
#include <sys/utsname.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "plugins/system_info/proc_parsers.cpp"  // pure; compiled in here since tests/CMakeLists.txt globs only tests
#include "tests/support/tool_call.hpp"

using nlohmann::json;
using namespace steward::test;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::array<double, 3> loadavg_now() {
  std::istringstream in(read_text("/proc/loadavg"));
  std::array<double, 3> v{};
  in >> v[0] >> v[1] >> v[2];
  return v;
}

}  // namespace

TEST_CASE("system_info: facts and health of this host are sane", "[unit][system_info]") {
  auto reg = in_tree_plugins();
  auto before = loadavg_now();
  auto r = call_tool(*reg, "system_info", json::object());
  auto after = loadavg_now();
  INFO(r.error);
  REQUIRE(r.ok());
  const json result = r.result_json();
  INFO(result.dump(2));

  // One human summary line.
  CHECK(r.out.find('\n') == r.out.size() - 1);
  CHECK(r.out.find("cpu ") != std::string::npos);
  CHECK(r.out.find("mem ") != std::string::npos);

  const json& f = result["facts"];
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  CHECK(f["hostname"] == std::string(host));
  utsname u{};
  ::uname(&u);
  CHECK(f["kernel"]["release"] == std::string(u.release));
  CHECK(f["architecture"] == std::string(u.machine));
  CHECK(f["cpu_count"].get<int>() >= 1);
  CHECK(f["os"]["id"].is_string());
  CHECK_FALSE(f["os"]["pretty_name"].get<std::string>().empty());
  CHECK(f["boot_time"].get<std::string>().size() == 20);  // 2024-01-02T03:04:05Z

  // MemTotal, read here independently.
  std::uint64_t mem_total_kb = 0;
  {
    std::istringstream in(read_text("/proc/meminfo"));
    for (std::string line; std::getline(in, line);)
      if (line.rfind("MemTotal:", 0) == 0) mem_total_kb = std::stoull(line.substr(9));
  }
  REQUIRE(mem_total_kb > 0);
  CHECK(f["memory_total_bytes"] == mem_total_kb * 1024);

  const json& h = result["health"];
  CHECK(h["cpu_percent"].get<double>() >= 0.0);
  CHECK(h["cpu_percent"].get<double>() <= 100.0);
  CHECK(h["memory"]["total_bytes"] == mem_total_kb * 1024);
  CHECK(h["memory"]["available_bytes"].get<std::uint64_t>() <= mem_total_kb * 1024);
  CHECK(h["memory"]["used_percent"].get<double>() >= 0.0);
  CHECK(h["memory"]["used_percent"].get<double>() <= 100.0);
  CHECK(h["swap"]["used_bytes"].get<std::uint64_t>() <= h["swap"]["total_bytes"].get<std::uint64_t>());
  CHECK(h["uptime_s"].get<double>() > 0);

  // The load average moves while the test runs: it must lie within what we saw around it.
  for (int i = 0; i < 3; ++i) {
    const double v = h["load_average"][i].get<double>();
    CHECK(v >= std::min(before[i], after[i]) - 0.05);
    CHECK(v <= std::max(before[i], after[i]) + 0.05);
  }

  const json* root = nullptr;
  for (const auto& d : h["disks"]) {
    CHECK(d["used_bytes"].get<std::uint64_t>() <= d["total_bytes"].get<std::uint64_t>());
    CHECK_FALSE(system_info_plugin::is_pseudo_fs(d["fs"].get<std::string>()));
    if (d["mount"] == "/") root = &d;
  }
  REQUIRE(root != nullptr);
  CHECK((*root)["total_bytes"].get<std::uint64_t>() > 0);

  bool has_lo = false;
  for (const auto& n : h["network"]["interfaces"])
    if (n["name"] == "lo") has_lo = true;
  CHECK(has_lo);
  CHECK(h["network"]["total"]["rx_bytes"].is_number_unsigned());
}

TEST_CASE("system_info: what selects facts or health, sample_ms 0 is the average since boot", "[unit][system_info]") {
  auto reg = in_tree_plugins();
  auto facts = call_tool(*reg, "system_info", {{"what", "facts"}});
  REQUIRE(facts.ok());
  CHECK(facts.result_json().contains("facts"));
  CHECK_FALSE(facts.result_json().contains("health"));
  CHECK(facts.out.find("RAM)") != std::string::npos);

  // sample_ms is the wait between the two CPU samples.
  auto start = std::chrono::steady_clock::now();
  auto sampled = call_tool(*reg, "system_info", {{"what", "health"}, {"sample_ms", 1500}});
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(1500));
  REQUIRE(sampled.ok());
  CHECK(sampled.result_json()["health"]["cpu_sample_ms"] == 1500);
  start = std::chrono::steady_clock::now();
  auto health = call_tool(*reg, "system_info", {{"what", "health"}, {"sample_ms", 0}});
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1000));
  REQUIRE(health.ok());
  CHECK(health.result_json().contains("health"));
  CHECK_FALSE(health.result_json().contains("facts"));
  CHECK(health.result_json()["health"]["cpu_sample_ms"] == 0);
  const double since_boot = health.result_json()["health"]["cpu_percent"];
  CHECK(since_boot >= 0.0);
  CHECK(since_boot <= 100.0);
}

TEST_CASE("system_info: bad args are refused", "[unit][system_info]") {
  auto reg = in_tree_plugins();
  CHECK_FALSE(call_tool(*reg, "system_info", {{"what", "everything"}}).error.empty());
  CHECK_FALSE(call_tool(*reg, "system_info", {{"sample_ms", -1}}).error.empty());
  CHECK_FALSE(call_tool(*reg, "system_info", {{"sample_ms", 5001}}).error.empty());
  CHECK_FALSE(call_tool(*reg, "system_info", {{"sample_ms", "200"}}).error.empty());
  CHECK_FALSE(call_tool(*reg, "system_info", {{"verbose", true}}).error.empty());
  for (const auto& [name, field] : reg->tool("system_info")->schema()["properties"].items()) {
    CHECK(field.contains("description"));
    CHECK(field.contains("default"));
  }
}

TEST_CASE("system_info parsers: literal /proc and os-release samples", "[unit][system_info]") {
  using namespace system_info_plugin;

  auto os = parse_os_release(
      "# comment\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID='12'\n"
      "NAME=\"Say \\\"hi\\\"\"\n\nBROKEN\n");
  CHECK(os["PRETTY_NAME"] == "Debian GNU/Linux 12 (bookworm)");
  CHECK(os["ID"] == "debian");
  CHECK(os["VERSION_ID"] == "12");
  CHECK(os["NAME"] == "Say \"hi\"");
  CHECK(os.count("BROKEN") == 0);

  const char* stat1 =
      "cpu  100 0 100 700 100 0 0 0 50 0\ncpu0 50 0 50 350 50 0 0 0 0 0\nintr 1 2 3\nbtime 1700000000\n";
  const char* stat2 = "cpu  200 0 200 1300 100 0 0 0 90 0\nbtime 1700000000\n";
  auto a = parse_cpu_times(stat1), b = parse_cpu_times(stat2);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->total == 1000);  // guest (50) is part of user already: not added
  CHECK(a->idle == 800);
  CHECK(cpu_percent(*a, *b) == Approx(25.0));  // 800 more jiffies, 600 of them idle
  CHECK(cpu_percent(*a, *a) == Approx(20.0));  // no time passed: since boot
  CHECK_FALSE(parse_cpu_times("cpu0 1 2 3 4\n"));
  CHECK_FALSE(parse_cpu_times("cpu  1 x 3 4\n"));
  CHECK(parse_boot_time(stat1) == 1700000000);

  auto x86 = parse_cpuinfo("processor\t: 0\nmodel name\t: AMD EPYC 7B13\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n");
  CHECK(x86.model == "AMD EPYC 7B13");
  CHECK(x86.processors == 2);
  CHECK(parse_cpuinfo("Processor\t: ARMv7 Processor rev 4 (v7l)\nprocessor\t: 0\n").model ==
        "ARMv7 Processor rev 4 (v7l)");

  auto mem = parse_meminfo("MemTotal:       16314180 kB\nMemAvailable:    8000000 kB\nHugePages_Total:       0\n");
  CHECK(mem["MemTotal"] == 16314180ull * 1024);
  CHECK(mem["MemAvailable"] == 8000000ull * 1024);
  CHECK(mem["HugePages_Total"] == 0);

  auto load = parse_loadavg("0.52 1.25 10.00 2/345 6789\n");
  REQUIRE(load);
  CHECK((*load)[0] == Approx(0.52));
  CHECK((*load)[2] == Approx(10.0));
  CHECK_FALSE(parse_loadavg("0.5 x\n"));
  CHECK(parse_uptime("12345.67 54321.00\n").value_or(0) == Approx(12345.67));
  CHECK_FALSE(parse_uptime(""));

  auto mounts = parse_mounts(
      "/dev/sda1 / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\n/dev/sdb1 /mnt/my\\040disk xfs rw 0 0\nshort line\n");
  REQUIRE(mounts.size() == 3);
  CHECK(mounts[0].mount_point == "/");
  CHECK(mounts[0].fs_type == "ext4");
  CHECK(mounts[2].mount_point == "/mnt/my disk");
  CHECK(is_pseudo_fs("proc"));
  CHECK(is_pseudo_fs("tmpfs"));
  CHECK(is_pseudo_fs("cgroup2"));
  CHECK_FALSE(is_pseudo_fs("ext4"));
  CHECK_FALSE(is_pseudo_fs("overlay"));  // a container's root: real space on the host's disk

  auto net = parse_net_dev(
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier "
      "compressed\n"
      "    lo: 688636079 2390816    0    0    0     0          0         0 688636079 2390816    0    0    0     0       0 "
      "         0\n"
      "  eth0:34331202    1124    0    0    0     0          0         0    55685     657    0    0    0     0       0 "
      "         0\n");
  REQUIRE(net.size() == 2);
  CHECK(net[0].name == "lo");
  CHECK(net[0].rx_bytes == 688636079);
  CHECK(net[1].name == "eth0");
  CHECK(net[1].rx_bytes == 34331202);
  CHECK(net[1].tx_bytes == 55685);
}

#include "status_parsers.hpp"

#include <ctime>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

namespace service_control {

namespace {

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

std::optional<std::int64_t> to_int(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  return std::stoll(s);
}

}  // namespace

std::string trim(std::string_view text) {
  const char* ws = " \t\r\n";
  auto b = text.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  auto e = text.find_last_not_of(ws);
  return std::string(text.substr(b, e - b + 1));
}

std::optional<std::int64_t> parse_systemd_timestamp(std::string_view text) {
  std::string t = trim(text);
  if (t.empty() || t == "n/a") return std::nullopt;
  if (t[0] == '@') return to_int(t.substr(1));
  // "Mon 2024-01-01 12:00:00 UTC"; the weekday is optional for robustness.
  static const std::regex kForm(R"(^(?:[A-Za-z]{3} )?(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? (UTC|GMT)$)");
  std::smatch m;
  if (!std::regex_match(t, m, kForm)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = std::stoi(m[6]);
  return static_cast<std::int64_t>(::timegm(&tm));
}

ServiceStatus parse_systemctl_show(std::string_view text) {
  std::map<std::string, std::string> props;
  for (const auto& line : lines_of(text)) {
    auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;  // stray stderr text, e.g. a warning
    props[line.substr(0, eq)] = line.substr(eq + 1);
  }
  ServiceStatus s;
  s.raw = trim(text);
  if (props.count("LoadState") && props["LoadState"] == "not-found") s.exists = false;
  const std::string active = props.count("ActiveState") ? props["ActiveState"] : "";
  // "reloading" still has the service running; "deactivating" is on its way to stopped.
  if (active == "active" || active == "reloading") s.state = "running";
  else if (active == "activating") s.state = "starting";
  else if (active == "inactive" || active == "deactivating") s.state = "stopped";
  else if (active == "failed") s.state = "failed";
  else s.state = "unknown";
  if (auto pid = to_int(props.count("MainPID") ? props["MainPID"] : ""); pid && *pid > 0) s.pid = pid;
  if (s.state == "running" || s.state == "starting")
    s.since = parse_systemd_timestamp(props.count("ActiveEnterTimestamp") ? props["ActiveEnterTimestamp"] : "");
  return s;
}

std::string supervisor_state(std::string_view word) {
  if (word == "RUNNING") return "running";
  // BACKOFF: exited too quickly and supervisord will try again, so it is still starting.
  if (word == "STARTING" || word == "BACKOFF") return "starting";
  // STOPPING is on its way to STOPPED; EXITED ended by itself (expected or not).
  if (word == "STOPPED" || word == "STOPPING" || word == "EXITED") return "stopped";
  if (word == "FATAL") return "failed";
  return "unknown";
}

ServiceStatus parse_supervisorctl_status(std::string_view text, std::string_view name, std::int64_t now) {
  ServiceStatus s;
  // "NAME   STATE   description": anything else (errors, socket messages) is not a status line.
  static const std::regex kLine(R"(^(\S+)\s+([A-Z]+)(?:\s+(.*))?$)");
  std::vector<std::string> kept;  // the status lines
  std::optional<std::size_t> exact;
  for (const auto& line : lines_of(text)) {
    std::string l = trim(line);
    // "web: ERROR (no such process)" ("no such group" for a group name).
    if (l.rfind(std::string(name) + ": ERROR (no such", 0) == 0) {
      s.exists = false;
      s.raw = l;
      return s;
    }
    if (std::regex_match(l, kLine)) kept.push_back(l);
  }
  for (std::size_t i = 0; i < kept.size(); ++i)
    if (kept[i].substr(0, kept[i].find_first_of(" \t")) == name) exact = i;
  // A program in a group is listed as "group:name"; with one line there is no ambiguity.
  if (!exact && kept.size() == 1) exact = 0;
  if (!exact) {
    s.raw = trim(text);
    return s;  // state unknown: nothing recognisable about this service
  }
  const std::string& line = kept[*exact];
  s.raw = line;
  std::smatch m;
  std::regex_match(line, m, kLine);
  s.state = supervisor_state(m[2].str());
  // "pid 123, uptime 0:00:05" or "pid 123, uptime 2 days, 3:04:05" (Python's timedelta).
  static const std::regex kPid(R"(pid (\d+), uptime (?:(\d+) days?, )?(\d+):(\d{2}):(\d{2}))");
  std::smatch p;
  const std::string desc = m[3].str();
  if (std::regex_search(desc, p, kPid)) {
    s.pid = to_int(p[1].str());
    std::int64_t up = (p[2].matched ? std::stoll(p[2].str()) * 86400 : 0) + std::stoll(p[3].str()) * 3600 +
                      std::stoll(p[4].str()) * 60 + std::stoll(p[5].str());
    s.since = now - up;
  }
  return s;
}

ServiceStatus sysv_status_from_exit(int exit_code, std::string_view output) {
  ServiceStatus s;
  s.raw = trim(output);
  switch (exit_code) {
    case 0: s.state = "running"; break;
    case 1:
    case 2: s.state = "failed"; break;
    case 3: s.state = "stopped"; break;
    default: s.state = "unknown"; break;
  }
  return s;
}

}  // namespace service_control

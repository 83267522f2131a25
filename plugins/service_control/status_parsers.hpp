// Pure parsers from backend command output to a service's state. No I/O, no clock: the
// unit tests compile status_parsers.cpp directly and feed it literal sample outputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace service_control {

// One of the states the tool reports: "running", "stopped", "starting", "failed", "unknown".
struct ServiceStatus {
  bool exists = true;          // false: the backend does not know the service
  std::string state = "unknown";
  std::optional<std::int64_t> pid;    // main process id, when the backend reports one
  std::optional<std::int64_t> since;  // Unix seconds the service entered its current state
  std::string raw;             // the backend's lines about this service, trimmed
};

// `systemctl show -p LoadState,ActiveState,SubState,MainPID,ActiveEnterTimestamp NAME`
// (run with TZ=UTC, so timestamps end in "UTC"). LoadState=not-found means no such unit.
ServiceStatus parse_systemctl_show(std::string_view text);

// "Mon 2024-01-01 12:00:00 UTC" or "@1704110400" (systemctl --timestamp=unix) to Unix
// seconds; nullopt for "", "n/a", a zone other than UTC/GMT or anything unreadable.
std::optional<std::int64_t> parse_systemd_timestamp(std::string_view text);

// `supervisorctl status NAME`, e.g. "web   RUNNING   pid 123, uptime 0:00:05" or
// "web: ERROR (no such process)". `now` (Unix seconds) turns the uptime into `since`.
ServiceStatus parse_supervisorctl_status(std::string_view text, std::string_view name, std::int64_t now);

// supervisord's process state name (RUNNING, BACKOFF, FATAL, ...) to the tool's state.
std::string supervisor_state(std::string_view word);

// `service NAME status`: LSB exit codes 0 running, 1/2 dead with a pid/lock file (failed),
// 3 stopped, anything else unknown. SysV scripts print free text, kept as `raw`.
ServiceStatus sysv_status_from_exit(int exit_code, std::string_view output);

std::string trim(std::string_view text);

}  // namespace service_control

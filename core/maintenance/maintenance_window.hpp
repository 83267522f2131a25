// A maintenance window (DESIGN.md §2, docs/maintenance.md): a one-off or recurring period
// in which the automations in its scope run under an `autonomy_override` — `disabled`
// (nothing starts), `approval` (every run waits for people) or `full` (runs go ahead even
// when they normally need approval). `activate` / `deactivate` force it on or off.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/automations/automation.hpp"

namespace steward {

namespace autonomy {
inline constexpr const char* kDisabled = "disabled";
inline constexpr const char* kApproval = "approval";
inline constexpr const char* kFull = "full";
// When several active windows cover one automation, the strictest wins:
// disabled (3) > approval (2) > full (1).
int strictness(const std::string& value);
}  // namespace autonomy

struct MaintenanceWindow {
  std::string id;  // mw_…
  std::string name;
  // The first occurrence, as UTC instants. Every occurrence lasts end_ms - start_ms; a
  // recurring window's occurrences start at its cron's fires at or after start_ms.
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::string timezone = "UTC";          // IANA name: reads start/end and the cron
  std::optional<std::string> recurring;  // 5-field cron for each start; absent: one-off
  std::vector<std::string> scope;        // auto_…, device_…, group_…, tag:NAME
  std::string autonomy_override;         // disabled | approval | full
  std::optional<std::string> forced;     // "on" (activate) | "off" (deactivate)
  // A forced "off" ends then (the end of the occurrence it cut short); absent: it lasts
  // until the next activate, or for ever for a one-off window.
  std::optional<std::int64_t> forced_until_ms;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;

  std::int64_t duration_ms() const { return end_ms - start_ms; }
};

// The first cron fire strictly after an instant (ms since the epoch, UTC), or nullopt when
// it never fires again. Empty for a one-off window.
using NextFire = std::function<std::optional<std::int64_t>(std::int64_t after_ms)>;

struct Occurrence {
  std::int64_t start_ms;
  std::int64_t end_ms;
};

// The occurrence that covers `at_ms` by the window's own times (forcing aside): for a
// recurring window the latest start S <= at_ms (S >= start_ms) when at_ms < S + duration.
std::optional<Occurrence> scheduled_occurrence(const MaintenanceWindow& w, const NextFire& next, std::int64_t at_ms);
// The first start strictly after `at_ms` (forcing aside); nullopt when there is none.
std::optional<std::int64_t> next_start_after(const MaintenanceWindow& w, const NextFire& next, std::int64_t at_ms);
// The forced state still in effect at `at_ms` ("off" past its forced_until_ms has lapsed).
std::optional<std::string> effective_forced(const MaintenanceWindow& w, std::int64_t at_ms);
// Active: forced on; or not forced off and inside an occurrence.
bool is_active(const MaintenanceWindow& w, const NextFire& next, std::int64_t at_ms);
// Whether the window's scope names the automation: by id, by one of its tags (tag:NAME),
// or by a device or group it runs on. `places`: the device and group ids the automation's
// target touches (a device and its groups, or a group and its members); empty: taken
// from the target alone.
bool in_scope(const MaintenanceWindow& w, const Automation& a, const std::vector<std::string>& places = {});

// The forced state after activate / deactivate at `at_ms` (the window is changed in place).
// activate: on until deactivate. deactivate: a one-off window is off for good; a recurring
// one is off until the occurrence in progress ends (none in progress: back to its schedule).
void force_on(MaintenanceWindow& w);
void force_off(MaintenanceWindow& w, const NextFire& next, std::int64_t at_ms);

}  // namespace steward

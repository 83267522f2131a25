// Cron expressions (docs/scheduling.md): parse once, then ask for fire instants as often as
// needed. Pure code: no I/O beyond the tz database that TimeZone reads.
//
// Syntax: 5 fields, "minute hour day-of-month month day-of-week", separated by spaces or
// tabs (or 6, with a seconds field first: an extension for sub-minute schedules). Each
// field is `*` or a comma-separated list of items `N`, `A-B`, `*/S`, `A-B/S` or `A/S`
// (= A to the field's maximum, every S). Months JAN-DEC and days SUN-SAT may be
// written by name (any case); day-of-week 0 and 7 are both Sunday. Macros: @hourly,
// @daily = @midnight, @weekly (Sunday 00:00), @monthly, @yearly = @annually.
//
// A field is "restricted" when it is anything but a bare `*` (so `*/2` is restricted).
// Days: when day-of-month and day-of-week are both restricted, a day matches when EITHER
// matches (Vixie cron: `0 0 13 * FRI` is every 13th and every Friday); otherwise both must.
//
// Time zones and daylight saving time (times are read as wall-clock times in the zone):
//  (a) a local time that does not exist that day (clocks spring forward): when the hour
//      field is restricted the fire happens once, at the first instant after the gap
//      (Berlin 2027-03-28, `30 2 * * *` fires at 03:00 CEST = 01:00Z); when the hour field
//      is `*` those times are skipped.
//  (b) a local time that happens twice (clocks fall back): when the hour field is
//      restricted it fires once, at the first occurrence; when the hour field is `*` it
//      fires at both (`30 * * * *` keeps firing every 60 minutes of real time).
//  No UTC instant ever fires twice.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "core/scheduling/time_zone.hpp"

namespace steward::cron {

class Expression {
 public:
  // The expression, or an Error naming the field and what is wrong with it. An expression
  // that can never fire (`0 0 30 2 *`) is an error too.
  static std::variant<Expression, Error> parse(std::string_view text);

  // The first fire instant strictly after `after`, as wall-clock times in `zone` (UTC by
  // default) map to UTC under the DST rules above; nullopt past the year 9999 (a valid
  // expression always fires within 8 years). Cheap: no allocation, a handful of tz lookups
  // at most, and none for fixed-offset zones such as UTC. Thread-safe (const).
  std::optional<std::chrono::sys_seconds> next_after(std::chrono::sys_seconds after, const TimeZone& zone = {}) const;

  bool hour_restricted() const { return hour_restricted_; }
  bool has_seconds() const { return has_seconds_; }

 private:
  Expression() = default;

  // Calls visit(local_seconds) for each matching local time >= from, in order, until it
  // returns true (then true) or the local time passes `limit` (then false).
  template <class Visit>
  bool for_each_local(std::int64_t from, std::int64_t limit, Visit&& visit) const;

  std::uint64_t seconds_ = 1;  // bit s: second s (only 0 without a seconds field)
  std::uint64_t minutes_ = 0;  // bit m: minute m
  std::uint32_t hours_ = 0;    // bit h: hour h
  std::uint32_t days_ = 0;     // bit d: day-of-month d (1-31)
  std::uint16_t months_ = 0;   // bit m: month m (1-12)
  std::uint8_t weekdays_ = 0;  // bit w: weekday w (0 = Sunday .. 6)
  bool dom_restricted_ = false;
  bool dow_restricted_ = false;
  bool hour_restricted_ = false;
  bool has_seconds_ = false;
  // By the weekday of a month's 1st: bit d set when day d of that month is a chosen weekday.
  std::array<std::uint32_t, 7> weekday_days_{};
};

}  // namespace steward::cron

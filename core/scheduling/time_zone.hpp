// IANA time zones for cron schedules (docs/scheduling.md), read from the OS tz database
// (/usr/share/zoneinfo, Debian's tzdata) through Howard Hinnant's date/tz library.
//
// A TimeZone is a pointer-sized handle (plus a fixed offset): look it up once by name, copy
// it freely, keep it beside the parsed cron expression. Zones whose offset never changes
// (UTC, Etc/UTC, Etc/GMT+5, ...) never consult the tz database again; the default
// TimeZone is UTC.
//
// Times here are plain Unix seconds (int64): UTC seconds, or "local seconds" = the wall
// clock in the zone read as if it were UTC (local = utc + offset).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace date {
class time_zone;
}

namespace steward::cron {

// What is wrong with a cron expression or a zone name. `field` names the part:
// "minute", "hour", "day-of-month", "month", "day-of-week", "expression" (the whole text)
// or "time zone"; `message` says what is wrong with it and is shown to people as is,
// e.g. "day-of-month 32 out of range 1-31".
struct Error {
  std::string field;
  std::string message;
};

// A stretch of UTC time during which the zone keeps one offset.
struct ZoneSpan {
  std::int64_t begin;   // UTC seconds, inclusive
  std::int64_t end;     // UTC seconds, exclusive
  std::int64_t offset;  // seconds east of UTC: local = utc + offset
};

// How one local wall-clock time maps to UTC.
struct LocalMapping {
  enum class Kind { unique, nonexistent, ambiguous };
  Kind kind;
  // unique: the span it falls in. nonexistent (skipped when the clocks went forward): the
  // span before the gap. ambiguous (repeated when the clocks went back): the earlier span.
  ZoneSpan first;
  // nonexistent: the span after the gap (its begin is the first instant after the gap).
  // ambiguous: the later span. unique: same as first.
  ZoneSpan second;
};

class TimeZone {
 public:
  TimeZone() = default;  // UTC

  // An IANA name such as "Europe/Berlin" or "UTC" (case-sensitive, as in the database).
  // Unknown name: Error{"time zone", "unknown time zone 'Mars/Base' (...)"}.
  static std::variant<TimeZone, Error> find(std::string_view name);

  std::string_view name() const { return name_; }
  // True for UTC and other zones that never change their offset: no tz lookups at all.
  bool has_fixed_offset() const { return zone_ == nullptr; }
  std::int64_t fixed_offset() const { return fixed_offset_; }

  ZoneSpan span_at(std::int64_t utc_seconds) const;
  LocalMapping map_local(std::int64_t local_seconds) const;
  std::int64_t to_local(std::int64_t utc_seconds) const { return utc_seconds + span_at(utc_seconds).offset; }

 private:
  const date::time_zone* zone_ = nullptr;  // nullptr: fixed_offset_ applies at every instant
  std::int64_t fixed_offset_ = 0;
  std::string_view name_ = "UTC";          // a literal or the tz database's own (immortal) string
};

// "2027-03-28T01:30:00Z" (years 0000-9999).
std::string format_utc(std::chrono::sys_seconds t);

// An ISO 8601 instant with an explicit zone: "2027-03-28T00:00:00Z", "...+02:00",
// "...-0530"; seconds and a fraction are optional ("2027-03-28T00:00Z",
// "2027-03-28T00:00:00.250Z", the fraction is dropped). nullopt for anything else,
// including a date-time without Z or an offset, and impossible dates (Feb 30).
std::optional<std::chrono::sys_seconds> parse_instant(std::string_view text);

}  // namespace steward::cron

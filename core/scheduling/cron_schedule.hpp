// Cron expressions with IANA time zones (docs/scheduling.md). Pure code, no I/O.
//
// 5 fields (minute hour day-of-month month day-of-week), or 6 with a leading seconds
// field; `*`, numbers, `a-b`, `*/n`, `a-b/n`, `a/n`, lists, JAN-DEC, SUN-SAT, day-of-week
// 0 and 7 = Sunday; @hourly @daily @midnight @weekly @monthly @yearly @annually. When both
// day-of-month and day-of-week are restricted, a day matching either fires (Vixie cron).
//
// DST: a local time that does not exist (spring forward) fires once at the first instant
// after the gap when the hour field is restricted, and is skipped when the hour is `*`;
// a local time that happens twice (fall back) fires once, at its first occurrence, when
// the hour field is restricted, and at both when the hour is `*`. No instant fires twice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace date {
class time_zone;
}

namespace steward {

struct CronError {
  std::string field;    // "minute", "hour", ..., or "expression"
  std::string message;  // e.g. "day-of-month 32 out of range 1-31"
};

class CronSchedule {
 public:
  static std::variant<CronSchedule, CronError> parse(std::string_view expression);

  // The first fire strictly after `after_s` (Unix seconds, UTC) in `zone` (nullptr = UTC);
  // nullopt when none within 8 years.
  std::optional<std::int64_t> next_after(std::int64_t after_s, const date::time_zone* zone) const;

  bool has_seconds() const { return has_seconds_; }

 private:
  std::uint64_t seconds_ = 1;  // bit s; only second 0 for 5-field expressions
  std::uint64_t minutes_ = 0;
  std::uint32_t hours_ = 0;
  std::uint32_t days_ = 0;     // bit 1..31
  std::uint16_t months_ = 0;   // bit 1..12
  std::uint8_t weekdays_ = 0;  // bit 0..6, 0 = Sunday
  bool dom_restricted_ = false;
  bool dow_restricted_ = false;
  bool hour_restricted_ = false;
  bool has_seconds_ = false;

  bool day_matches(unsigned dom, unsigned month, unsigned weekday) const;
};

// An IANA zone from the OS tz database; nullptr for "UTC" (the fast path). Throws
// std::runtime_error for an unknown name.
const date::time_zone* find_time_zone(const std::string& name);

}  // namespace steward

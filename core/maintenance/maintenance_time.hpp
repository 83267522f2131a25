// A window's times as people write them: local date-times ("2026-03-22T03:00:00") read in
// the window's IANA time zone, or with an explicit Z / ±HH:MM offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace steward::maintenance_time {

// True when `name` is a time zone the system's tz database knows ("UTC", "Europe/Berlin").
bool is_known_zone(const std::string& name);

// "YYYY-MM-DDTHH:MM[:SS]" in `zone`, or with a trailing "Z" / "±HH:MM" (then `zone` is not
// used). A local time that occurs twice (the hour clocks are set back) is its first
// occurrence; one that does not exist (the hour skipped when clocks go forward) is an
// error. Returns UTC milliseconds or a message saying what is wrong.
std::variant<std::int64_t, std::string> parse_local(const std::string& text, const std::string& zone);

// UTC milliseconds as the local date-time in `zone`, without offset ("2026-03-22T03:00:00").
std::string format_local(std::int64_t utc_ms, const std::string& zone);

}  // namespace steward::maintenance_time

#include "core/maintenance/maintenance_time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <regex>

namespace steward::maintenance_time {

namespace {
const date::time_zone* find_zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}
}  // namespace

bool is_known_zone(const std::string& name) { return !name.empty() && find_zone(name) != nullptr; }

std::variant<std::int64_t, std::string> parse_local(const std::string& text, const std::string& zone) {
  static const std::regex kLocal(R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(Z|([+-])(\d{2}):(\d{2}))?)");
  std::smatch m;
  if (!std::regex_match(text, m, kLocal))
    return "must be a date-time like 2026-03-22T03:00:00 (local to timezone) or 2026-03-22T03:00:00Z, got '" + text + "'";
  date::year_month_day day{date::year{std::stoi(m[1])}, date::month{static_cast<unsigned>(std::stoi(m[2]))},
                           date::day{static_cast<unsigned>(std::stoi(m[3]))}};
  int hour = std::stoi(m[4]), minute = std::stoi(m[5]), second = m[6].matched ? std::stoi(m[6]) : 0;
  if (!day.ok() || hour > 23 || minute > 59 || second > 59) return "'" + text + "' is not a valid date and time";
  auto local = date::local_days{day} + std::chrono::hours(hour) + std::chrono::minutes(minute) +
               std::chrono::seconds(second);

  std::chrono::sys_seconds utc;
  if (m[7].matched) {
    auto offset = std::chrono::seconds(0);
    if (m[7] != "Z") {
      int oh = std::stoi(m[9]), om = std::stoi(m[10]);
      if (oh > 23 || om > 59) return "'" + text + "' has an invalid UTC offset";
      offset = std::chrono::hours(oh) + std::chrono::minutes(om);
      if (m[8] == "-") offset = -offset;
    }
    utc = std::chrono::sys_seconds{local.time_since_epoch() - offset};
  } else {
    const date::time_zone* tz = find_zone(zone);
    if (!tz) return "unknown time zone '" + zone + "'";
    auto info = tz->get_info(date::local_seconds{local.time_since_epoch()});
    if (info.result == date::local_info::nonexistent)
      return "'" + text + "' does not exist in " + zone + " (the clocks skip it)";
    // Ambiguous (the hour repeated when clocks go back): the first of the two.
    utc = std::chrono::sys_seconds{local.time_since_epoch() - info.first.offset};
  }
  return static_cast<std::int64_t>(utc.time_since_epoch().count()) * 1000;
}

std::string format_local(std::int64_t utc_ms, const std::string& zone) {
  using namespace std::chrono;
  sys_seconds utc{floor<seconds>(milliseconds(utc_ms))};
  const date::time_zone* tz = find_zone(zone);
  if (!tz) return date::format("%Y-%m-%dT%H:%M:%SZ", utc);
  return date::format("%Y-%m-%dT%H:%M:%S", date::make_zoned(tz, utc).get_local_time());
}

}  // namespace steward::maintenance_time

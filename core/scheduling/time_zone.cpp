#include "core/scheduling/time_zone.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <cstdio>
#include <limits>

namespace steward::cron {

namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

// A span with no end in one direction (fixed-offset zones); far from overflow when the
// next-fire search adds or subtracts a few days to it.
constexpr std::int64_t kForever = std::int64_t{1} << 60;

ZoneSpan to_span(const date::sys_info& info) {
  return ZoneSpan{info.begin.time_since_epoch().count(), info.end.time_since_epoch().count(), info.offset.count()};
}

std::int64_t to_unix(const date::sys_days& d) { return sys_seconds{d}.time_since_epoch().count(); }

}  // namespace

std::variant<TimeZone, Error> TimeZone::find(std::string_view name) {
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(name);
  } catch (const std::exception&) {
    return Error{"time zone", "unknown time zone '" + std::string(name) +
                                  "' (expected an IANA name such as UTC, Europe/Berlin or America/New_York)"};
  }
  TimeZone tz;
  tz.name_ = zone->name();  // lives as long as the process (the tz database is never reloaded)
  // One offset from before 1800 to past 9999: a fixed-offset zone (UTC, Etc/GMT-14).
  date::sys_info info = zone->get_info(sys_seconds{date::sys_days{date::year{2000} / 1 / 1}});
  if (info.begin.time_since_epoch().count() <= to_unix(date::year{1800} / 1 / 1) &&
      info.end.time_since_epoch().count() >= to_unix(date::year{10000} / 1 / 1)) {
    tz.fixed_offset_ = info.offset.count();
  } else {
    tz.zone_ = zone;
  }
  return tz;
}

ZoneSpan TimeZone::span_at(std::int64_t utc_seconds) const {
  if (!zone_) return ZoneSpan{-kForever, kForever, fixed_offset_};
  return to_span(zone_->get_info(sys_seconds{seconds{utc_seconds}}));
}

LocalMapping TimeZone::map_local(std::int64_t local_seconds) const {
  if (!zone_) {
    ZoneSpan all{-kForever, kForever, fixed_offset_};
    return LocalMapping{LocalMapping::Kind::unique, all, all};
  }
  date::local_info li = zone_->get_info(date::local_seconds{seconds{local_seconds}});
  LocalMapping m{LocalMapping::Kind::unique, to_span(li.first), to_span(li.first)};
  if (li.result == date::local_info::nonexistent) {
    m.kind = LocalMapping::Kind::nonexistent;
    m.second = to_span(li.second);
  } else if (li.result == date::local_info::ambiguous) {
    m.kind = LocalMapping::Kind::ambiguous;
    m.second = to_span(li.second);
  }
  return m;
}

std::string format_utc(sys_seconds t) {
  auto day = std::chrono::floor<date::days>(t);
  date::year_month_day ymd{day};
  std::int64_t sod = (t - day).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  return buf;
}

std::optional<sys_seconds> parse_instant(std::string_view s) {
  std::size_t i = 0;
  // Exactly `n` digits at i; -1 when they are not there.
  auto digits = [&](std::size_t n) -> int {
    if (i + n > s.size()) return -1;
    int v = 0;
    for (std::size_t k = 0; k < n; ++k) {
      char c = s[i + k];
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    i += n;
    return v;
  };
  auto expect = [&](char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  };
  int y = digits(4);
  if (y < 0 || !expect('-')) return std::nullopt;
  int mo = digits(2);
  if (mo < 0 || !expect('-')) return std::nullopt;
  int d = digits(2);
  if (d < 0 || !(expect('T') || expect('t'))) return std::nullopt;
  int h = digits(2);
  if (h < 0 || !expect(':')) return std::nullopt;
  int mi = digits(2);
  if (mi < 0) return std::nullopt;
  int sec = 0;
  if (expect(':')) {
    sec = digits(2);
    if (sec < 0) return std::nullopt;
    if (expect('.') || expect(',')) {
      std::size_t start = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == start) return std::nullopt;
    }
  }
  int offset_s = 0;
  if (expect('Z') || expect('z')) {
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    ++i;
    int oh = digits(2);
    if (oh < 0) return std::nullopt;
    expect(':');
    int om = digits(2);
    if (om < 0 || oh > 23 || om > 59) return std::nullopt;
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  return sys_seconds{date::sys_days{ymd}} + seconds{h * 3600 + mi * 60 + sec - offset_s};
}

}  // namespace steward::cron

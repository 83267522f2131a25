#include "core/scheduling/cron_schedule.hpp"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace steward {

namespace {

struct FieldSpec {
  const char* name;
  unsigned lo, hi;
  const char* const* names;  // index = value - names_base
  unsigned names_base;
};

const char* const kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", nullptr};
const char* const kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", nullptr};

const FieldSpec kSecond{"second", 0, 59, nullptr, 0};
const FieldSpec kMinute{"minute", 0, 59, nullptr, 0};
const FieldSpec kHour{"hour", 0, 23, nullptr, 0};
const FieldSpec kDom{"day-of-month", 1, 31, nullptr, 0};
const FieldSpec kMonth{"month", 1, 12, kMonthNames, 1};
const FieldSpec kDow{"day-of-week", 0, 7, kDayNames, 0};

struct Parsed {
  std::uint64_t bits = 0;
  bool restricted = false;
};

std::variant<unsigned, CronError> value_of(const FieldSpec& f, const std::string& token) {
  std::string upper = token;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (f.names)
    for (unsigned i = 0; f.names[i]; ++i)
      if (upper == f.names[i]) return i + f.names_base;
  if (token.empty() || !std::all_of(token.begin(), token.end(), [](unsigned char c) { return std::isdigit(c); }))
    return CronError{f.name, std::string(f.name) + ": '" + token + "' is not a number" + (f.names ? " or a name" : "")};
  if (token.size() > 4) return CronError{f.name, std::string(f.name) + " " + token + " out of range " +
                                                      std::to_string(f.lo) + "-" + std::to_string(f.hi)};
  unsigned v = static_cast<unsigned>(std::stoul(token));
  if (v < f.lo || v > f.hi)
    return CronError{f.name, std::string(f.name) + " " + token + " out of range " + std::to_string(f.lo) + "-" +
                                 std::to_string(f.hi)};
  return v;
}

std::variant<Parsed, CronError> parse_field(const FieldSpec& f, const std::string& text) {
  Parsed out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty()) return CronError{f.name, std::string(f.name) + ": empty list item in '" + text + "'"};
    unsigned step = 1;
    if (auto slash = item.find('/'); slash != std::string::npos) {
      std::string s = item.substr(slash + 1);
      if (s.empty() || s.size() > 4 || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
        return CronError{f.name, std::string(f.name) + ": step '" + s + "' is not a number"};
      step = static_cast<unsigned>(std::stoul(s));
      if (step == 0) return CronError{f.name, std::string(f.name) + " step 0 is invalid"};
      item = item.substr(0, slash);
    }
    unsigned lo = f.lo, hi = f.hi;
    bool star = item == "*";
    if (!star) {
      auto dash = item.find('-');
      auto a = value_of(f, item.substr(0, dash));
      if (auto* e = std::get_if<CronError>(&a)) return *e;
      lo = hi = std::get<unsigned>(a);
      if (dash != std::string::npos) {
        auto b = value_of(f, item.substr(dash + 1));
        if (auto* e = std::get_if<CronError>(&b)) return *e;
        hi = std::get<unsigned>(b);
        if (hi < lo)
          return CronError{f.name, std::string(f.name) + " range " + item + " runs backwards"};
      } else if (step != 1) {
        hi = f.hi;  // "a/n" means from a to the end, every n
      }
    }
    if (!star || step != 1) out.restricted = true;
    if (star && &f == &kDow) hi = 6;  // 7 is Sunday again; "*" covers 0-6
    for (unsigned v = lo; v <= hi; v += step) out.bits |= std::uint64_t{1} << v;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> split_fields(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

unsigned days_in_month(unsigned month) {  // the most a month can have (February: 29)
  static constexpr std::array<unsigned, 13> kDays = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[month];
}

}  // namespace

const date::time_zone* find_time_zone(const std::string& name) {
  if (name == "UTC" || name == "Etc/UTC") return nullptr;
  return date::locate_zone(name);  // throws std::runtime_error for an unknown zone
}

std::variant<CronSchedule, CronError> CronSchedule::parse(std::string_view expression) {
  std::string text(expression);
  static const std::pair<const char*, const char*> kMacros[] = {
      {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
      {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"}};
  if (!text.empty() && text[0] == '@') {
    bool known = false;
    for (const auto& [macro, expansion] : kMacros)
      if (text == macro) {
        text = expansion;
        known = true;
      }
    if (!known) return CronError{"expression", "unknown macro '" + text + "'"};
  }
  auto fields = split_fields(text);
  if (fields.size() != 5 && fields.size() != 6)
    return CronError{"expression", "expected 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds "
                                   "first; got " + std::to_string(fields.size())};
  CronSchedule s;
  s.has_seconds_ = fields.size() == 6;
  std::size_t i = 0;
  const FieldSpec* specs[] = {&kSecond, &kMinute, &kHour, &kDom, &kMonth, &kDow};
  Parsed parsed[6];
  for (int k = s.has_seconds_ ? 0 : 1; k < 6; ++k, ++i) {
    auto p = parse_field(*specs[k], fields[i]);
    if (auto* e = std::get_if<CronError>(&p)) return *e;
    parsed[k] = std::get<Parsed>(p);
  }
  if (s.has_seconds_) s.seconds_ = parsed[0].bits;
  s.minutes_ = parsed[1].bits;
  s.hours_ = static_cast<std::uint32_t>(parsed[2].bits);
  s.hour_restricted_ = parsed[2].restricted;
  s.days_ = static_cast<std::uint32_t>(parsed[3].bits);
  s.dom_restricted_ = parsed[3].restricted;
  s.months_ = static_cast<std::uint16_t>(parsed[4].bits);
  std::uint64_t dow = parsed[5].bits;
  if (dow & (std::uint64_t{1} << 7)) dow = (dow | 1) & 0x7F;  // 7 = Sunday
  s.weekdays_ = static_cast<std::uint8_t>(dow);
  s.dow_restricted_ = parsed[5].restricted;

  // A day-of-month that no selected month has (30 2 *, 31 4 *) never fires, unless a
  // restricted day-of-week offers other days.
  if (s.dom_restricted_ && !s.dow_restricted_) {
    bool possible = false;
    for (unsigned m = 1; m <= 12; ++m)
      if (s.months_ & (1u << m))
        for (unsigned d = 1; d <= days_in_month(m); ++d) possible = possible || (s.days_ & (1u << d));
    if (!possible) return CronError{"day-of-month", "day-of-month never occurs in the selected month(s): never fires"};
  }
  return s;
}

bool CronSchedule::day_matches(unsigned dom, unsigned month, unsigned weekday) const {
  if (!(months_ & (1u << month))) return false;
  bool dom_ok = days_ & (1u << dom);
  bool dow_ok = weekdays_ & (1u << weekday);
  if (dom_restricted_ && dow_restricted_) return dom_ok || dow_ok;
  return dom_ok && dow_ok;
}

std::optional<std::int64_t> CronSchedule::next_after(std::int64_t after_s, const date::time_zone* zone) const {
  using namespace std::chrono;
  const sys_seconds after{seconds(after_s)};
  // The local wall time of `after`; candidates earlier than it by more than any DST shift
  // cannot map to an instant after it, so the first day's scan starts there.
  const std::int64_t local_after = zone ? zone->to_local(after).time_since_epoch().count() : after_s;
  const std::int64_t scan_from = local_after - 3 * 3600;
  const std::int64_t first_day = static_cast<std::int64_t>(std::floor(static_cast<double>(scan_from) / 86400.0));

  for (std::int64_t day = first_day; day < first_day + 8 * 366; ++day) {
    date::sys_days sd{date::days(day)};
    date::year_month_day ymd{sd};
    unsigned weekday = date::weekday{sd}.c_encoding();
    if (!day_matches(static_cast<unsigned>(ymd.day()), static_cast<unsigned>(ymd.month()), weekday)) continue;

    std::vector<std::int64_t> deferred;  // second occurrences of an ambiguous stretch
    auto flush = [&]() -> std::optional<std::int64_t> {
      for (auto u : deferred)
        if (u > after_s) return u;
      deferred.clear();
      return std::nullopt;
    };
    for (unsigned h = 0; h < 24; ++h) {
      if (!(hours_ & (1u << h))) continue;
      const std::int64_t hour_start = day * 86400 + h * 3600;
      if (hour_start + 3600 <= scan_from) continue;
      for (unsigned m = 0; m < 60; ++m) {
        if (!(minutes_ & (std::uint64_t{1} << m))) continue;
        const std::int64_t minute_start = hour_start + m * 60;
        if (minute_start + 60 <= scan_from) continue;
        for (unsigned sec = 0; sec < 60; ++sec) {
          if (!(seconds_ & (std::uint64_t{1} << sec))) continue;
          const std::int64_t local = minute_start + sec;
          if (!zone) {
            if (local > after_s) return local;
            continue;
          }
          auto info = zone->get_info(date::local_seconds{seconds(local)});
          if (info.result == date::local_info::unique) {
            if (auto u = flush()) return u;
            std::int64_t u = local - info.first.offset.count();
            if (u > after_s) return u;
          } else if (info.result == date::local_info::nonexistent) {
            if (auto u = flush()) return u;
            if (hour_restricted_) {  // fires once, when the gap ends
              std::int64_t u = info.second.begin.time_since_epoch().count();
              if (u > after_s) return u;
            }
          } else {  // ambiguous: first occurrence now, the second after every first one
            std::int64_t first = local - info.first.offset.count();
            if (first > after_s) return first;
            if (!hour_restricted_) deferred.push_back(local - info.second.offset.count());
          }
        }
      }
    }
    if (auto u = flush()) return u;
  }
  return std::nullopt;
}

}  // namespace steward

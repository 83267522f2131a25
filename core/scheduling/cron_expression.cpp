#include "core/scheduling/cron_expression.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <string>
#include <vector>

namespace steward::cron {

namespace {

struct FieldSpec {
  const char* name;
  unsigned lo, hi;
  const char* const* names;  // 3-letter names of lo, lo+1, ..., or nullptr
  unsigned name_count;
  const char* names_hint;
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr FieldSpec kFields[6] = {
    {"second", 0, 59, nullptr, 0, nullptr},
    {"minute", 0, 59, nullptr, 0, nullptr},
    {"hour", 0, 23, nullptr, 0, nullptr},
    {"day-of-month", 1, 31, nullptr, 0, nullptr},
    {"month", 1, 12, kMonthNames, 12, " or a month name (JAN-DEC)"},
    {"day-of-week", 0, 7, kDayNames, 7, " or a day name (SUN-SAT)"},
};
constexpr int kSecond = 0, kMinute = 1, kHour = 2, kDom = 3, kMonth = 4, kDow = 5;

constexpr std::int64_t kDay = 86400;
// The search gives up this far past its start; a valid expression fires within 8 years
// (Feb 29 skips 2100: 2096-02-29, then 2104-02-29).
constexpr std::int64_t kHorizon = 10 * 366 * kDay;
// Local times no further than this from a change of offset get an exact tz lookup (the
// largest change in the tz database is a day, Pacific/Apia 2011); all others map with the
// offset already known.
constexpr std::int64_t kNearChange = 2 * kDay;
// 10000-01-01T00:00:00: nothing is scheduled from here on.
constexpr std::int64_t kYear10000 = 253402300800;

std::string range_of(const FieldSpec& f) { return std::to_string(f.lo) + "-" + std::to_string(f.hi); }

Error field_error(const FieldSpec& f, std::string message) { return Error{f.name, std::move(message)}; }

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Digits as a number, saturating far above any field's range.
unsigned number_of(std::string_view s) {
  unsigned v = 0;
  for (char c : s) v = std::min(v * 10 + static_cast<unsigned>(c - '0'), 1000000u);
  return v;
}

std::variant<unsigned, Error> value_of(const FieldSpec& f, std::string_view token) {
  if (all_digits(token)) {
    unsigned v = number_of(token);
    if (v < f.lo || v > f.hi)
      return field_error(f, std::string(f.name) + " " + std::string(token) + " out of range " + range_of(f));
    return v;
  }
  if (token.size() == 3) {
    for (unsigned i = 0; i < f.name_count; ++i) {
      const char* n = f.names[i];
      if (std::toupper(static_cast<unsigned char>(token[0])) == n[0] &&
          std::toupper(static_cast<unsigned char>(token[1])) == n[1] &&
          std::toupper(static_cast<unsigned char>(token[2])) == n[2])
        return f.lo + i;
    }
  }
  return field_error(f, std::string(f.name) + ": '" + std::string(token) + "' is not a number" +
                            (f.names_hint ? f.names_hint : ""));
}

struct Field {
  std::uint64_t bits = 0;
  bool restricted = false;
};

// One item of a list: `*`, `N`, `A-B`, each optionally `/S`.
std::optional<Error> add_item(const FieldSpec& f, std::string_view item, std::uint64_t& bits) {
  std::string_view base = item;
  unsigned step = 1;
  bool stepped = false;
  if (auto slash = item.find('/'); slash != std::string_view::npos) {
    base = item.substr(0, slash);
    std::string_view s = item.substr(slash + 1);
    if (!all_digits(s)) return field_error(f, std::string(f.name) + " step '" + std::string(s) + "' is not a number");
    step = number_of(s);
    if (step == 0) return field_error(f, std::string(f.name) + " step 0 is invalid");
    const unsigned widest = (&f == &kFields[kDow] ? 7 : f.hi - f.lo + 1);
    if (step > widest)
      return field_error(f, std::string(f.name) + " step " + std::string(s) + " out of range 1-" + std::to_string(widest));
    stepped = true;
  }
  // Day-of-week runs 0-6 for `*` and `A/S`; 7 (Sunday again) only when written.
  const unsigned top = &f == &kFields[kDow] ? 6 : f.hi;
  unsigned lo = f.lo, hi = top;
  if (base != "*") {
    if (base.empty()) return field_error(f, std::string(f.name) + ": '" + std::string(item) + "' has no value before '/'");
    auto dash = base.find('-');
    if (dash == 0 || dash + 1 == base.size())
      return field_error(f, std::string(f.name) + ": '" + std::string(base) + "' is not a valid range");
    auto a = value_of(f, base.substr(0, dash));
    if (auto* e = std::get_if<Error>(&a)) return *e;
    lo = hi = std::get<unsigned>(a);
    if (dash != std::string_view::npos) {
      auto b = value_of(f, base.substr(dash + 1));
      if (auto* e = std::get_if<Error>(&b)) return *e;
      hi = std::get<unsigned>(b);
      if (hi < lo)
        return field_error(f, std::string(f.name) + " range " + std::string(base) +
                                  " goes backwards (write it as two ranges)");
    } else if (stepped) {
      hi = std::max(lo, top);  // `A/S`: from A to the end of the field
    }
  }
  for (unsigned v = lo; v <= hi; v += step) bits |= std::uint64_t{1} << v;
  return std::nullopt;
}

std::variant<Field, Error> parse_field(const FieldSpec& f, std::string_view text) {
  Field out;
  out.restricted = text != "*";
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty())
      return field_error(f, std::string(f.name) + ": empty item in list '" + std::string(text) + "'");
    if (auto e = add_item(f, item, out.bits)) return *e;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

constexpr bool is_leap(std::int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

constexpr unsigned days_in_month(std::int64_t y, unsigned m) {
  constexpr unsigned kDays[] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m];
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Howard Hinnant's civil calendar algorithms (proleptic Gregorian, days since 1970-01-01).
struct Civil {
  std::int64_t y;
  unsigned m, d;
};
constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}
// 1970-01-01 was a Thursday (4).
constexpr unsigned weekday_of(std::int64_t days) { return static_cast<unsigned>(floor_div(days + 4, 7) * -7 + days + 4); }

static_assert(civil_from_days(0).y == 1970 && civil_from_days(0).m == 1 && civil_from_days(0).d == 1);
static_assert(civil_from_days(11016).y == 2000 && civil_from_days(11016).m == 2 && civil_from_days(11016).d == 29);
static_assert(weekday_of(0) == 4 && weekday_of(-1) == 3 && weekday_of(3) == 0);

constexpr std::uint32_t kAllDays = 0xFFFFFFFEu;  // bits 1..31

}  // namespace

std::variant<Expression, Error> Expression::parse(std::string_view text) {
  std::vector<std::string_view> fields;
  for (std::size_t i = 0; i < text.size();) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  if (!fields.empty() && fields[0].size() > 1 && fields[0][0] == '@') {
    static constexpr std::pair<std::string_view, std::string_view> kMacros[] = {
        {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
        {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"}};
    std::string lower(fields[0]);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const auto& [macro, expansion] : kMacros) {
      if (lower != macro) continue;
      if (fields.size() != 1)
        return Error{"expression", std::string(fields[0]) + " stands alone, got " + std::to_string(fields.size()) +
                                       " fields"};
      return parse(expansion);
    }
    return Error{"expression", "unknown macro '" + std::string(fields[0]) +
                                   "' (expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually)"};
  }
  if (fields.size() != 5 && fields.size() != 6)
    return Error{"expression", "expected 5 fields, got " + std::to_string(fields.size()) +
                                   " (minute hour day-of-month month day-of-week; or 6 with a seconds field first)"};

  // Field k of kFields is fields[k - skip]: a 5-field expression has no seconds.
  const int skip = fields.size() == 5 ? 1 : 0;
  auto text_of = [&](int k) { return fields[static_cast<std::size_t>(k - skip)]; };
  Field parsed[6];
  parsed[kSecond].bits = 1;  // second 0
  for (int k = skip; k < 6; ++k) {
    auto p = parse_field(kFields[k], text_of(k));
    if (auto* e = std::get_if<Error>(&p)) return *e;
    parsed[k] = std::get<Field>(p);
  }
  Expression x;
  x.seconds_ = parsed[kSecond].bits;
  x.minutes_ = parsed[kMinute].bits;
  x.hours_ = static_cast<std::uint32_t>(parsed[kHour].bits);
  x.days_ = static_cast<std::uint32_t>(parsed[kDom].bits);
  x.months_ = static_cast<std::uint16_t>(parsed[kMonth].bits);
  std::uint64_t dow = parsed[kDow].bits;
  if (dow & (1u << 7)) dow = (dow | 1u) & 0x7Fu;  // 7 is Sunday
  x.weekdays_ = static_cast<std::uint8_t>(dow);
  x.hour_restricted_ = parsed[kHour].restricted;
  x.dom_restricted_ = parsed[kDom].restricted;
  x.dow_restricted_ = parsed[kDow].restricted;
  x.has_seconds_ = skip == 0;
  for (unsigned first = 0; first < 7; ++first)
    for (unsigned d = 1; d <= 31; ++d)
      if (x.weekdays_ & (1u << ((first + d - 1) % 7))) x.weekday_days_[first] |= 1u << d;

  // Every month has every weekday, so only a day-of-month that none of the months has
  // (and no day-of-week to fall back on) can never fire.
  if (x.dom_restricted_ && !x.dow_restricted_) {
    bool possible = false;
    for (unsigned m = 1; m <= 12; ++m) {
      unsigned longest = m == 2 ? 29 : days_in_month(2001, m);
      if ((x.months_ & (1u << m)) && (x.days_ & ((kAllDays >> (31 - longest)) & kAllDays))) possible = true;
    }
    if (!possible)
      return Error{"day-of-month", "day-of-month " + std::string(text_of(kDom)) + " never occurs in month " +
                                       std::string(text_of(kMonth)) + ": the expression never fires"};
  }
  return x;
}

template <class Visit>
bool Expression::for_each_local(std::int64_t from, std::int64_t limit, Visit&& visit) const {
  const std::int64_t start_day = floor_div(from, kDay);
  const std::int64_t first_second = from - start_day * kDay;  // of the first day
  std::int64_t day = start_day;
  Civil c = civil_from_days(day);
  while (day * kDay <= limit) {
    const unsigned length = days_in_month(c.y, c.m);
    const std::int64_t first_of_month = day - (c.d - 1);
    if (months_ & (1u << c.m)) {
      const std::uint32_t by_weekday = weekday_days_[weekday_of(first_of_month)];
      std::uint32_t days = (dom_restricted_ && dow_restricted_) ? (days_ | by_weekday) : (days_ & by_weekday);
      days &= (kAllDays >> (31 - length)) & kAllDays;  // days 1..length
      days &= ~((std::uint32_t{1} << c.d) - 1);        // days >= c.d
      for (; days; days &= days - 1) {
        const std::int64_t this_day = first_of_month + std::countr_zero(days) - 1;
        const std::int64_t lower = this_day == start_day ? first_second : 0;  // second of the day
        const unsigned h0 = static_cast<unsigned>(lower / 3600), m0 = static_cast<unsigned>(lower / 60 % 60),
                       s0 = static_cast<unsigned>(lower % 60);
        for (std::uint32_t hours = hours_ & (~std::uint32_t{0} << h0); hours; hours &= hours - 1) {
          const unsigned h = static_cast<unsigned>(std::countr_zero(hours));
          std::uint64_t minutes = h == h0 ? minutes_ & (~std::uint64_t{0} << m0) : minutes_;
          for (; minutes; minutes &= minutes - 1) {
            const unsigned m = static_cast<unsigned>(std::countr_zero(minutes));
            std::uint64_t secs = h == h0 && m == m0 ? seconds_ & (~std::uint64_t{0} << s0) : seconds_;
            for (; secs; secs &= secs - 1) {
              const std::int64_t local = this_day * kDay + h * 3600 + m * 60 + std::countr_zero(secs);
              if (local > limit) return false;
              if (visit(local)) return true;
            }
          }
        }
      }
    }
    day = first_of_month + length;
    c = Civil{c.m == 12 ? c.y + 1 : c.y, c.m == 12 ? 1u : c.m + 1, 1};
  }
  return false;
}

std::optional<std::chrono::sys_seconds> Expression::next_after(std::chrono::sys_seconds after,
                                                               const TimeZone& zone) const {
  const std::int64_t u0 = after.time_since_epoch().count();
  if (u0 >= kYear10000) return std::nullopt;
  std::optional<std::int64_t> result;

  if (zone.has_fixed_offset()) {  // UTC and friends: local time is UTC shifted, nothing else
    const std::int64_t off = zone.fixed_offset();
    for_each_local(u0 + off + 1, u0 + off + kHorizon, [&](std::int64_t local) {
      result = local - off;
      return true;
    });
  } else {
    // Local times map to UTC by f: unique -> the instant; nonexistent -> the end of the gap
    // (restricted hour) or nothing (`*` hour); ambiguous -> its first occurrence. f never
    // decreases as local time grows, so walking local times in order, the first whose f is
    // after u0 gives the answer -- except for second occurrences of repeated times (`*`
    // hour only), which lie after every first occurrence of their overlap: those are
    // collected on the way and the earliest one wins if it comes sooner.
    ZoneSpan span = zone.span_at(u0);
    const std::int64_t l0 = u0 + span.offset;
    std::int64_t from = l0 + 1;
    if (!hour_restricted_ && span.end - u0 < kNearChange) {
      // Clocks going back soon: the repeated local times begin before l0, and their
      // second occurrences are still to come.
      ZoneSpan next = zone.span_at(span.end);
      if (next.offset < span.offset) from = std::min(from, span.end + next.offset);
    }
    std::optional<std::int64_t> second;  // earliest second occurrence after u0 so far
    auto found = [&](std::int64_t u) {
      result = second ? std::min(*second, u) : u;
      return true;
    };
    for_each_local(from, l0 + kHorizon, [&](std::int64_t local) {
      const std::int64_t u = local - span.offset;
      if (u >= span.begin + kNearChange && u < span.end - kNearChange) {  // well inside the known span
        return u > u0 ? found(u) : false;
      }
      const LocalMapping m = zone.map_local(local);
      switch (m.kind) {
        case LocalMapping::Kind::unique:
          span = m.first;
          return local - m.first.offset > u0 ? found(local - m.first.offset) : false;
        case LocalMapping::Kind::nonexistent:
          span = m.second;
          if (hour_restricted_ && m.second.begin > u0) return found(m.second.begin);
          return false;
        case LocalMapping::Kind::ambiguous:
          span = m.second;
          if (local - m.first.offset > u0) return found(local - m.first.offset);
          if (!hour_restricted_ && local - m.second.offset > u0)
            second = std::min(second.value_or(local - m.second.offset), local - m.second.offset);
          return false;
      }
      return false;
    });
    if (!result) result = second;
  }
  if (!result || *result >= kYear10000) return std::nullopt;
  return std::chrono::sys_seconds{std::chrono::seconds{*result}};
}

}  // namespace steward::cron

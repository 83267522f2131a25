#include "api/routes/route_helpers.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <regex>

namespace steward::api {

std::pair<int, int> paging(const Request& req, int default_limit, int max_limit) {
  auto number = [&](const std::string& name, int fallback) {
    std::string text = req.query_or(name, std::to_string(fallback));
    try {
      size_t used = 0;
      int v = std::stoi(text, &used);
      if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    throw ApiError(400, "invalid_field", name + " must be an integer, got '" + text + "'", name);
  };
  int limit = number("limit", default_limit), offset = number("offset", 0);
  if (limit < 1 || limit > max_limit)
    throw ApiError(400, "invalid_field", "limit must be 1-" + std::to_string(max_limit), "limit");
  if (offset < 0) throw ApiError(400, "invalid_field", "offset must be >= 0", "offset");
  return {limit, offset};
}

bool wants_wait(const Request& req) {
  auto w = req.query_or("wait", "0");
  return w == "1" || w == "true";
}

Launch launch_or_throw(ApiContext& ctx, const std::string& automation_id, const std::string& trigger,
                       const Principal& who, const LaunchOptions& options) {
  auto a = ctx.automations.get(automation_id);
  if (!a) throw ApiError(404, "not_found", "no automation '" + automation_id + "'");
  if (!a->enabled) throw ApiError(409, "automation_disabled", "automation '" + a->id + "' is disabled");
  try {
    return ctx.launcher.launch(*a, trigger, who.name, options);
  } catch (const EngineStopped& e) {
    throw ApiError(503, "shutting_down", e.what());
  }
}

std::int64_t parse_time_ms(const std::string& text, const std::string& field) {
  bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
  if (digits && text.size() <= 12) return std::stoll(text) * 1000;
  // Strict: YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM). Lenient parsers accept words like "yesterday".
  static const std::regex kIso(R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2})))");
  std::smatch m;
  if (std::regex_match(text, m, kIso)) {
    std::tm tm{};
    tm.tm_year = std::stoi(m[1]) - 1900;
    tm.tm_mon = std::stoi(m[2]) - 1;
    tm.tm_mday = std::stoi(m[3]);
    tm.tm_hour = std::stoi(m[4]);
    tm.tm_min = std::stoi(m[5]);
    tm.tm_sec = std::stoi(m[6]);
    bool in_range = tm.tm_mon >= 0 && tm.tm_mon < 12 && tm.tm_mday >= 1 && tm.tm_mday <= 31 && tm.tm_hour < 24 &&
                    tm.tm_min < 60 && tm.tm_sec < 61;
    if (in_range) {
      std::int64_t secs = ::timegm(&tm);
      if (m[8] != "Z") {
        std::int64_t offset = std::stoi(m[10]) * 3600 + std::stoi(m[11]) * 60;
        secs -= (m[9] == "+" ? offset : -offset);
      }
      return secs * 1000;
    }
  }
  throw ApiError(400, "invalid_field",
                 field + " must be Unix seconds or an ISO 8601 time like 2026-11-23T09:00:00Z, got '" + text + "'", field);
}

}  // namespace steward::api

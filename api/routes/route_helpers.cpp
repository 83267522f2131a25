#include "api/routes/route_helpers.hpp"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Timestamp.h>

#include <cctype>

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
                       const Principal& who) {
  auto a = ctx.automations.get(automation_id);
  if (!a) throw ApiError(404, "not_found", "no automation '" + automation_id + "'");
  if (!a->enabled) throw ApiError(409, "automation_disabled", "automation '" + a->id + "' is disabled");
  try {
    return ctx.launcher.launch(*a, trigger, who.name);
  } catch (const EngineStopped& e) {
    throw ApiError(503, "shutting_down", e.what());
  }
}

std::int64_t parse_time_ms(const std::string& text, const std::string& field) {
  bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
  if (digits && text.size() <= 12) return std::stoll(text) * 1000;
  int tz = 0;
  Poco::DateTime dt;
  if (!digits && Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FORMAT, text, dt, tz))
    return (dt.timestamp().epochMicroseconds() / 1000) - std::int64_t{tz} * 1000;
  throw ApiError(400, "invalid_field",
                 field + " must be Unix seconds or an ISO 8601 time like 2026-11-23T09:00:00Z, got '" + text + "'", field);
}

}  // namespace steward::api

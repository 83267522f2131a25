#include "api/routes/route_helpers.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "core/automations/target.hpp"
#include "core/scheduling/time_zone.hpp"

namespace steward::api {

int query_int(const Request& req, const std::string& name, int fallback, int min, int max) {
  std::string text = req.query_or(name, std::to_string(fallback));
  try {
    size_t used = 0;
    int v = std::stoi(text, &used);
    if (used == text.size() && v >= min && v <= max) return v;
  } catch (const std::exception&) {
  }
  throw ApiError(400, "invalid_field",
                 name + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                     ", got '" + text + "'",
                 name);
}

std::pair<int, int> paging(const Request& req, int default_limit, int max_limit) {
  return {query_int(req, "limit", default_limit, 1, max_limit),
          query_int(req, "offset", 0, 0, std::numeric_limits<int>::max())};
}

void check_target(ApiContext& ctx, const std::string& target, const std::string& field) {
  auto t = parse_target(target);
  if (!t) throw ApiError(400, "invalid_field", field + ": " + kTargetForms, field);
  if (t->kind == Target::Kind::Device && (!ctx.devices || !ctx.devices->store.get(t->id)))
    throw ApiError(400, "invalid_field", field + ": no device " + t->id, field);
  if (t->kind == Target::Kind::Group && (!ctx.devices || !ctx.devices->groups.get(t->id)))
    throw ApiError(400, "invalid_field", field + ": no device group " + t->id, field);
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
  // The one strict ISO 8601 reader (core/scheduling/time_zone): words such as "yesterday",
  // which lenient parsers accept, and impossible dates are refused.
  if (!digits)
    if (auto t = cron::parse_instant(text)) return std::int64_t{t->time_since_epoch().count()} * 1000;
  throw ApiError(400, "invalid_field",
                 field + " must be Unix seconds or an ISO 8601 time like 2026-11-23T09:00:00Z, got '" + text + "'", field);
}

}  // namespace steward::api

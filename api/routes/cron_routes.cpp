// GET /api/cron/next?expr=&tz=&n=[&from=]: the same answer as `steward cron next`, as JSON.
#include <chrono>

#include "api/routes/api_context.hpp"
#include "api/routes/route_helpers.hpp"
#include "core/scheduling/cron_expression.hpp"

namespace steward::api {

namespace {
constexpr int kDefaultCount = 5;
constexpr int kMaxCount = 100;

}  // namespace

void add_cron_routes(Router& router, ApiContext&) {
  router.add("GET", "/api/cron/next", Access::needs(Permission::History), [](Request& req) {
    auto expr = req.query.find("expr");
    if (expr == req.query.end() || expr->second.empty())
      throw ApiError(400, "invalid_field", "expr is required: a cron expression such as '30 2 * * *'", "expr");
    auto parsed = cron::Expression::parse(expr->second);
    if (auto* e = std::get_if<cron::Error>(&parsed)) throw ApiError(400, "invalid_field", e->message, "expr");
    std::string tz = req.query_or("tz", "UTC");
    auto zone = cron::TimeZone::find(tz);
    if (auto* e = std::get_if<cron::Error>(&zone)) throw ApiError(400, "invalid_field", e->message, "tz");
    const int n = query_int(req, "n", kDefaultCount, 1, kMaxCount);

    using std::chrono::sys_seconds;
    auto from = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (auto f = req.query.find("from"); f != req.query.end())
      from = std::chrono::floor<std::chrono::seconds>(
          std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(parse_time_ms(f->second, "from"))));

    const auto& expression = std::get<cron::Expression>(parsed);
    const auto& time_zone = std::get<cron::TimeZone>(zone);
    nlohmann::json next = nlohmann::json::array();
    for (int i = 0; i < n; ++i) {
      auto t = expression.next_after(from, time_zone);
      if (!t) break;
      next.push_back(cron::format_utc(*t));
      from = *t;
    }
    return Response::json(200, {{"expr", expr->second}, {"tz", tz}, {"next", next}});
  });
}

}  // namespace steward::api

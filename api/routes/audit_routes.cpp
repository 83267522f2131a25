// /api/audit — admin only: the append-only audit log, newest first, with filters.
#include "api/routes/api_context.hpp"
#include "api/routes/route_helpers.hpp"

namespace steward::api {

void add_audit_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/audit", Access::needs(Permission::Admin), [&ctx](Request& req) {
    AuditFilter f;
    std::tie(f.limit, f.offset) = paging(req, 100, 1000);
    if (auto a = req.query.find("actor"); a != req.query.end()) f.actor = a->second;
    if (auto a = req.query.find("action"); a != req.query.end()) f.action_prefix = a->second;
    if (auto s = req.query.find("since"); s != req.query.end()) f.since_ms = parse_time_ms(s->second, "since");
    if (auto u = req.query.find("until"); u != req.query.end()) f.until_ms = parse_time_ms(u->second, "until");
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : ctx.audit.query(f)) list.push_back(to_json(e));
    return Response::json(200, {{"entries", list}, {"limit", f.limit}, {"offset", f.offset}});
  });
}

}  // namespace steward::api

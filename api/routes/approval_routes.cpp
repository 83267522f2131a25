// /api/approvals — seed 002's approval queue. The same requests are the action proposals
// of /api/v1/act/proposals (v1_routes.cpp): one store, two views.
#include "api/routes/api_context.hpp"
#include "api/routes/route_helpers.hpp"

namespace steward::api {

using nlohmann::json;

ApprovalRequest decide_or_throw(ApiContext& ctx, const std::string& id, const Request& req, bool approve,
                                const std::optional<std::string>& only_kind) {
  std::string comment;
  if (!req.body.empty()) {
    json body = req.json_object_body();
    if (body.contains("comment")) {
      if (!body["comment"].is_string() || body["comment"].get<std::string>().size() > 2000)
        throw ApiError(400, "invalid_field", "comment: must be a string of at most 2000 characters", "comment");
      comment = body["comment"];
    }
  }
  if (only_kind) {
    auto found = ctx.approvals.get(id);
    if (!found || found->kind != *only_kind) throw ApiError(404, "not_found", "no action proposal '" + id + "'");
  }
  try {
    return ctx.approvals.decide(id, *req.principal, approve, comment);
  } catch (const ApprovalError& e) {
    switch (e.kind) {
      case ApprovalError::Kind::NotFound: throw ApiError(404, "not_found", e.what());
      case ApprovalError::Kind::Forbidden: throw ApiError(403, "not_allowed_to_decide", e.what());
      case ApprovalError::Kind::Conflict: throw ApiError(409, "not_pending", e.what());
    }
    throw;
  }
}

std::optional<std::string> status_filter(const Request& req, const std::string& fallback) {
  std::string s = req.query_or("status", fallback);
  if (s == "all") return std::nullopt;
  if (s != approval_status::kPending && s != approval_status::kApproved && s != approval_status::kRejected &&
      s != approval_status::kExpired)
    throw ApiError(400, "invalid_field", "status must be pending, approved, rejected, expired or all; got '" + s + "'",
                   "status");
  return s;
}

void add_approval_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/approvals", Access::needs(Permission::ActRead), [&ctx](Request& req) {
    ApprovalFilter f;
    f.status = status_filter(req, approval_status::kPending);
    std::tie(f.limit, f.offset) = paging(req, 100, 1000);
    if (auto k = req.query.find("kind"); k != req.query.end()) {
      if (k->second != "run" && k->second != "proposal")
        throw ApiError(400, "invalid_field", "kind must be run or proposal", "kind");
      f.kind = k->second;
    }
    json list = json::array();
    for (const auto& r : ctx.approvals.list(f)) list.push_back(to_approval_json(r));
    return Response::json(200, list);
  });

  router.add("GET", "/api/approvals/{request_id}", Access::needs(Permission::ActRead), [&ctx](Request& req) {
    auto r = ctx.approvals.get(req.params["request_id"]);
    if (!r) throw ApiError(404, "not_found", "no approval request '" + req.params["request_id"] + "'");
    return Response::json(200, to_approval_json(*r));
  });

  for (bool approve : {true, false}) {
    router.add("POST", std::string("/api/approvals/{request_id}/") + (approve ? "approve" : "reject"),
               Access::needs(Permission::ActApprove), [&ctx, approve](Request& req) {
                 auto r = decide_or_throw(ctx, req.params["request_id"], req, approve, std::nullopt);
                 return Response::json(200, to_approval_json(r));
               });
  }
}

}  // namespace steward::api

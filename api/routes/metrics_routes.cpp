// GET /metrics: the Prometheus text format. It needs a key with `history` (any read key;
// Prometheus sends it with `authorization: {credentials: …}`) unless the operator sets
// metrics_public, for scrapers that cannot send one (then bind to a private address).
#include "api/routes/api_context.hpp"

namespace steward::api {

void add_metrics_routes(Router& router, ApiContext& ctx) {
  Access access = ctx.metrics_public ? Access::open() : Access::needs(Permission::History);
  router.add("GET", "/metrics", access, [&ctx](Request&) {
    if (!ctx.metrics) throw ApiError(503, "metrics_unavailable", "this daemon keeps no metrics");
    Response r;
    r.body = ctx.metrics->render();
    r.content_type = metrics::kContentType;
    return r;
  });
}

}  // namespace steward::api

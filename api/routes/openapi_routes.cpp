// GET /api/openapi.json: the API's own description (docs/openapi.yaml), embedded at build time by tools/openapi/bundle.mjs. Public: it is
// documentation and holds no secrets.
#include "api/routes/api_context.hpp"

namespace steward::api {

void add_openapi_routes(Router& router, ApiContext&) {
  router.add("GET", "/api/openapi.json", Access::open(), [](Request&) {
    Response r;
    r.body = openapi_json();
    return r;  // content_type defaults to application/json
  });
}

}  // namespace steward::api

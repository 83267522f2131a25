// From a parsed Request to a Response: route lookup (404/405), the route's access check
// (401/403) and the handler, turning every failure into the JSON error shape.
#pragma once

#include <chrono>

#include "api/router.hpp"
#include "core/audit/audit_log.hpp"
#include "core/keys/key_store.hpp"
#include "core/metrics/steward_metrics.hpp"

namespace steward::api {

// True when `who` may call a route with `access` and these path params: one of the
// permissions is granted, and a scoped one held by a key bound to an automation is used
// only on that automation ({id}).
bool admits(const Access& access, const Principal& who, const std::map<std::string, std::string>& params);

class Dispatcher {
 public:
  // Every request that changes something, and every refused key, is written to `audit`;
  // every answer is counted in `metrics` (when given) by route pattern and status.
  Dispatcher(const Router& router, KeyStore& keys, AuditLog* audit = nullptr, StewardMetrics* metrics = nullptr)
      : router_(router), keys_(keys), audit_(audit), metrics_(metrics) {}
  Response dispatch(Request& request) const;

  // Counts one answered request and writes its debug-level access line. `route` is the
  // pattern, never the raw path (a webhook path carries its token). The HTTP edge calls
  // it for requests it refuses before routing (route "rejected").
  void observe(const std::string& method, const std::string& route, int status,
               std::chrono::steady_clock::time_point started) const;

 private:
  // Route lookup, access check and handler; sets `route` to the matched pattern or "unmatched".
  Response route_and_handle(Request& request, std::string& route) const;
  Response handle(Request& request, const Route& route) const;

  const Router& router_;
  KeyStore& keys_;
  AuditLog* audit_;
  StewardMetrics* metrics_;
};

}  // namespace steward::api

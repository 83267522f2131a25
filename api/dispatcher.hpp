// From a parsed Request to a Response: route lookup (404/405), the route's access check
// (401/403) and the handler, turning every failure into the JSON error shape.
#pragma once

#include "api/router.hpp"
#include "core/audit/audit_log.hpp"
#include "core/keys/key_store.hpp"

namespace steward::api {

// True when `who` may call a route with `access` and these path params: one of the
// permissions is granted, and a scoped one held by a key bound to an automation is used
// only on that automation ({id}).
bool admits(const Access& access, const Principal& who, const std::map<std::string, std::string>& params);

class Dispatcher {
 public:
  // Every request that changes something, and every refused key, is written to `audit`.
  Dispatcher(const Router& router, KeyStore& keys, AuditLog* audit = nullptr)
      : router_(router), keys_(keys), audit_(audit) {}
  Response dispatch(Request& request) const;

 private:
  Response handle(Request& request, const Route& route) const;

  const Router& router_;
  KeyStore& keys_;
  AuditLog* audit_;
};

}  // namespace steward::api

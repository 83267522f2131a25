// From a parsed Request to a Response: route lookup (404/405), the route's access check
// (401/403) and the handler, turning every failure into the JSON error shape.
#pragma once

#include "api/router.hpp"
#include "core/keys/key_store.hpp"

namespace steward::api {

class Dispatcher {
 public:
  Dispatcher(const Router& router, KeyStore& keys) : router_(router), keys_(keys) {}
  Response dispatch(Request& request) const;

 private:
  const Router& router_;
  KeyStore& keys_;
};

}  // namespace steward::api

// `steward agent pair`: claims a pairing code at the daemon's REST port
// (POST /api/devices/pair/claim, docs/device-protocol.md §1).
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

#include "app/agent/host_facts.hpp"

namespace steward::agent {

struct PairAnswer {
  std::string device_id;
  std::string token;
  std::string status;  // "pending" | "approved"
  std::string ws_url;
  int device_port = 0;
};

// The daemon refused the claim or could not be reached. `http_status` is 0 when no HTTP
// answer came (connection refused, timeout, bad answer); `retry_after_s` is the 429 answer's
// Retry-After (0 when absent). what() is a sentence for the operator.
struct PairError : std::runtime_error {
  PairError(const std::string& message, int status = 0, int retry_after = 0)
      : std::runtime_error(message), http_status(status), retry_after_s(retry_after) {}
  int http_status;
  int retry_after_s;
};

struct PairRequest {
  std::string host;
  int port = 18780;
  std::string code;
  std::string name;  // the device's display name; the hostname when empty
  HostFacts facts;
  std::chrono::seconds timeout{15};
};

PairAnswer claim_pairing(const PairRequest& request);

}  // namespace steward::agent

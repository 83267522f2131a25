// The checks a webhook call passes before it may start a run, in memory and thread-safe:
// the per-token rate limit (a token bucket) and the HMAC signature with its replay window.
// A failed signature check says what was wrong, never what the expected value was.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/webhooks/webhook_store.hpp"

namespace steward {

struct WebhookRefusal {
  int status;        // 401 or 429
  std::string code;  // signature_required, invalid_signature, stale_timestamp, replayed, rate_limited
  std::string message;
  int retry_after_s = 0;  // 429 only
};

class WebhookGuard {
 public:
  // Takes one call from the automation's bucket (rate_limit per minute, burst rate_limit).
  std::optional<WebhookRefusal> admit(const Webhook& hook, std::int64_t now_ms);

  // `signature` is X-Hub-Signature-256 ("sha256=<hex>"), `timestamp` X-Steward-Timestamp.
  std::optional<WebhookRefusal> verify(const Webhook& hook, const std::string& body,
                                       const std::optional<std::string>& signature,
                                       const std::optional<std::string>& timestamp, std::int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t at_ms = 0;
  };
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
  std::map<std::string, std::int64_t> seen_;  // signature -> when it may be forgotten (ms)
};

}  // namespace steward

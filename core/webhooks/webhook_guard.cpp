#include "core/webhooks/webhook_guard.hpp"

#include <algorithm>
#include <cmath>

#include "core/util/digest.hpp"

namespace steward {

std::optional<WebhookRefusal> WebhookGuard::admit(const Webhook& hook, std::int64_t now_ms) {
  const double per_ms = hook.settings.rate_limit / 60000.0;
  const double burst = hook.settings.rate_limit;
  std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(hook.automation_id);
  Bucket& b = it->second;
  if (fresh) b = {burst, now_ms};
  b.tokens = std::min(burst, b.tokens + static_cast<double>(now_ms - b.at_ms) * per_ms);
  b.at_ms = now_ms;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  int wait_s = static_cast<int>(std::ceil((1.0 - b.tokens) / per_ms / 1000.0));
  return WebhookRefusal{429, "rate_limited",
                        "this webhook accepts " + std::to_string(hook.settings.rate_limit) +
                            " calls per minute; try again in " + std::to_string(wait_s) + " s",
                        std::max(1, wait_s)};
}

std::optional<WebhookRefusal> WebhookGuard::verify(const Webhook& hook, const std::string& body,
                                                   const std::optional<std::string>& signature,
                                                   const std::optional<std::string>& timestamp, std::int64_t now_ms) {
  const auto& s = hook.settings;
  if (!signature) {
    if (!s.require_signature) return std::nullopt;
    return WebhookRefusal{401, "signature_required", "this webhook requires an X-Hub-Signature-256 header"};
  }
  if (!hook.secret)
    return WebhookRefusal{401, "invalid_signature",
                          "this webhook has no secret set, so no signature can be checked; set webhook.secret"};
  const std::string prefix = "sha256=";
  if (signature->size() != prefix.size() + 64 || signature->compare(0, prefix.size(), prefix) != 0)
    return WebhookRefusal{401, "invalid_signature", "X-Hub-Signature-256 must be 'sha256=' and 64 hex digits"};

  std::string signed_text;
  if (s.signature == "timestamped") {
    if (!timestamp)
      return WebhookRefusal{401, "stale_timestamp", "a signed call needs an X-Steward-Timestamp header (Unix seconds)"};
    std::int64_t ts = 0;
    try {
      std::size_t used = 0;
      ts = std::stoll(*timestamp, &used);
      if (used != timestamp->size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      return WebhookRefusal{401, "stale_timestamp", "X-Steward-Timestamp must be Unix seconds"};
    }
    if (std::llabs(now_ms / 1000 - ts) > s.tolerance_s)
      return WebhookRefusal{401, "stale_timestamp",
                            "X-Steward-Timestamp is more than " + std::to_string(s.tolerance_s) +
                                " s away from the server's clock"};
    signed_text = *timestamp + "." + body;
  } else {
    signed_text = body;
  }
  std::string given = signature->substr(prefix.size());
  std::transform(given.begin(), given.end(), given.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!constant_time_equal(hmac_sha256_hex(*hook.secret, signed_text), given))
    return WebhookRefusal{401, "invalid_signature", "X-Hub-Signature-256 does not match the request body"};

  // A valid signature is accepted once within the window; later copies are replays.
  std::lock_guard lock(mutex_);
  for (auto it = seen_.begin(); it != seen_.end();) it = it->second <= now_ms ? seen_.erase(it) : std::next(it);
  auto [it, inserted] = seen_.try_emplace(hook.automation_id + ":" + given, now_ms + 2000LL * s.tolerance_s);
  if (!inserted)
    return WebhookRefusal{401, "replayed", "this signed request was already received; a replay is refused"};
  return std::nullopt;
}

}  // namespace steward

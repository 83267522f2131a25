// WebhookGuard: HMAC-SHA256 signatures (both modes), the timestamp window, replays and the
// per-token rate limit; refusals never reveal the expected signature.
#include <catch2/catch.hpp>

#include "core/util/digest.hpp"
#include "core/webhooks/webhook_guard.hpp"

using namespace steward;

namespace {
Webhook hook(bool require, std::string mode = "timestamped") {
  Webhook w;
  w.automation_id = "auto_x";
  w.settings.require_signature = require;
  w.settings.signature = std::move(mode);
  w.secret = "0123456789abcdef-secret";
  return w;
}
constexpr std::int64_t kNow = 1'800'000'000'000;
}  // namespace

TEST_CASE("digest: HMAC-SHA256 matches RFC 4231 test case 2 and SHA-256 the FIPS vector", "[unit][webhooks]") {
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("webhook guard: timestamped signatures, their window and replays", "[unit][webhooks]") {
  WebhookGuard g;
  Webhook h = hook(true);
  const std::string body = R"({"a":1})";
  const std::string ts = std::to_string(kNow / 1000);
  const std::string good = "sha256=" + hmac_sha256_hex(*h.secret, ts + "." + body);

  CHECK_FALSE(g.verify(h, body, good, ts, kNow));
  auto replay = g.verify(h, body, good, ts, kNow + 1000);
  REQUIRE(replay);
  CHECK(replay->code == "replayed");

  auto missing = g.verify(h, body, std::nullopt, ts, kNow);
  REQUIRE(missing);
  CHECK(missing->code == "signature_required");

  const std::string old_ts = std::to_string(kNow / 1000 - 301);
  auto stale = g.verify(h, body, "sha256=" + hmac_sha256_hex(*h.secret, old_ts + "." + body), old_ts, kNow);
  REQUIRE(stale);
  CHECK(stale->code == "stale_timestamp");

  const std::string ts2 = std::to_string(kNow / 1000 + 1);
  auto tampered = g.verify(h, R"({"a":2})", "sha256=" + hmac_sha256_hex(*h.secret, ts2 + "." + body), ts2, kNow);
  REQUIRE(tampered);
  CHECK(tampered->code == "invalid_signature");
  CHECK(tampered->status == 401);
  CHECK(tampered->message.find(hmac_sha256_hex(*h.secret, ts2 + "." + R"({"a":2})")) == std::string::npos);

  auto malformed = g.verify(h, body, std::string("sha1=abc"), ts, kNow);
  REQUIRE(malformed);
  CHECK(malformed->code == "invalid_signature");
}

TEST_CASE("webhook guard: github mode signs the body alone, and unsigned calls pass when not required", "[unit][webhooks]") {
  WebhookGuard g;
  Webhook h = hook(true, "github");
  CHECK_FALSE(g.verify(h, "payload", "sha256=" + hmac_sha256_hex(*h.secret, "payload"), std::nullopt, kNow));
  Webhook open = hook(false);
  CHECK_FALSE(g.verify(open, "payload", std::nullopt, std::nullopt, kNow));
  // A signature that is sent is checked even when not required.
  auto bad = g.verify(open, "payload", "sha256=" + std::string(64, '0'), std::to_string(kNow / 1000), kNow);
  REQUIRE(bad);
  CHECK(bad->code == "invalid_signature");
}

TEST_CASE("webhook guard: the rate limit allows a burst, then 429 with a wait, and refills", "[unit][webhooks]") {
  WebhookGuard g;
  Webhook h = hook(false);
  h.settings.rate_limit = 3;  // per minute
  CHECK_FALSE(g.admit(h, kNow));
  CHECK_FALSE(g.admit(h, kNow));
  CHECK_FALSE(g.admit(h, kNow));
  auto limited = g.admit(h, kNow);
  REQUIRE(limited);
  CHECK(limited->status == 429);
  CHECK(limited->retry_after_s == 20);
  CHECK_FALSE(g.admit(h, kNow + 20'000));  // one token back after 20 s
  Webhook other = h;
  other.automation_id = "auto_y";
  CHECK_FALSE(g.admit(other, kNow));  // buckets are per token
}

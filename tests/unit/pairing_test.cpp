// Pairing codes against a real store: format, expiry, single use (also under a race),
// stored as a hash only, and the per-address and global claim limits.
#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "core/devices/pairing.hpp"
#include "core/util/digest.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

using namespace steward;
using namespace std::chrono_literals;

namespace {

PairingClaim claim_of(const std::string& code) {
  PairingClaim c;
  c.code = code;
  c.hello.hostname = "web1";
  c.hello.platform = "Linux";
  return c;
}

bool refused_with(const std::variant<Paired, ClaimRefused>& r, int status) {
  auto* refused = std::get_if<ClaimRefused>(&r);
  return refused && refused->status == status;
}

}  // namespace

TEST_CASE("pairing: codes are 6 digits, distinct, stored as SHA-256 only", "[unit][devices]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  DeviceStore devices(db);
  Pairing pairing(db, devices);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    PairingCode c = pairing.create_code("admin");
    CHECK(c.code.size() == 6);
    CHECK(c.code.find_first_not_of("0123456789") == std::string::npos);
    CHECK(c.expires_ms > 0);
    seen.insert(c.code);
    CHECK(db.query("SELECT 1 FROM pairing_codes WHERE code_hash = ?", {sha256_hex(c.code)}).size() == 1);
  }
  CHECK(seen.size() == 50);  // unique among live codes
  CHECK(db.query("SELECT 1 FROM pairing_codes WHERE code_hash = ?", {*seen.begin()}).empty());
}

TEST_CASE("pairing: a claim makes a pending device with a token, and the code is single use", "[unit][devices]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  DeviceStore devices(db);
  Pairing pairing(db, devices);
  PairingCode code = pairing.create_code("admin");

  auto first = pairing.claim(claim_of(code.code), "10.0.0.1", false);
  REQUIRE(std::holds_alternative<Paired>(first));
  const Paired& p = std::get<Paired>(first);
  CHECK(p.device.status == "pending");
  CHECK(p.device.name == "web1");  // the hostname when no name is given
  CHECK(p.device.id.rfind("device_", 0) == 0);
  CHECK(devices.find_by_token(p.token)->id == p.device.id);

  auto again = pairing.claim(claim_of(code.code), "10.0.0.1", false);
  REQUIRE(refused_with(again, 400));
  CHECK(std::get<ClaimRefused>(again).code == "invalid_code");
  CHECK(devices.count("") == 1);

  // Wrong and malformed codes get the very same answer.
  auto wrong = pairing.claim(claim_of(code.code == "000000" ? "000001" : "000000"), "10.0.0.2", false);
  auto junk = pairing.claim(claim_of("12ab"), "10.0.0.2", false);
  REQUIRE(refused_with(wrong, 400));
  REQUIRE(refused_with(junk, 400));
  CHECK(std::get<ClaimRefused>(wrong).message == std::get<ClaimRefused>(again).message);
  CHECK(std::get<ClaimRefused>(junk).message == std::get<ClaimRefused>(again).message);

  // auto_approve, and an explicit name.
  PairingClaim named = claim_of(pairing.create_code("admin").code);
  named.name = "build box";
  auto approved = pairing.claim(named, "10.0.0.3", true);
  REQUIRE(std::holds_alternative<Paired>(approved));
  CHECK(std::get<Paired>(approved).device.status == "approved");
  CHECK(std::get<Paired>(approved).device.name == "build box");
}

TEST_CASE("pairing: an expired code is refused", "[unit][devices]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  DeviceStore devices(db);
  PairingLimits limits;
  limits.code_lifetime = 1s;
  Pairing pairing(db, devices, limits);
  PairingCode code = pairing.create_code("admin");
  std::this_thread::sleep_for(1100ms);
  auto r = pairing.claim(claim_of(code.code), "10.0.0.1", false);
  REQUIRE(refused_with(r, 400));
  CHECK(std::get<ClaimRefused>(r).code == "invalid_code");
  CHECK(devices.count("") == 0);
}

TEST_CASE("pairing: two threads claiming one code make one device", "[unit][devices]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  DeviceStore devices(db);
  PairingLimits limits;
  limits.per_address_per_minute = 1000;
  limits.global_per_minute = 1000;
  Pairing pairing(db, devices, limits);
  for (int round = 0; round < 20; ++round) {
    PairingCode code = pairing.create_code("admin");
    std::atomic<int> won{0}, lost{0};
    std::atomic<bool> go{false};
    auto attempt = [&](const std::string& address) {
      while (!go) std::this_thread::yield();
      auto r = pairing.claim(claim_of(code.code), address, false);
      (std::holds_alternative<Paired>(r) ? won : lost)++;
    };
    std::thread a(attempt, "10.0.0.1"), b(attempt, "10.0.0.2");
    go = true;
    a.join();
    b.join();
    CHECK(won == 1);
    CHECK(lost == 1);
  }
  CHECK(devices.count("") == 20);
}

TEST_CASE("pairing: claims are limited per address and globally, with a retry-after", "[unit][devices]") {
  test::TempDir dir;
  store::Database db(dir.path(), test::database_url_for(dir.path()));
  DeviceStore devices(db);
  PairingLimits limits;
  limits.per_address_per_minute = 2;
  limits.global_per_minute = 3;
  limits.window = 1500ms;
  Pairing pairing(db, devices, limits);

  CHECK(refused_with(pairing.claim(claim_of("000000"), "10.0.0.1", false), 400));
  CHECK(refused_with(pairing.claim(claim_of("000000"), "10.0.0.1", false), 400));
  auto limited = pairing.claim(claim_of("000000"), "10.0.0.1", false);
  REQUIRE(refused_with(limited, 429));
  CHECK(std::get<ClaimRefused>(limited).code == "too_many_attempts");
  CHECK(std::get<ClaimRefused>(limited).retry_after_s >= 1);
  CHECK(std::get<ClaimRefused>(limited).retry_after_s <= 2);

  // A valid code is refused too while over the limit: the limit comes first.
  PairingCode code = pairing.create_code("admin");
  CHECK(refused_with(pairing.claim(claim_of(code.code), "10.0.0.1", false), 429));

  // Another address still passes, until the global limit (3) is reached.
  CHECK(refused_with(pairing.claim(claim_of("000000"), "10.0.0.2", false), 400));
  auto global = pairing.claim(claim_of(code.code), "10.0.0.3", false);
  REQUIRE(refused_with(global, 429));
  CHECK(std::get<ClaimRefused>(global).retry_after_s >= 1);

  // Once the window has passed, the code works (it was never used).
  std::this_thread::sleep_for(1600ms);
  auto later = pairing.claim(claim_of(code.code), "10.0.0.1", false);
  CHECK(std::holds_alternative<Paired>(later));
}

#include "core/devices/pairing.hpp"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "core/util/clock.hpp"
#include "core/util/digest.hpp"
#include "core/util/ids.hpp"

namespace steward {

namespace {

constexpr const char* kInvalidCode = "the pairing code is wrong, expired or already used";

std::uint32_t random_u32() {
  std::uint32_t v = 0;
  auto* p = reinterpret_cast<unsigned char*>(&v);
  std::size_t got = 0;
  while (got < sizeof v) {
    ssize_t n = getrandom(p + got, sizeof v - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("getrandom failed");
    }
    got += static_cast<std::size_t>(n);
  }
  return v;
}

bool six_digits(const std::string& s) {
  return s.size() == 6 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Pairing::Pairing(store::Database& db, DeviceStore& devices, PairingLimits limits)
    : db_(db), devices_(devices), limits_(limits) {}

std::string Pairing::random_code() {
  // Reject draws at or above the largest multiple of 10^6 below 2^32, so every code is
  // equally likely (plain modulo would favour the low ones).
  constexpr std::uint64_t kRange = 1000000;
  constexpr std::uint64_t kLimit = (std::uint64_t{1} << 32) / kRange * kRange;
  std::uint32_t v;
  do v = random_u32();
  while (v >= kLimit);
  std::string s = std::to_string(v % kRange);
  return std::string(6 - s.size(), '0') + s;
}

PairingCode Pairing::create_code(const std::string& created_by) {
  return db_.transaction([&] {
    const std::int64_t now = now_ms();
    // Expired codes are of no use to anyone; dropping them keeps the uniqueness check honest.
    db_.execute("DELETE FROM pairing_codes WHERE expires_ms <= ?", {now});
    // Unique among the codes still stored (live or used-but-unexpired): a claim must find
    // exactly one row. A million codes leave room; the bound only stops a runaway loop.
    for (int attempt = 0; attempt < 1000; ++attempt) {
      std::string code = random_code();
      std::string hash = sha256_hex(code);
      if (db_.query_one("SELECT 1 FROM pairing_codes WHERE code_hash = ?", {hash})) continue;
      PairingCode out{code, now + std::chrono::duration_cast<std::chrono::milliseconds>(limits_.code_lifetime).count()};
      db_.execute("INSERT INTO pairing_codes(code_hash, created_ms, expires_ms, created_by, used_ms, device_id) "
                  "VALUES (?, ?, ?, ?, NULL, NULL)",
                  {hash, now, out.expires_ms, created_by});
      return out;
    }
    throw std::runtime_error("no free pairing code: too many codes are live at once");
  });
}

bool Pairing::admit(const std::string& address, int& retry_after_s) {
  std::lock_guard lock(mutex_);
  const std::int64_t now = steady_ms();
  const std::int64_t window = limits_.window.count();
  auto prune = [&](std::deque<std::int64_t>& q) {
    while (!q.empty() && q.front() <= now - window) q.pop_front();
  };
  // Seconds until the oldest attempt leaves the window, at least 1.
  auto wait_for = [&](const std::deque<std::int64_t>& q) {
    std::int64_t ms = q.front() + window - now;
    return static_cast<int>(std::max<std::int64_t>(1, (ms + 999) / 1000));
  };
  prune(global_);
  // Forget quiet addresses now and then, so a scan from many addresses cannot grow the map forever.
  if (by_address_.size() > 10000) {
    for (auto it = by_address_.begin(); it != by_address_.end();) {
      prune(it->second);
      it = it->second.empty() ? by_address_.erase(it) : std::next(it);
    }
  }
  auto& mine = by_address_[address];
  prune(mine);
  if (static_cast<int>(mine.size()) >= limits_.per_address_per_minute) {
    retry_after_s = wait_for(mine);
    return false;
  }
  if (static_cast<int>(global_.size()) >= limits_.global_per_minute) {
    retry_after_s = wait_for(global_);
    return false;
  }
  mine.push_back(now);
  global_.push_back(now);
  return true;
}

std::variant<Paired, ClaimRefused> Pairing::claim(const PairingClaim& claim, const std::string& client_address,
                                                  bool auto_approve) {
  int retry_after = 0;
  if (!admit(client_address, retry_after))
    return ClaimRefused{429, "too_many_attempts",
                        "too many pairing attempts; try again in " + std::to_string(retry_after) + " s", retry_after};
  if (!six_digits(claim.code)) return ClaimRefused{400, "invalid_code", kInvalidCode, 0};

  const std::string hash = sha256_hex(claim.code);
  std::optional<Paired> paired = db_.transaction([&]() -> std::optional<Paired> {
    const std::int64_t now = now_ms();
    // The single-use check and the mark are one statement: of two claims racing for one
    // code, only one changes the row.
    if (db_.execute("UPDATE pairing_codes SET used_ms = ? WHERE code_hash = ? AND used_ms IS NULL AND expires_ms > ?",
                    {now, hash, now}) != 1)
      return std::nullopt;
    Paired p;
    Device& d = p.device;
    d.id = new_id("device");
    d.hostname = claim.hello.hostname;
    d.name = !claim.name.empty() ? claim.name : !d.hostname.empty() ? d.hostname : d.id;
    d.platform = claim.hello.platform;
    d.architecture = claim.hello.architecture;
    d.os_version = claim.hello.os_version;
    d.agent_version = claim.hello.agent_version;
    d.capabilities = claim.hello.capabilities;
    d.tools = claim.hello.tools;
    d.status = auto_approve ? device_status::kApproved : device_status::kPending;
    d.paired_ms = d.updated_ms = now;
    p.token = DeviceStore::new_token();
    devices_.insert(d, p.token);
    db_.execute("UPDATE pairing_codes SET device_id = ? WHERE code_hash = ?", {d.id, hash});
    return p;
  });
  if (!paired) return ClaimRefused{400, "invalid_code", kInvalidCode, 0};
  return std::move(*paired);
}

}  // namespace steward

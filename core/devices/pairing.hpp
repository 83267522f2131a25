// Pairing codes: 6 digits, valid 5 minutes, single use, stored as SHA-256 only. Claims are
// rate-limited per client address and globally, so guessing a live code in its 5 minutes
// is infeasible (docs/devices.md, "Pairing security").
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <variant>

#include "core/devices/device_store.hpp"

namespace steward {

struct PairingCode {
  std::string code;  // shown once
  std::int64_t expires_ms = 0;
};

struct PairingClaim {
  std::string code;
  std::string name;  // empty: the hostname
  DeviceHello hello;
};

struct Paired {
  Device device;
  std::string token;  // shown once, to the agent
};

struct ClaimRefused {
  int status;  // 400 invalid_code | 429 too_many_attempts
  std::string code;
  std::string message;
  int retry_after_s = 0;
};

struct PairingLimits {
  int per_address_per_minute = 5;
  int global_per_minute = 30;
  std::chrono::seconds code_lifetime{300};
  std::chrono::milliseconds window{60000};  // the limits' sliding window (shorter in tests)
};

class Pairing {
 public:
  Pairing(store::Database& db, DeviceStore& devices, PairingLimits limits = {});

  PairingCode create_code(const std::string& created_by);
  // auto_approve: the new device starts `approved` instead of `pending`.
  std::variant<Paired, ClaimRefused> claim(const PairingClaim& claim, const std::string& client_address,
                                           bool auto_approve);

 private:
  // Sliding one-minute windows of claim attempts: false (and the wait) when over a limit.
  bool admit(const std::string& address, int& retry_after_s);
  // A uniform 6-digit code from getrandom(2).
  static std::string random_code();

  store::Database& db_;
  DeviceStore& devices_;
  PairingLimits limits_;
  std::mutex mutex_;
  std::map<std::string, std::deque<std::int64_t>> by_address_;
  std::deque<std::int64_t> global_;
};

}  // namespace steward

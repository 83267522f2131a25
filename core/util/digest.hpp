// SHA-256 and HMAC-SHA256 as lowercase hex, and a comparison whose time does not depend
// on where two strings differ (for secrets, tokens and signatures).
#pragma once

#include <string>
#include <string_view>

namespace steward {

std::string sha256_hex(std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace steward

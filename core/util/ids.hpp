// Identifiers and secrets: a prefix plus lowercase RFC 4648 base32 of CSPRNG bytes.
#pragma once

#include <string>
#include <string_view>

namespace steward {

// `chars` base32 characters (5 bits each) from getrandom(2).
std::string random_base32(std::size_t chars);

// "auto_" + 16 chars = 80 random bits: unguessable and collision-free in practice.
std::string new_id(std::string_view prefix);

}  // namespace steward

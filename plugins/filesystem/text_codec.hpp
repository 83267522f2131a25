// Base64 (RFC 4648, padded) and UTF-8 validity: file content crosses JSON as text when it
// is valid UTF-8 and as base64 otherwise (nlohmann::json refuses to dump invalid UTF-8).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fs_tool {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not padded base64 (whitespace is not accepted either).
std::optional<std::string> base64_decode(std::string_view text);
bool is_valid_utf8(std::string_view s);

}  // namespace fs_tool

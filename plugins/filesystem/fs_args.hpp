// The args of the `filesystem` tool: their JSON Schema and the checks the schema subset
// cannot express (which fields go with which operation, mode syntax, base64). Shared with
// the `file` automation type, whose params are exactly these args, so a `file` automation
// is refused when it is saved rather than when it runs.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace fs_tool {

extern const char* const kArgsSchema;

// The first problem with args that already passed the schema, as "field: reason"; nullopt if none.
std::optional<std::string> check_args(const nlohmann::json& args);

// "0640", "640", "0755" -> the permission bits; nullopt unless 3 octal digits with an
// optional leading 0 (set-id and sticky bits are not accepted).
std::optional<mode_t> parse_mode(const std::string& text);
std::string format_mode(mode_t mode);  // 0640 -> "0640"

}  // namespace fs_tool

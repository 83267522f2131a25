// Small pieces several route files share: paging, ?wait, starting an automation's run.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "api/routes/api_context.hpp"

namespace steward::api {

// An integer query parameter within [min, max] (fallback when absent); 400 naming it otherwise.
int query_int(const Request& req, const std::string& name, int fallback, int min, int max);
// ?limit=&offset= with defaults and bounds; 400 naming the parameter otherwise.
std::pair<int, int> paging(const Request& req, int default_limit, int max_limit);
bool wants_wait(const Request& req);
// Loads the automation (404), refuses a disabled one (409) and launches it through the
// policy chain (503 while shutting down).
Launch launch_or_throw(ApiContext& ctx, const std::string& automation_id, const std::string& trigger,
                       const Principal& who, const LaunchOptions& options = {});
// A validated value, or 400 invalid_field naming the field the validator named.
template <class T>
T valid_or_throw(std::variant<T, SchemaError> parsed) {
  if (auto* err = std::get_if<SchemaError>(&parsed)) throw ApiError(400, "invalid_field", err->text(), err->path);
  return std::get<T>(std::move(parsed));
}

// 400 invalid_field naming `field` unless `target` is local, auto, or a device or group that
// exists (the format is core's, parse_target(); existence is known here).
void check_target(ApiContext& ctx, const std::string& target, const std::string& field);

// Unix seconds or ISO 8601 ("2026-11-23T09:00:00Z"); 400 naming `field` otherwise.
std::int64_t parse_time_ms(const std::string& text, const std::string& field);

}  // namespace steward::api

#include "core/maintenance/maintenance_input.hpp"

#include <algorithm>
#include <cctype>

#include "core/maintenance/maintenance_recurrence.hpp"
#include "core/maintenance/maintenance_time.hpp"

namespace steward {

using nlohmann::json;

namespace {

const json& input_schema() {
  static const json schema = json::parse(R"json({
    "type": "object",
    "required": ["name", "start", "end", "scope", "autonomy_override"],
    "additionalProperties": false,
    "properties": {
      "name": {"type": "string", "minLength": 1, "maxLength": 200},
      "start": {"type": "string", "description": "Local date-time in timezone, e.g. 2026-03-22T03:00:00"},
      "end": {"type": "string", "description": "After start; every occurrence lasts end - start"},
      "timezone": {"type": "string", "minLength": 1, "maxLength": 64, "default": "UTC"},
      "recurring": {"type": ["string", "null"], "description": "5-field cron for each start, in timezone"},
      "scope": {"type": "array", "maxItems": 1000, "items": {"type": "string", "minLength": 1, "maxLength": 200}},
      "autonomy_override": {"type": "string", "enum": ["disabled", "approval", "full"]}
    }
  })json");
  return schema;
}

bool id_chars(const std::string& s, std::size_t from) {
  return s.size() > from && std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from), s.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '_' || c == '-';
         });
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

std::optional<SchemaError> check_scope_entry(const std::string& entry, const std::string& field,
                                             const std::function<bool(const std::string&)>& automation_exists) {
  if (starts_with(entry, "tag:")) {
    std::size_t n = entry.size() - 4;
    if (n < 1 || n > 64) return SchemaError{field, "a tag scope is tag:NAME with a name of 1-64 characters"};
    return std::nullopt;
  }
  if (starts_with(entry, "auto_")) {
    if (!automation_exists(entry)) return SchemaError{field, "unknown scope id '" + entry + "': no such automation"};
    return std::nullopt;
  }
  for (const char* prefix : {"device_", "group_"}) {
    if (!starts_with(entry, prefix)) continue;
    if (!id_chars(entry, std::string(prefix).size()))
      return SchemaError{field, "'" + entry + "' is not a valid " + std::string(prefix) + "… id"};
    return std::nullopt;  // devices and groups are not checked until the device hub exists
  }
  return SchemaError{field, "unknown scope id '" + entry +
                                "': scope entries are automation ids (auto_…), device ids (device_…), "
                                "group ids (group_…) or tag:NAME"};
}

}  // namespace

std::variant<MaintenanceWindow, SchemaError> window_from_input(
    const json& body, const std::function<bool(const std::string&)>& automation_exists) {
  if (auto err = validate_json(input_schema(), body, "body")) {
    if (err->path.rfind("body.", 0) == 0) err->path = err->path.substr(5);
    return *err;
  }
  MaintenanceWindow w;
  w.name = body["name"].get<std::string>();
  w.timezone = body.value("timezone", "UTC");
  if (!maintenance_time::is_known_zone(w.timezone))
    return SchemaError{"timezone", "unknown time zone '" + w.timezone + "' (an IANA name like Europe/Berlin, or UTC)"};

  for (const char* field : {"start", "end"}) {
    auto parsed = maintenance_time::parse_local(body[field].get<std::string>(), w.timezone);
    if (auto* why = std::get_if<std::string>(&parsed)) return SchemaError{field, *why};
    (std::string(field) == "start" ? w.start_ms : w.end_ms) = std::get<std::int64_t>(parsed);
  }
  if (w.end_ms <= w.start_ms) return SchemaError{"end", "must be after start"};

  if (body.contains("recurring") && body["recurring"].is_string()) {
    w.recurring = body["recurring"].get<std::string>();
    auto compiled = compile_recurrence(*w.recurring, w.timezone);
    if (auto* why = std::get_if<std::string>(&compiled)) return SchemaError{"recurring", *why};
  }

  w.autonomy_override = body["autonomy_override"].get<std::string>();

  const json& scope = body["scope"];
  if (scope.empty())
    return SchemaError{"scope", "must name at least one automation id, device id, group id or tag:NAME "
                                "(an empty scope is not allowed)"};
  for (std::size_t i = 0; i < scope.size(); ++i) {
    std::string entry = scope[i].get<std::string>();
    if (auto err = check_scope_entry(entry, "scope[" + std::to_string(i) + "]", automation_exists)) return *err;
    if (std::find(w.scope.begin(), w.scope.end(), entry) == w.scope.end()) w.scope.push_back(entry);
  }
  return w;
}

}  // namespace steward

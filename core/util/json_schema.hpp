// A JSON Schema validator for the subset plugins use to describe args and params:
// type (string or list), properties, required, additionalProperties (bool), enum, const,
// minimum, maximum, minLength, maxLength, minItems, maxItems, items, pattern-free.
// Unknown keywords are ignored, as the spec says. Errors name the field by its path.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace steward {

struct SchemaError {
  std::string path;     // e.g. "params.steps[2].tool"
  std::string message;  // e.g. "is required"
  std::string text() const { return path + ": " + message; }
};

// Returns the first violation, or nullopt when `value` conforms to `schema`.
std::optional<SchemaError> validate_json(const nlohmann::json& schema, const nlohmann::json& value,
                                         const std::string& path);

// Checks that a schema uses only shapes this validator understands; returns a reason if not.
std::optional<std::string> check_schema(const nlohmann::json& schema);

}  // namespace steward

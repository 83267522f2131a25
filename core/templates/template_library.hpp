// The template library: templates/<id>.json files, each an automation with named
// parameters (docs/templates.md). Applying one fills `{{parameter}}` placeholders with
// the caller's values (or the defaults) and yields an automation body that then goes
// through the same validation as POST /api/automations.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/util/json_schema.hpp"

namespace steward {

struct AutomationTemplate {
  std::string id;             // the file name without .json
  nlohmann::json definition;  // the whole file
  std::string file;
};

struct TemplateLoad {
  std::vector<AutomationTemplate> templates;  // sorted by id
  std::vector<std::string> errors;            // "file: reason" for files that were skipped
};

// Reads every *.json file of `dir`; a malformed file is reported, not fatal.
TemplateLoad load_templates(const std::filesystem::path& dir);

// Why a template file is unusable, or nullopt.
std::optional<std::string> check_template(const nlohmann::json& definition);

// The listing shape: id, name, description, icon, type, parameters.
nlohmann::json template_summary(const AutomationTemplate& t);

// Fills the parameters from `values` (an object). A whole-string placeholder "{{n}}" takes
// the value with its JSON type; inside a longer string it is inserted as text; an
// optional parameter with no value and no default removes a key whose whole value it is.
// Errors: missing required values (all named), unknown names, wrong types.
std::variant<nlohmann::json, SchemaError> render_template(const AutomationTemplate& t, const nlohmann::json& values);

}  // namespace steward

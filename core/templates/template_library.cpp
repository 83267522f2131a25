#include "core/templates/template_library.hpp"

#include <algorithm>
#include <fstream>
#include <regex>

namespace steward {

using nlohmann::json;

namespace {

const json& template_schema() {
  static const json schema = json::parse(R"json({
    "type": "object",
    "required": ["name", "description", "type", "parameters", "automation"],
    "additionalProperties": false,
    "properties": {
      "name": {"type": "string", "minLength": 1, "maxLength": 200},
      "description": {"type": "string", "minLength": 1, "maxLength": 2000},
      "icon": {"type": "string", "maxLength": 100},
      "type": {"type": "string", "minLength": 1},
      "parameters": {"type": "array", "maxItems": 50, "items": {
        "type": "object", "required": ["name", "description", "type"], "additionalProperties": false,
        "properties": {
          "name": {"type": "string", "minLength": 1, "maxLength": 64},
          "description": {"type": "string", "minLength": 1},
          "type": {"type": "string", "enum": ["string", "integer", "number", "boolean"]},
          "required": {"type": "boolean"},
          "default": {"type": ["string", "integer", "number", "boolean"]},
          "example": {"type": ["string", "integer", "number", "boolean"]}
        }}},
      "automation": {"type": "object", "required": ["name", "type"]}
    }
  })json");
  return schema;
}

bool fits(const json& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  return value.is_boolean();
}

const json* parameter(const json& definition, const std::string& name) {
  for (const auto& p : definition["parameters"])
    if (p["name"] == name) return &p;
  return nullptr;
}

// Replaces placeholders of declared parameters; other {{...}} (webhook payload
// placeholders such as {{payload.ref}}) are left for the run.
std::optional<json> fill(const json& node, const json& definition, const json& values) {
  static const std::regex kWhole(R"(^\{\{\s*([A-Za-z0-9_]+)\s*\}\}$)");
  static const std::regex kAny(R"(\{\{\s*([A-Za-z0-9_]+)\s*\}\})");
  if (node.is_string()) {
    const std::string text = node.get<std::string>();
    std::smatch m;
    if (std::regex_match(text, m, kWhole) && parameter(definition, m[1].str())) {
      auto v = values.find(m[1].str());
      if (v == values.end()) return std::nullopt;  // optional and unset: drop the key
      return *v;
    }
    std::string out;
    std::size_t last = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kAny); it != std::sregex_iterator(); ++it) {
      const std::string name = (*it)[1].str();
      out.append(text, last, static_cast<std::size_t>(it->position()) - last);
      if (parameter(definition, name)) {
        auto v = values.find(name);
        out += v == values.end() ? "" : (v->is_string() ? v->get<std::string>() : v->dump());
      } else {
        out += it->str();
      }
      last = static_cast<std::size_t>(it->position() + it->length());
    }
    out.append(text, last, std::string::npos);
    return json(out);
  }
  if (node.is_object()) {
    json out = json::object();
    for (const auto& [k, child] : node.items())
      if (auto v = fill(child, definition, values)) out[k] = *v;
    return out;
  }
  if (node.is_array()) {
    json out = json::array();
    for (const auto& child : node)
      if (auto v = fill(child, definition, values)) out.push_back(*v);
    return out;
  }
  return node;
}

}  // namespace

std::optional<std::string> check_template(const json& definition) {
  if (auto err = validate_json(template_schema(), definition, "template")) return err->text();
  std::vector<std::string> names;
  for (const auto& p : definition["parameters"]) {
    const std::string name = p["name"];
    if (std::find(names.begin(), names.end(), name) != names.end()) return "parameter '" + name + "' is declared twice";
    names.push_back(name);
    if (p.contains("default") && !fits(p["default"], p["type"]))
      return "parameter '" + name + "': the default is not a " + p["type"].get<std::string>();
    if (p.value("required", false) && p.contains("default"))
      return "parameter '" + name + "': a required parameter has no default";
    // An example shows users what to enter, and lets tests apply every template.
    if (p.value("required", false) && (!p.contains("example") || !fits(p["example"], p["type"])))
      return "parameter '" + name + "': a required parameter needs an example of its type";
  }
  if (definition["automation"]["type"] != definition["type"]) return "automation.type differs from type";
  return std::nullopt;
}

TemplateLoad load_templates(const std::filesystem::path& dir) {
  TemplateLoad out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    out.errors.push_back(dir.string() + ": the template directory does not exist");
    return out;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    json definition = json::parse(in, nullptr, false);
    const std::string file = entry.path().string();
    if (definition.is_discarded()) {
      out.errors.push_back(file + ": not valid JSON");
      continue;
    }
    if (auto why = check_template(definition)) {
      out.errors.push_back(file + ": " + *why);
      continue;
    }
    out.templates.push_back({entry.path().stem().string(), std::move(definition), file});
  }
  std::sort(out.templates.begin(), out.templates.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

json template_summary(const AutomationTemplate& t) {
  const json& d = t.definition;
  return {{"id", t.id},           {"name", d["name"]}, {"description", d["description"]},
          {"icon", d.value("icon", "")}, {"type", d["type"]}, {"parameters", d["parameters"]}};
}

std::variant<json, SchemaError> render_template(const AutomationTemplate& t, const json& values) {
  if (!values.is_object()) return SchemaError{"values", "must be an object of parameter values"};
  for (const auto& [name, value] : values.items()) {
    const json* p = parameter(t.definition, name);
    if (!p) return SchemaError{"values." + name, "is not a parameter of template '" + t.id + "'"};
    if (!fits(value, (*p)["type"])) return SchemaError{"values." + name, "must be a " + (*p)["type"].get<std::string>()};
  }
  json filled = values;
  std::vector<std::string> missing;
  for (const auto& p : t.definition["parameters"]) {
    const std::string name = p["name"];
    if (filled.contains(name)) continue;
    if (p.contains("default")) filled[name] = p["default"];
    else if (p.value("required", false)) missing.push_back(name);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return SchemaError{"values." + missing.front(), "required parameter(s) missing: " + list};
  }
  return *fill(t.definition["automation"], t.definition, filled);
}

}  // namespace steward

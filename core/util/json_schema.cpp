#include "core/util/json_schema.hpp"

namespace steward {

using nlohmann::json;

namespace {

bool has_type(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (value.is_number_float()) {
      double d = value.get<double>();
      return d == static_cast<double>(static_cast<long long>(d));
    }
    return false;
  }
  return false;
}

std::string type_list(const json& t) {
  if (t.is_string()) return t.get<std::string>();
  std::string out;
  for (const auto& x : t) out += (out.empty() ? "" : " or ") + x.get<std::string>();
  return out;
}

std::string kind_of(const json& v) {
  switch (v.type()) {
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::string: return "string";
    case json::value_t::boolean: return "boolean";
    case json::value_t::null: return "null";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    default: return "number";
  }
}

}  // namespace

std::optional<SchemaError> validate_json(const json& schema, const json& value,
                                         const std::string& path) {
  if (!schema.is_object()) return std::nullopt;

  if (auto t = schema.find("type"); t != schema.end()) {
    bool ok = false;
    if (t->is_string()) ok = has_type(value, t->get<std::string>());
    if (t->is_array())
      for (const auto& x : *t) ok = ok || (x.is_string() && has_type(value, x.get<std::string>()));
    if (!ok) return SchemaError{path, "must be " + type_list(*t) + ", got " + kind_of(value)};
  }
  if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
    bool found = false;
    for (const auto& x : *e) found = found || x == value;
    if (!found) return SchemaError{path, "must be one of " + e->dump()};
  }
  if (auto c = schema.find("const"); c != schema.end() && *c != value)
    return SchemaError{path, "must be " + c->dump()};

  if (value.is_number()) {
    double d = value.get<double>();
    if (auto m = schema.find("minimum"); m != schema.end() && m->is_number() && d < m->get<double>())
      return SchemaError{path, "must be >= " + m->dump()};
    if (auto m = schema.find("maximum"); m != schema.end() && m->is_number() && d > m->get<double>())
      return SchemaError{path, "must be <= " + m->dump()};
  }
  if (value.is_string()) {
    auto len = value.get_ref<const std::string&>().size();
    if (auto m = schema.find("minLength"); m != schema.end() && m->is_number_unsigned() && len < m->get<size_t>())
      return SchemaError{path, "must be at least " + m->dump() + " characters"};
    if (auto m = schema.find("maxLength"); m != schema.end() && m->is_number_unsigned() && len > m->get<size_t>())
      return SchemaError{path, "must be at most " + m->dump() + " characters"};
  }
  if (value.is_array()) {
    if (auto m = schema.find("minItems"); m != schema.end() && m->is_number_unsigned() && value.size() < m->get<size_t>())
      return SchemaError{path, "must have at least " + m->dump() + " items"};
    if (auto m = schema.find("maxItems"); m != schema.end() && m->is_number_unsigned() && value.size() > m->get<size_t>())
      return SchemaError{path, "must have at most " + m->dump() + " items"};
    if (auto items = schema.find("items"); items != schema.end() && items->is_object()) {
      for (size_t i = 0; i < value.size(); ++i)
        if (auto err = validate_json(*items, value[i], path + "[" + std::to_string(i) + "]")) return err;
    }
  }
  if (value.is_object()) {
    if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
      for (const auto& name : *req)
        if (name.is_string() && !value.contains(name.get<std::string>()))
          return SchemaError{path + "." + name.get<std::string>(), "is required"};
    }
    const json* props = nullptr;
    if (auto p = schema.find("properties"); p != schema.end() && p->is_object()) props = &*p;
    auto additional = schema.find("additionalProperties");
    for (const auto& [key, item] : value.items()) {
      if (props && props->contains(key)) {
        if (auto err = validate_json((*props)[key], item, path + "." + key)) return err;
      } else if (additional != schema.end()) {
        if (additional->is_boolean() && !additional->get<bool>())
          return SchemaError{path + "." + key, "is not a known field"};
        if (additional->is_object())
          if (auto err = validate_json(*additional, item, path + "." + key)) return err;
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_schema(const json& schema) {
  if (!schema.is_object()) return "the schema is not a JSON object";
  if (auto t = schema.find("type"); t != schema.end() && !t->is_string() && !t->is_array())
    return "\"type\" must be a string or an array";
  return std::nullopt;
}

}  // namespace steward

#include "core/automations/target.hpp"

namespace steward {

std::optional<Target> parse_target(const std::string& text) {
  if (text.empty() || text == "local") return Target{Target::Kind::Local, ""};
  if (text == "auto") return Target{Target::Kind::Auto, ""};
  if (text.size() > 100) return std::nullopt;
  struct Form {
    const char* prefix;
    const char* id_prefix;
    Target::Kind kind;
  };
  for (const Form& f : {Form{"device:", "device_", Target::Kind::Device}, Form{"group:", "group_", Target::Kind::Group}}) {
    std::string prefix = f.prefix;
    if (text.rfind(prefix, 0) != 0) continue;
    std::string id = text.substr(prefix.size());
    if (id.rfind(f.id_prefix, 0) != 0 || id.size() == std::string(f.id_prefix).size()) return std::nullopt;
    return Target{f.kind, id};
  }
  return std::nullopt;
}

}  // namespace steward

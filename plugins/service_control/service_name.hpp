// The one rule for service names, shared by the service_control tool and automation type
// (header-only so each plugin compiles it in; plugins share no libraries).
// ^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,127}$ : systemd units (foo@bar.service), SysV scripts and
// supervisord's group:name. No '/', whitespace or shell characters, and a first character
// that cannot start an option ('-') or a path ('.', '/').
#pragma once

#include <string>
#include <string_view>

namespace service_control {

inline constexpr std::size_t kMaxServiceName = 128;

inline bool is_valid_service_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxServiceName) return false;
  auto alnum = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name[0])) return false;
  for (char c : name.substr(1))
    if (!alnum(c) && c != '_' && c != '.' && c != '@' && c != ':' && c != '-') return false;
  return true;
}

// Why a name is refused, for error messages ("" when it is valid). The name is quoted as
// JSON-ish text so control characters in it cannot garble the message.
inline std::string service_name_problem(std::string_view name) {
  if (name.empty()) return "service: must not be empty";
  if (name.size() > kMaxServiceName)
    return "service: must be at most " + std::to_string(kMaxServiceName) + " characters, got " +
           std::to_string(name.size());
  if (is_valid_service_name(name)) return "";
  std::string shown;
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) shown += '?';
    else shown += c;
  }
  return "service: '" + shown +
         "' is not a valid service name (allowed: a letter or digit, then up to 127 of "
         "A-Z a-z 0-9 _ . @ : -)";
}

}  // namespace service_control

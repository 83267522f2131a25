// Where an automation's steps run (its `target`), parsed in one place: "local" (this
// daemon), "auto" (routing decides), "device:<device id>" or "group:<group id>".
#pragma once

#include <optional>
#include <string>

namespace steward {

struct Target {
  enum class Kind { Local, Auto, Device, Group };
  Kind kind = Kind::Local;
  std::string id;  // the device or group id; empty for local and auto

  bool remote_place() const { return kind == Kind::Device || kind == Kind::Group; }
};

// nullopt when the text is none of the four forms.
std::optional<Target> parse_target(const std::string& text);
// What a person reads when parse_target() refused a value.
inline constexpr const char* kTargetForms = "must be local, auto, device:<device id> or group:<group id>";

}  // namespace steward

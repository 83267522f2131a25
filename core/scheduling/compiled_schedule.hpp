// An automation's schedule, parsed once: a cron expression in an IANA time zone that
// answers "the first fire strictly after this instant". The scheduler keeps one per
// scheduled automation; validation of the automation's `schedule`/`timezone` uses it too.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "core/util/json_schema.hpp"

namespace steward {

struct CompiledSchedule {
  std::string expression;
  std::string timezone;
  // Milliseconds since the epoch, UTC; nullopt when it never fires again.
  std::function<std::optional<std::int64_t>(std::int64_t after_ms)> next_after_ms;
};

// Errors name the field: "schedule" (with the cron parser's message) or "timezone".
std::variant<CompiledSchedule, SchemaError> compile_schedule(const std::string& expression,
                                                             const std::string& timezone);

}  // namespace steward

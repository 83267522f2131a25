#include "core/scheduling/compiled_schedule.hpp"

#include "core/scheduling/cron_expression.hpp"

namespace steward {

std::variant<CompiledSchedule, SchemaError> compile_schedule(const std::string& expression, const std::string& timezone) {
  auto parsed = cron::Expression::parse(expression);
  if (auto* e = std::get_if<cron::Error>(&parsed)) return SchemaError{"schedule", e->message};
  auto zone = cron::TimeZone::find(timezone);
  if (auto* e = std::get_if<cron::Error>(&zone)) return SchemaError{"timezone", e->message};
  CompiledSchedule c;
  c.expression = expression;
  c.timezone = timezone;
  c.next_after_ms = [expr = std::get<cron::Expression>(parsed),
                     tz = std::get<cron::TimeZone>(zone)](std::int64_t after_ms) -> std::optional<std::int64_t> {
    // Fires are whole seconds: strictly after floor(after_ms / 1000) s is strictly after after_ms.
    std::int64_t after_s = after_ms >= 0 ? after_ms / 1000 : -((-after_ms + 999) / 1000);
    auto next = expr.next_after(std::chrono::sys_seconds{std::chrono::seconds{after_s}}, tz);
    if (!next) return std::nullopt;
    return static_cast<std::int64_t>(next->time_since_epoch().count()) * 1000;
  };
  return c;
}

}  // namespace steward

#include "core/scheduling/compiled_schedule.hpp"

#include "core/scheduling/cron_schedule.hpp"

namespace steward {

std::variant<CompiledSchedule, SchemaError> compile_schedule(const std::string& expression, const std::string& timezone) {
  auto parsed = CronSchedule::parse(expression);
  if (auto* e = std::get_if<CronError>(&parsed)) return SchemaError{"schedule", e->message};
  const date::time_zone* zone = nullptr;
  try {
    zone = find_time_zone(timezone);
  } catch (const std::exception&) {
    return SchemaError{"timezone", "unknown time zone '" + timezone + "' (an IANA name such as Europe/Berlin)"};
  }
  CronSchedule cron = std::get<CronSchedule>(std::move(parsed));
  CompiledSchedule c;
  c.expression = expression;
  c.timezone = timezone;
  c.next_after_ms = [cron, zone](std::int64_t after_ms) -> std::optional<std::int64_t> {
    // Fires are whole seconds; strictly after floor(after_ms / 1000) s is strictly after after_ms.
    std::int64_t after_s = after_ms >= 0 ? after_ms / 1000 : -((-after_ms + 999) / 1000);
    auto next = cron.next_after(after_s, zone);
    if (!next) return std::nullopt;
    return *next * 1000;
  };
  return c;
}

}  // namespace steward

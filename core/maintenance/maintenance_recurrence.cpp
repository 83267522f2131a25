#include "core/maintenance/maintenance_recurrence.hpp"

#include "core/scheduling/compiled_schedule.hpp"
#include "core/util/log.hpp"

namespace steward {

std::variant<NextFire, std::string> compile_recurrence(const std::string& cron, const std::string& zone) {
  auto compiled = compile_schedule(cron, zone);
  if (auto* err = std::get_if<SchemaError>(&compiled)) return err->message;
  return std::get<CompiledSchedule>(std::move(compiled)).next_after_ms;
}

NextFire next_fire_of(const MaintenanceWindow& w) {
  if (!w.recurring) return {};
  auto compiled = compile_recurrence(*w.recurring, w.timezone);
  if (auto* next = std::get_if<NextFire>(&compiled)) return *next;
  log(LogLevel::Warning, "maintenance",
      "window " + w.id + ": recurring '" + *w.recurring + "' no longer parses (" + std::get<std::string>(compiled) +
          "); it never starts");
  return [](std::int64_t) -> std::optional<std::int64_t> { return std::nullopt; };
}

}  // namespace steward

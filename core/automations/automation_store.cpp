#include "core/automations/automation_store.hpp"

namespace steward {

using nlohmann::json;

namespace {
const char* kColumns =
    "id, name, type, icon, description, params_json, target, enabled, timeout_s, tags_json, "
    "created_ms, updated_ms, last_run_ms, last_status, approval_json, schedule, timezone, catch_up, concurrency, on_daemon_loss";

store::Value schedule_value(const Automation& a) {
  return a.schedule ? store::Value(*a.schedule) : store::Value(nullptr);
}

store::Value approval_value(const Automation& a) {
  return a.approval ? store::Value(to_json(*a.approval).dump()) : store::Value(nullptr);
}

Automation from_row(const store::Row& r) {
  Automation a;
  a.id = r.text(0);
  a.name = r.text(1);
  a.type = r.text(2);
  a.icon = r.text(3);
  a.description = r.text(4);
  a.params = json::parse(r.text(5));
  a.target = r.text(6);
  a.enabled = r.integer(7) != 0;
  a.timeout_s = r.integer(8);
  a.tags = json::parse(r.text(9));
  a.created_ms = r.integer(10);
  a.updated_ms = r.integer(11);
  a.last_run_ms = r.optional_integer(12);
  a.last_status = r.optional_text(13);
  if (auto approval = r.optional_text(14)) a.approval = approval_settings_from_json(json::parse(*approval));
  a.schedule = r.optional_text(15);
  a.timezone = r.text(16);
  a.catch_up = r.text(17);
  a.concurrency = r.text(18);
  a.on_daemon_loss = r.text(19);
  return a;
}
}  // namespace

void AutomationStore::insert(const Automation& a) {
  db_.execute(std::string("INSERT INTO automations(") + kColumns +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?)",
              {a.id, a.name, a.type, a.icon, a.description, a.params.dump(), a.target,
               std::int64_t{a.enabled}, a.timeout_s, a.tags.dump(), a.created_ms, a.updated_ms, approval_value(a),
               schedule_value(a), a.timezone, a.catch_up, a.concurrency, a.on_daemon_loss});
}

bool AutomationStore::update(const Automation& a) {
  return db_.execute(
             "UPDATE automations SET name = ?, type = ?, icon = ?, description = ?, params_json = ?, "
             "target = ?, enabled = ?, timeout_s = ?, tags_json = ?, updated_ms = ?, approval_json = ?, schedule = ?, "
             "timezone = ?, catch_up = ?, concurrency = ?, on_daemon_loss = ? WHERE id = ?",
             {a.name, a.type, a.icon, a.description, a.params.dump(), a.target, std::int64_t{a.enabled},
              a.timeout_s, a.tags.dump(), a.updated_ms, approval_value(a), schedule_value(a), a.timezone, a.catch_up,
              a.concurrency, a.on_daemon_loss, a.id}) > 0;
}

bool AutomationStore::remove(const std::string& id) {
  return db_.execute("DELETE FROM automations WHERE id = ?", {id}) > 0;
}

std::optional<Automation> AutomationStore::get(const std::string& id) {
  auto row = db_.query_one(std::string("SELECT ") + kColumns + " FROM automations WHERE id = ?", {id});
  if (!row) return std::nullopt;
  return from_row(*row);
}

std::vector<Automation> AutomationStore::list() {
  std::vector<Automation> out;
  for (const auto& r : db_.query(std::string("SELECT ") + kColumns + " FROM automations ORDER BY created_ms, id"))
    out.push_back(from_row(r));
  return out;
}

}  // namespace steward

namespace steward {

std::vector<AutomationStore::ScheduleRow> AutomationStore::list_scheduled() {
  std::vector<ScheduleRow> out;
  for (const auto& r : db_.query("SELECT id, schedule, timezone, updated_ms FROM automations "
                                 "WHERE schedule IS NOT NULL AND enabled = 1"))
    out.push_back({r.text(0), r.text(1), r.text(2), r.integer(3)});
  return out;
}

}  // namespace steward

#include "core/maintenance/maintenance_store.hpp"

#include <nlohmann/json.hpp>

namespace steward {

using nlohmann::json;
using store::Value;

namespace {

const char* kColumns =
    "id, name, start_ms, end_ms, timezone, recurring, scope_json, autonomy_override, forced, forced_until_ms, "
    "created_ms, updated_ms";

Value opt_text(const std::optional<std::string>& v) { return v ? Value(*v) : Value(nullptr); }
Value opt_int(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }

MaintenanceWindow from_row(const store::Row& r) {
  MaintenanceWindow w;
  w.id = r.text(0);
  w.name = r.text(1);
  w.start_ms = r.integer(2);
  w.end_ms = r.integer(3);
  w.timezone = r.text(4);
  w.recurring = r.optional_text(5);
  w.scope = json::parse(r.text(6)).get<std::vector<std::string>>();
  w.autonomy_override = r.text(7);
  w.forced = r.optional_text(8);
  w.forced_until_ms = r.optional_integer(9);
  w.created_ms = r.integer(10);
  w.updated_ms = r.integer(11);
  return w;
}

}  // namespace

void MaintenanceStore::insert(const MaintenanceWindow& w) {
  db_.execute(std::string("INSERT INTO maintenance_windows(") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {w.id, w.name, w.start_ms, w.end_ms, w.timezone, opt_text(w.recurring), json(w.scope).dump(),
               w.autonomy_override, opt_text(w.forced), opt_int(w.forced_until_ms), w.created_ms, w.updated_ms});
}

bool MaintenanceStore::update(const MaintenanceWindow& w) {
  return db_.execute(
             "UPDATE maintenance_windows SET name = ?, start_ms = ?, end_ms = ?, timezone = ?, recurring = ?, "
             "scope_json = ?, autonomy_override = ?, forced = ?, forced_until_ms = ?, updated_ms = ? WHERE id = ?",
             {w.name, w.start_ms, w.end_ms, w.timezone, opt_text(w.recurring), json(w.scope).dump(),
              w.autonomy_override, opt_text(w.forced), opt_int(w.forced_until_ms), w.updated_ms, w.id}) > 0;
}

bool MaintenanceStore::remove(const std::string& id) {
  return db_.execute("DELETE FROM maintenance_windows WHERE id = ?", {id}) > 0;
}

std::optional<MaintenanceWindow> MaintenanceStore::get(const std::string& id) {
  auto row = db_.query_one(std::string("SELECT ") + kColumns + " FROM maintenance_windows WHERE id = ?", {id});
  if (!row) return std::nullopt;
  return from_row(*row);
}

std::vector<MaintenanceWindow> MaintenanceStore::list() {
  std::vector<MaintenanceWindow> out;
  for (const auto& r : db_.query(std::string("SELECT ") + kColumns + " FROM maintenance_windows ORDER BY created_ms, id"))
    out.push_back(from_row(r));
  return out;
}

}  // namespace steward

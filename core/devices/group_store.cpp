#include "core/devices/group_store.hpp"

#include <stdexcept>

#include "core/util/clock.hpp"
#include "core/util/ids.hpp"

namespace steward {

using nlohmann::json;

json to_json(const DeviceGroup& g) {
  return {{"id", g.id},
          {"name", g.name},
          {"description", g.description},
          {"members", g.members},
          {"member_count", g.members.size()},
          {"created_at", iso8601(g.created_ms)},
          {"updated_at", iso8601(g.updated_ms)}};
}

DeviceGroup GroupStore::create(const std::string& name, const std::string& description) {
  return db_.transaction([&] {
    if (db_.query_one("SELECT 1 FROM device_groups WHERE name = ?", {name}))
      throw std::invalid_argument("a device group named '" + name + "' already exists");
    DeviceGroup g;
    g.id = new_id("group");
    g.name = name;
    g.description = description;
    g.created_ms = g.updated_ms = now_ms();
    db_.execute("INSERT INTO device_groups(id, name, description, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?)",
                {g.id, g.name, g.description, g.created_ms, g.updated_ms});
    return g;
  });
}

std::optional<DeviceGroup> GroupStore::get(const std::string& id) {
  return db_.transaction([&]() -> std::optional<DeviceGroup> {
    auto row = db_.query_one("SELECT id, name, description, created_ms, updated_ms FROM device_groups WHERE id = ?", {id});
    if (!row) return std::nullopt;
    DeviceGroup g{row->text(0), row->text(1), row->text(2), {}, row->integer(3), row->integer(4)};
    for (const auto& m : db_.query("SELECT device_id FROM device_group_members WHERE group_id = ? ORDER BY added_ms, rowid", {id}))
      g.members.push_back(m.text(0));
    return g;
  });
}

std::vector<DeviceGroup> GroupStore::list() {
  return db_.transaction([&] {
    std::vector<DeviceGroup> out;
    for (const auto& r : db_.query("SELECT id, name, description, created_ms, updated_ms FROM device_groups ORDER BY name, id"))
      out.push_back(DeviceGroup{r.text(0), r.text(1), r.text(2), {}, r.integer(3), r.integer(4)});
    for (auto& g : out)
      for (const auto& m :
           db_.query("SELECT device_id FROM device_group_members WHERE group_id = ? ORDER BY added_ms, rowid", {g.id}))
        g.members.push_back(m.text(0));
    return out;
  });
}

bool GroupStore::remove(const std::string& id) {
  return db_.execute("DELETE FROM device_groups WHERE id = ?", {id}) == 1;
}

bool GroupStore::add_member(const std::string& group_id, const std::string& device_id) {
  return db_.transaction([&] {
    const std::int64_t now = now_ms();
    if (db_.execute("INSERT INTO device_group_members(group_id, device_id, added_ms) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    {group_id, device_id, now}) != 1)
      return false;
    db_.execute("UPDATE device_groups SET updated_ms = ? WHERE id = ?", {now, group_id});
    return true;
  });
}

bool GroupStore::remove_member(const std::string& group_id, const std::string& device_id) {
  return db_.transaction([&] {
    if (db_.execute("DELETE FROM device_group_members WHERE group_id = ? AND device_id = ?", {group_id, device_id}) != 1)
      return false;
    db_.execute("UPDATE device_groups SET updated_ms = ? WHERE id = ?", {now_ms(), group_id});
    return true;
  });
}

std::vector<std::string> GroupStore::groups_of(const std::string& device_id) {
  std::vector<std::string> out;
  for (const auto& r : db_.query("SELECT group_id FROM device_group_members WHERE device_id = ? ORDER BY added_ms, rowid", {device_id}))
    out.push_back(r.text(0));
  return out;
}

std::vector<std::string> GroupStore::places(const Target& target) {
  std::vector<std::string> out{target.id};
  if (target.kind == Target::Kind::Device) {
    for (auto& g : groups_of(target.id)) out.push_back(g);
  } else if (target.kind == Target::Kind::Group) {
    if (auto g = get(target.id)) out.insert(out.end(), g->members.begin(), g->members.end());
  }
  return out;
}

}  // namespace steward

#include "core/devices/device_store.hpp"

#include "core/util/clock.hpp"
#include "core/util/digest.hpp"
#include "core/util/ids.hpp"

namespace steward {

using nlohmann::json;

namespace {

constexpr const char* kColumns =
    "id, name, hostname, platform, architecture, os_version, agent_version, status, capabilities_json, tools_json, "
    "metadata_json, health_json, health_ms, paired_ms, last_seen_ms, updated_ms, token_hash";

// Stored JSON is written only by this file; a damaged value reads as the empty default
// rather than failing every listing.
json parse_or(const std::string& text, json fallback) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

Device from_row(const store::Row& r) {
  Device d;
  d.id = r.text(0);
  d.name = r.text(1);
  d.hostname = r.text(2);
  d.platform = r.text(3);
  d.architecture = r.text(4);
  d.os_version = r.text(5);
  d.agent_version = r.text(6);
  d.status = r.text(7);
  d.capabilities = parse_or(r.text(8), json::array());
  d.tools = parse_or(r.text(9), json::array());
  d.metadata = parse_or(r.text(10), json::object());
  if (auto h = r.optional_text(11)) d.health = parse_or(*h, nullptr);
  d.health_ms = r.optional_integer(12);
  d.paired_ms = r.integer(13);
  d.last_seen_ms = r.optional_integer(14);
  d.updated_ms = r.integer(15);
  return d;
}

std::string select_sql(const std::string& where) { return std::string("SELECT ") + kColumns + " FROM devices " + where; }

}  // namespace

std::string DeviceStore::new_token() { return "dvt_" + random_base32(32); }

void DeviceStore::insert(const Device& d, const std::string& token) {
  db_.execute(
      "INSERT INTO devices(id, name, hostname, platform, architecture, os_version, agent_version, status, token_hash, "
      "capabilities_json, tools_json, metadata_json, health_json, health_ms, paired_ms, last_seen_ms, updated_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)",
      {d.id, d.name, d.hostname, d.platform, d.architecture, d.os_version, d.agent_version, d.status, sha256_hex(token),
       d.capabilities.dump(), d.tools.dump(), d.metadata.dump(), d.paired_ms,
       d.last_seen_ms ? store::Value(*d.last_seen_ms) : store::Value(nullptr), d.updated_ms});
}

std::optional<Device> DeviceStore::get(const std::string& id) {
  auto row = db_.query_one(select_sql("WHERE id = ?"), {id});
  if (!row) return std::nullopt;
  return from_row(*row);
}

std::vector<Device> DeviceStore::list(const std::string& status, int limit, int offset) {
  std::vector<store::Row> rows =
      status.empty()
          ? db_.query(select_sql("ORDER BY name, id LIMIT ? OFFSET ?"), {std::int64_t{limit}, std::int64_t{offset}})
          : db_.query(select_sql("WHERE status = ? ORDER BY name, id LIMIT ? OFFSET ?"),
                      {status, std::int64_t{limit}, std::int64_t{offset}});
  std::vector<Device> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(from_row(r));
  return out;
}

std::int64_t DeviceStore::count(const std::string& status) {
  auto row = status.empty() ? db_.query_one("SELECT COUNT(*) FROM devices")
                            : db_.query_one("SELECT COUNT(*) FROM devices WHERE status = ?", {status});
  return row ? row->integer(0) : 0;
}

std::optional<Device> DeviceStore::find_by_token(const std::string& token) {
  const std::string hash = sha256_hex(token);
  auto row = db_.query_one(select_sql("WHERE token_hash = ? AND status != ?"), {hash, std::string(device_status::kRevoked)});
  // The index found the row by hash; compare again in constant time all the same.
  if (!row || !constant_time_equal(row->text(16), hash)) return std::nullopt;
  return from_row(*row);
}

bool DeviceStore::set_status(const std::string& id, const std::string& status) {
  return db_.execute("UPDATE devices SET status = ?, updated_ms = ? WHERE id = ?", {status, now_ms(), id}) == 1;
}

bool DeviceStore::revoke_token(const std::string& id) {
  return db_.execute("UPDATE devices SET token_hash = NULL, status = ?, updated_ms = ? WHERE id = ?",
                     {std::string(device_status::kRevoked), now_ms(), id}) == 1;
}

void DeviceStore::record_hello(const std::string& id, const DeviceHello& hello, std::int64_t at_ms) {
  db_.execute(
      "UPDATE devices SET platform = ?, architecture = ?, os_version = ?, agent_version = ?, hostname = ?, "
      "capabilities_json = ?, tools_json = ?, last_seen_ms = ?, updated_ms = ? WHERE id = ?",
      {hello.platform, hello.architecture, hello.os_version, hello.agent_version, hello.hostname,
       hello.capabilities.dump(), hello.tools.dump(), at_ms, at_ms, id});
}

void DeviceStore::record_health(const std::string& id, const json& health, std::int64_t at_ms) {
  const std::string text = health.dump();
  db_.transaction([&] {
    if (db_.execute("UPDATE devices SET health_json = ?, health_ms = ?, last_seen_ms = ? WHERE id = ?",
                    {text, at_ms, at_ms, id}) == 0)
      return;  // deleted meanwhile: no orphan sample
    // Two messages in one millisecond: the later one wins the slot.
    db_.execute("INSERT INTO device_health_samples (device_id, at_ms, health_json) VALUES (?, ?, ?) "
                "ON CONFLICT (device_id, at_ms) DO UPDATE SET health_json = excluded.health_json",
                {id, at_ms, text});
    db_.execute("DELETE FROM device_health_samples WHERE device_id = ? AND at_ms < ?",
                {id, at_ms - kHealthHistoryMs});
  });
}

std::map<std::string, std::vector<json>> DeviceStore::health_histories(const std::vector<std::string>& ids,
                                                                       std::int64_t since_ms) {
  std::map<std::string, std::vector<json>> out;
  if (ids.empty()) return out;
  store::Params params;
  std::string marks;
  for (const auto& id : ids) {
    out[id];
    params.emplace_back(id);
    marks += marks.empty() ? "?" : ", ?";
  }
  params.emplace_back(since_ms);
  for (const auto& row : db_.query("SELECT device_id, at_ms, health_json FROM device_health_samples WHERE device_id IN (" +
                                       marks + ") AND at_ms >= ? ORDER BY device_id, at_ms",
                                   params)) {
    json h = health_json(json::parse(row.text(2), nullptr, false), row.integer(1));
    if (!h.is_null()) out[row.text(0)].push_back(std::move(h));
  }
  return out;
}

void DeviceStore::touch(const std::string& id, std::int64_t at_ms) {
  db_.execute("UPDATE devices SET last_seen_ms = ? WHERE id = ?", {at_ms, id});
}

bool DeviceStore::update(const std::string& id, const std::optional<std::string>& name,
                         const std::optional<json>& metadata) {
  return db_.transaction([&] {
    if (!get(id)) return false;
    const std::int64_t now = now_ms();
    if (name) db_.execute("UPDATE devices SET name = ?, updated_ms = ? WHERE id = ?", {*name, now, id});
    if (metadata) db_.execute("UPDATE devices SET metadata_json = ?, updated_ms = ? WHERE id = ?", {metadata->dump(), now, id});
    return true;
  });
}

// Group memberships, routing preferences, executions and transfers go with it (ON DELETE
// CASCADE; the store enables foreign keys).
bool DeviceStore::remove(const std::string& id) { return db_.execute("DELETE FROM devices WHERE id = ?", {id}) == 1; }

}  // namespace steward

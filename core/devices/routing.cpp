#include "core/devices/routing.hpp"

#include <algorithm>

#include "core/util/clock.hpp"

namespace steward {

using nlohmann::json;

namespace {

std::string label(const Device& d) { return "device " + d.id + " (" + d.name + ")"; }

}  // namespace

json to_json(const RoutingPreference& p) {
  return {{"tool", p.tool},
          {"device_id", p.device_id},
          {"fallback", p.fallback},
          {"updated_at", iso8601(p.updated_ms)},
          {"updated_by", p.updated_by}};
}

json to_json(const RoutingDecision& d) {
  json j = {{"target", d.target.empty() ? json(nullptr) : json(d.target)},
            {"device_id", nullptr},
            {"reason", d.reason},
            {"considered", d.considered}};
  if (d.target.rfind("device:", 0) == 0) j["device_id"] = d.target.substr(7);
  return j;
}

std::vector<RoutingPreference> Routing::preferences() {
  std::vector<RoutingPreference> out;
  for (const auto& r : db_.query("SELECT tool, device_id, fallback, updated_ms, updated_by FROM routing_preferences ORDER BY tool"))
    out.push_back(RoutingPreference{r.text(0), r.text(1), r.text(2), r.integer(3), r.text(4)});
  return out;
}

std::optional<RoutingPreference> Routing::preference(const std::string& tool) {
  auto r = db_.query_one("SELECT tool, device_id, fallback, updated_ms, updated_by FROM routing_preferences WHERE tool = ?", {tool});
  if (!r) return std::nullopt;
  return RoutingPreference{r->text(0), r->text(1), r->text(2), r->integer(3), r->text(4)};
}

void Routing::set_preference(const RoutingPreference& p) {
  db_.execute(
      "INSERT INTO routing_preferences(tool, device_id, fallback, updated_ms, updated_by) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT(tool) DO UPDATE SET device_id = excluded.device_id, fallback = excluded.fallback, "
      "updated_ms = excluded.updated_ms, updated_by = excluded.updated_by",
      {p.tool, p.device_id, p.fallback, p.updated_ms, p.updated_by});
}

bool Routing::clear_preference(const std::string& tool) {
  return db_.execute("DELETE FROM routing_preferences WHERE tool = ?", {tool}) == 1;
}

// The order (docs/decisions.md): the preferred device; then by its fallback — "local":
// the daemon; "any": another approved, online device with the tool, then the daemon;
// "none": nothing. Without a preference: the daemon, then any device.
RoutingDecision Routing::decide(const std::string& tool) {
  RoutingDecision out;
  auto pref = preference(tool);
  std::string fallback = pref ? pref->fallback : "";

  // Why a device cannot take the call, or "" when it can.
  auto why_not = [&](const Device& d) -> std::string {
    if (d.status != device_status::kApproved) return "its status is " + d.status + ", not approved";
    if (!presence_.online(d.id)) return "it is offline";
    if (!lists_tool(d, tool)) return "it does not have the tool";
    return "";
  };

  if (pref) {
    auto d = devices_.get(pref->device_id);
    std::string why = d ? why_not(*d) : "it no longer exists";
    if (why.empty()) {
      out.target = "device:" + d->id;
      out.reason = "the preferred " + label(*d) + " is approved, online and has '" + tool + "'";
      out.considered.push_back("preferred " + label(*d) + ": taken");
      return out;
    }
    out.considered.push_back("preferred device " + pref->device_id + (d ? " (" + d->name + ")" : "") + ": skipped, " + why);
  } else {
    out.considered.push_back("no routing preference for '" + tool + "'");
  }

  auto try_local = [&]() {
    if (local_.tool(tool)) {
      out.target = "local";
      out.reason = pref ? "the preferred device cannot take it; fallback: the daemon itself has '" + tool + "'"
                        : "no preference; the daemon itself has '" + tool + "'";
      out.considered.push_back("the daemon itself: taken");
      return true;
    }
    out.considered.push_back("the daemon itself: skipped, it has no tool '" + tool + "'");
    return false;
  };
  auto try_any = [&]() {
    // Approved devices in the store's order (name, id): the choice is stable between calls.
    std::vector<std::string> online = presence_.online_ids();
    for (const auto& d : devices_.list(device_status::kApproved, 100000, 0)) {
      if (pref && d.id == pref->device_id) continue;
      if (std::find(online.begin(), online.end(), d.id) == online.end()) continue;  // not worth a line each
      std::string why = why_not(d);
      if (why.empty()) {
        out.target = "device:" + d.id;
        out.reason = (pref ? std::string("the preferred device cannot take it; fallback any: ") : std::string("no preference and no local tool; ")) +
                     label(d) + " is approved, online and has '" + tool + "'";
        out.considered.push_back("any device: " + label(d) + " taken");
        return true;
      }
      out.considered.push_back("any device: " + label(d) + " skipped, " + why);
    }
    out.considered.push_back("any device: no other approved, online device has '" + tool + "'");
    return false;
  };

  if (fallback == "none") {
    out.considered.push_back("fallback none: nothing else is tried");
  } else if (fallback == "any") {
    if (try_any() || try_local()) return out;
  } else if (fallback == "local") {
    if (try_local()) return out;
  } else {
    if (try_local() || try_any()) return out;
  }
  out.reason = "nowhere can run '" + tool + "': " + (out.considered.empty() ? std::string() : out.considered.back());
  return out;
}

}  // namespace steward

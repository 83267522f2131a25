// `steward keys create|list|revoke`: works beside a running daemon on the same store
// (SQLite WAL + busy timeout, or the same PostgreSQL database); the daemon sees changes on
// the next request.
#include <iostream>

#include "app/commands.hpp"
#include "core/automations/automation_store.hpp"
#include "core/keys/key_store.hpp"
#include "core/store/database.hpp"
#include "core/util/clock.hpp"

namespace steward::app {

namespace {
// "3600", "90s", "90m", "12h", "30d" -> seconds.
std::optional<std::int64_t> parse_duration_s(const std::string& text) {
  try {
    size_t used = 0;
    std::int64_t n = std::stoll(text, &used);
    std::string unit = text.substr(used);
    std::int64_t mult = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
    if (mult == 0 || n <= 0) return std::nullopt;
    return n * mult;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string option(const CommandLine& cmd, const std::string& name) {
  auto it = cmd.options.find(name);
  return it == cmd.options.end() ? "" : it->second;
}
}  // namespace

static int keys_action(const CommandLine& cmd);

// A store that cannot be opened (bad URL, server down, no such database) is a setting
// error: exit 2 with the reason, the URL's password masked.
int run_keys(const CommandLine& cmd) {
  try {
    return keys_action(cmd);
  } catch (const store::OpenError& e) {
    std::cerr << "steward keys: " << e.what() << "\n";
    return 2;
  }
}

static int keys_action(const CommandLine& cmd) {
  if (cmd.args.empty()) {
    std::cerr << "steward keys: expected create, list or revoke\n";
    return 2;
  }
  Settings s = settings_for(cmd);
  const std::string& action = cmd.args[0];
  if (action == "create") {
    auto role = parse_role(option(cmd, "role"));
    std::string name = option(cmd, "name");
    if (!role) {
      std::cerr << "steward keys create: --role must be admin, full-access, single-task or view-only\n";
      return 2;
    }
    std::string automation = option(cmd, "automation");
    if (*role == Role::SingleTask && automation.empty()) {
      std::cerr << "steward keys create: a single-task key needs --automation ID (the one automation it may run)\n";
      return 2;
    }
    if (*role != Role::SingleTask && !automation.empty()) {
      std::cerr << "steward keys create: --automation is only for --role single-task\n";
      return 2;
    }
    if (name.empty()) {
      std::cerr << "steward keys create: --name is required (who holds the key)\n";
      return 2;
    }
    std::optional<std::int64_t> expires_ms;
    if (auto text = option(cmd, "expires_in"); !text.empty()) {
      auto seconds = parse_duration_s(text);
      if (!seconds) {
        std::cerr << "steward keys create: --expires-in takes a duration like 3600, 90m, 12h or 30d\n";
        return 2;
      }
      expires_ms = now_ms() + *seconds * 1000;
    }
    store::Database db(s.data_dir, s.database);
    if (!automation.empty() && !AutomationStore(db).get(automation)) {
      std::cerr << "steward keys create: no automation " << automation << "\n";
      return 1;
    }
    auto key = KeyStore(db).create(name, *role, automation.empty() ? std::nullopt : std::optional(automation), expires_ms);
    std::cout << "Created " << key.id << " (" << role_name(*role) << ") for " << name << ". The key, shown only now:\n"
              << key.secret << std::endl;
    return 0;
  }
  if (action == "list") {
    store::Database db(s.data_dir, s.database);
    for (const auto& k : KeyStore(db).list())
      std::cout << k.id << "  " << k.role << "  " << k.name << (k.automation_id ? "  automation=" + *k.automation_id : "")
                << (k.revoked_ms ? "  (revoked)" : "") << "\n";
    return 0;
  }
  if (action == "revoke") {
    if (cmd.args.size() != 2) {
      std::cerr << "steward keys revoke: expected KEY_ID\n";
      return 2;
    }
    store::Database db(s.data_dir, s.database);
    if (!KeyStore(db).revoke(cmd.args[1])) {
      std::cerr << "steward keys revoke: no active key " << cmd.args[1] << "\n";
      return 1;
    }
    std::cout << "Revoked " << cmd.args[1] << "\n";
    return 0;
  }
  std::cerr << "steward keys: unknown action '" << action << "'\n";
  return 2;
}

}  // namespace steward::app

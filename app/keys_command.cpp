// `steward keys create|list|revoke`: works beside a running daemon on the same data
// directory (SQLite WAL + busy timeout); the daemon sees changes on the next request.
#include <iostream>

#include "app/commands.hpp"
#include "core/keys/key_store.hpp"

namespace steward::app {

namespace {
std::string option(const CommandLine& cmd, const std::string& name) {
  auto it = cmd.options.find(name);
  return it == cmd.options.end() ? "" : it->second;
}
}  // namespace

int run_keys(const CommandLine& cmd) {
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
      std::cerr << "steward keys create: --role must be admin, full-access or view-only\n";
      return 2;
    }
    if (*role == Role::SingleTask) {
      std::cerr << "steward keys create: single-task keys are not available yet (they need per-automation scoping)\n";
      return 2;
    }
    if (name.empty()) {
      std::cerr << "steward keys create: --name is required (who holds the key)\n";
      return 2;
    }
    store::Database db(s.data_dir);
    auto key = KeyStore(db).create(name, *role);
    std::cout << "Created " << key.id << " (" << role_name(*role) << ") for " << name << ". The key, shown only now:\n"
              << key.secret << std::endl;
    return 0;
  }
  if (action == "list") {
    store::Database db(s.data_dir);
    for (const auto& k : KeyStore(db).list())
      std::cout << k.id << "  " << k.role << "  " << k.name << (k.revoked_ms ? "  (revoked)" : "") << "\n";
    return 0;
  }
  if (action == "revoke") {
    if (cmd.args.size() != 2) {
      std::cerr << "steward keys revoke: expected KEY_ID\n";
      return 2;
    }
    store::Database db(s.data_dir);
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

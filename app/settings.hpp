// Daemon settings from four layers, later ones winning: built-in defaults < config file
// (INI or JSON) < environment (STEWARD_<KEY>) < command-line option (--key-with-dashes).
// One table defines every setting, so --help and docs/operations.md list the same keys.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace steward::app {

struct SettingDef {
  std::string key;          // config-file key; env STEWARD_<KEY>; option --<key with dashes>
  std::string default_value;
  std::string description;
};

const std::vector<SettingDef>& setting_defs();

struct Settings {
  std::string data_dir;
  std::string database;  // empty: SQLite in data_dir; else a postgresql:// URL (may hold a password)
  std::string bind;
  int port;
  int device_port;
  bool device_auto_approve;  // a newly paired device starts approved instead of pending
  std::vector<std::string> plugin_dirs;  // extra directories, after the default one
  std::string plugin_config;             // JSON file: {"<plugin name>": {config}}; empty: none
  std::string template_dir;              // empty: <prefix>/share/steward/templates
  std::string dashboard_dir;             // empty: <prefix>/share/steward/dashboard
  int workers;
  std::int64_t output_cap_bytes;
  std::int64_t stream_window_bytes;
  std::int64_t max_body_bytes;
  int http_threads;
  int shutdown_grace_s;
  std::int64_t default_timeout_s;
  int max_wait_s;
  int cluster_lease_s;  // PostgreSQL: a daemon silent this long is dead
  int pairing_claims_per_minute;
  int pairing_claims_global_per_minute;
  int device_ping_interval_s;
  int device_health_interval_s;
  int device_max_connections;
  std::string log_level;
  std::string log_format;  // text | json
  bool metrics_public;     // GET /metrics without a key
};

// Thrown for a bad value or an unreadable config file; the message names the key and source.
struct SettingsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `config_file` may be empty. `environment` is the process environment (name -> value).
Settings resolve_settings(const std::string& config_file, const std::map<std::string, std::string>& environment,
                          const std::map<std::string, std::string>& options);

std::map<std::string, std::string> current_environment();
std::string env_name(const std::string& key);     // "data_dir" -> "STEWARD_DATA_DIR"
std::string option_name(const std::string& key);  // "data_dir" -> "data-dir"

}  // namespace steward::app

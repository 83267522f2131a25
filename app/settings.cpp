#include "app/settings.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <Poco/Util/JSONConfiguration.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "core/store/database_url.hpp"

extern char** environ;

namespace steward::app {

const std::vector<SettingDef>& setting_defs() {
  static const std::vector<SettingDef> defs = {
      {"data_dir", "./data", "Directory of the SQLite store (steward.db) and the daemon's lock file"},
      {"database", "",
       "Empty: SQLite (steward.db) in data_dir. postgresql://USER[:PASSWORD]@HOST:PORT/DBNAME: every store in that "
       "existing PostgreSQL database (printed with the password masked)"},
      {"bind", "127.0.0.1", "Address the REST API listens on"},
      {"port", "18780", "REST API port (0 picks a free one and prints it)"},
      {"device_port", "18781", "Device WebSocket port (used by the device hub)"},
      {"device_auto_approve", "false",
       "true: a device that claims a pairing code starts approved; false: it waits as pending until an admin approves it"},
      {"plugin_dir", "", "Extra plugin directories, ':'-separated, loaded after <prefix>/lib/steward/plugins"},
      {"plugin_config", "",
       "JSON file of per-plugin settings, {\"<plugin name>\": {...}} (e.g. the filesystem tool's allowed_roots); "
       "each plugin gets its own object, or {}"},
      {"template_dir", "", "Template library directory (default: <prefix>/share/steward/templates next to the binary)"},
      {"dashboard_dir", "",
       "Web dashboard files served at / (default: <prefix>/share/steward/dashboard next to the binary)"},
      {"workers", "16", "Runs executing at once; further runs wait as 'queued'"},
      {"output_cap_bytes", "1048576", "Output kept per run; the rest is dropped after a truncation marker"},
      {"stream_window_bytes", "4194304",
       "Live output kept per running run for stream readers; a reader further behind is dropped with a last event"},
      {"max_body_bytes", "1048576", "Largest accepted request body (413 beyond)"},
      {"http_threads", "256", "HTTP threads: one per open connection, so also the limit of waiting (?wait=1) requests"},
      {"shutdown_grace_s", "10", "On SIGTERM, how long running runs may finish before they are stopped"},
      {"default_timeout_s", "3600", "Run timeout for automations that do not set one"},
      {"pairing_claims_per_minute", "5", "Pairing-code claims one client address may try per minute"},
      {"pairing_claims_global_per_minute", "30",
       "Pairing-code claims all clients together may try per minute (with 6-digit codes valid 5 minutes, "
       "30/min leaves a guesser 150 tries at one code: 0.015 %)"},
      {"device_ping_interval_s", "20",
       "Seconds of silence from an agent before the hub pings it; 3x this and the device is offline"},
      {"device_health_interval_s", "30", "How often agents send health (told to them at connect)"},
      {"device_max_connections", "2048", "Most agents connected at once (each holds one small-stack thread)"},
      {"cluster_lease_s", "10",
       "PostgreSQL store: a daemon that has not renewed its lease for this long is dead; another daemon then "
       "settles its runs (interrupted, or queued again) and its devices. It renews every fifth of this"},
      {"max_wait_s", "300", "Longest a ?wait=1 request is held; then it answers with the run's live state"},
      {"log_level", "info", "debug, info, warning or error"},
      {"log_format", "text",
       "text: one readable line per event; json: one JSON object per line with ts, level, component, message and "
       "request_id (on lines written while handling an HTTP request)"},
      {"metrics_public", "false",
       "true: GET /metrics answers without an API key (bind to a private address then); false: it needs a key with "
       "the history permission (any admin, full-access or view-only key)"},
  };
  return defs;
}

std::string env_name(const std::string& key) {
  std::string out = "STEWARD_" + key;
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::string option_name(const std::string& key) {
  std::string out = key;
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

namespace {

struct Layered {
  std::map<std::string, std::pair<std::string, std::string>> values;  // key -> (value, source)
};

std::int64_t to_int(const Layered& l, const std::string& key, std::int64_t min, std::int64_t max) {
  const auto& [text, source] = l.values.at(key);
  try {
    size_t used = 0;
    std::int64_t v = std::stoll(text, &used);
    if (used != text.size()) throw std::invalid_argument("trailing characters");
    if (v < min || v > max) throw std::out_of_range("range");
    return v;
  } catch (const std::exception&) {
    throw SettingsError(key + " = '" + text + "' (from " + source + ") must be an integer from " +
                        std::to_string(min) + " to " + std::to_string(max));
  }
}

bool to_bool(const Layered& l, const std::string& key) {
  const auto& [text, source] = l.values.at(key);
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  throw SettingsError(key + " = '" + text + "' (from " + source + ") must be true or false");
}

std::vector<std::string> split_dirs(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ':'))
    if (!part.empty()) out.push_back(part);
  return out;
}

void read_file(Layered& l, const std::string& file) {
  if (!std::filesystem::exists(file)) throw SettingsError("config file " + file + " does not exist");
  Poco::AutoPtr<Poco::Util::AbstractConfiguration> cfg;
  try {
    if (std::filesystem::path(file).extension() == ".json")
      cfg = new Poco::Util::JSONConfiguration(file);
    else
      cfg = new Poco::Util::IniFileConfiguration(file);
  } catch (const std::exception& e) {
    throw SettingsError("config file " + file + " cannot be read: " + e.what());
  }
  Poco::Util::AbstractConfiguration::Keys keys;
  cfg->keys(keys);
  for (const auto& key : keys) {
    bool known = std::any_of(setting_defs().begin(), setting_defs().end(), [&](const auto& d) { return d.key == key; });
    if (!known) throw SettingsError("config file " + file + ": unknown key '" + key + "'");
    l.values[key] = {cfg->getString(key), "config file " + file};
  }
}

}  // namespace

Settings resolve_settings(const std::string& config_file, const std::map<std::string, std::string>& environment,
                          const std::map<std::string, std::string>& options) {
  Layered l;
  for (const auto& d : setting_defs()) l.values[d.key] = {d.default_value, "default"};
  if (!config_file.empty()) read_file(l, config_file);
  for (const auto& d : setting_defs())
    if (auto it = environment.find(env_name(d.key)); it != environment.end())
      l.values[d.key] = {it->second, "environment " + env_name(d.key)};
  for (const auto& d : setting_defs())
    if (auto it = options.find(d.key); it != options.end()) l.values[d.key] = {it->second, "option --" + option_name(d.key)};

  Settings s;
  s.data_dir = l.values["data_dir"].first;
  if (s.data_dir.empty()) throw SettingsError("data_dir must not be empty");
  s.database = l.values["database"].first;
  if (!s.database.empty() && !store::is_postgres_url(s.database))
    throw SettingsError("database = '" + store::masked(s.database) + "' (from " + l.values["database"].second +
                        ") must be empty (SQLite in data_dir) or a postgresql:// URL");
  s.bind = l.values["bind"].first;
  s.port = static_cast<int>(to_int(l, "port", 0, 65535));
  s.device_port = static_cast<int>(to_int(l, "device_port", 0, 65535));
  s.device_auto_approve = to_bool(l, "device_auto_approve");
  s.plugin_dirs = split_dirs(l.values["plugin_dir"].first);
  s.plugin_config = l.values["plugin_config"].first;
  s.template_dir = l.values["template_dir"].first;
  s.dashboard_dir = l.values["dashboard_dir"].first;
  s.workers = static_cast<int>(to_int(l, "workers", 1, 1024));
  s.output_cap_bytes = to_int(l, "output_cap_bytes", 1024, std::int64_t{1} << 32);
  s.stream_window_bytes = to_int(l, "stream_window_bytes", 4096, std::int64_t{1} << 30);
  s.max_body_bytes = to_int(l, "max_body_bytes", 1024, std::int64_t{1} << 30);
  s.http_threads = static_cast<int>(to_int(l, "http_threads", 4, 4096));
  s.shutdown_grace_s = static_cast<int>(to_int(l, "shutdown_grace_s", 0, 3600));
  s.default_timeout_s = to_int(l, "default_timeout_s", 1, 604800);
  s.max_wait_s = static_cast<int>(to_int(l, "max_wait_s", 1, 86400));
  s.cluster_lease_s = static_cast<int>(to_int(l, "cluster_lease_s", 2, 3600));
  s.pairing_claims_per_minute = static_cast<int>(to_int(l, "pairing_claims_per_minute", 1, 100000));
  s.pairing_claims_global_per_minute = static_cast<int>(to_int(l, "pairing_claims_global_per_minute", 1, 100000));
  s.device_ping_interval_s = static_cast<int>(to_int(l, "device_ping_interval_s", 1, 3600));
  s.device_health_interval_s = static_cast<int>(to_int(l, "device_health_interval_s", 1, 86400));
  s.device_max_connections = static_cast<int>(to_int(l, "device_max_connections", 16, 100000));
  s.log_level = l.values["log_level"].first;
  if (s.log_level != "debug" && s.log_level != "info" && s.log_level != "warning" && s.log_level != "error")
    throw SettingsError("log_level = '" + s.log_level + "' (from " + l.values["log_level"].second +
                        ") must be debug, info, warning or error");
  s.log_format = l.values["log_format"].first;
  if (s.log_format != "text" && s.log_format != "json")
    throw SettingsError("log_format = '" + s.log_format + "' (from " + l.values["log_format"].second +
                        ") must be text or json");
  s.metrics_public = to_bool(l, "metrics_public");
  return s;
}

}  // namespace steward::app

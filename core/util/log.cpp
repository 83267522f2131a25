#include "core/util/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace steward {

namespace {
std::atomic<int> g_minimum{static_cast<int>(LogLevel::Info)};
std::atomic<int> g_format{static_cast<int>(LogFormat::Text)};
std::mutex g_mutex;
thread_local std::string t_request_id;

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "DEBUG";
    case LogLevel::Info: return "INFO";
    case LogLevel::Warning: return "WARN";
    case LogLevel::Error: return "ERROR";
  }
  return "INFO";
}

// JSON uses the same words as the log_level setting.
const char* json_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
  }
  return "info";
}
}  // namespace

void set_log_level(LogLevel minimum) { g_minimum = static_cast<int>(minimum); }
bool log_enabled(LogLevel level) { return static_cast<int>(level) >= g_minimum; }
void set_log_format(LogFormat format) { g_format = static_cast<int>(format); }

LogRequestScope::LogRequestScope(std::string request_id) : previous_(std::move(t_request_id)) {
  t_request_id = std::move(request_id);
}
LogRequestScope::~LogRequestScope() { t_request_id = std::move(previous_); }

const std::string& log_request_id() { return t_request_id; }

std::string format_log_line(LogFormat format, std::string_view timestamp, LogLevel level, std::string_view component,
                            std::string_view message, std::string_view request_id) {
  if (format == LogFormat::Text)
    return std::string(timestamp) + " " + level_name(level) + " [" + std::string(component) + "] " + std::string(message);
  nlohmann::ordered_json line = {{"ts", timestamp}, {"level", json_level_name(level)}, {"component", component},
                                 {"message", message}};
  if (!request_id.empty()) line["request_id"] = request_id;
  // A message is not guaranteed UTF-8 (a tool's error text): replace bad bytes, never throw.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void log(LogLevel level, std::string_view component, std::string_view message) {
  if (static_cast<int>(level) < g_minimum) return;
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  std::string line =
      format_log_line(static_cast<LogFormat>(g_format.load()), stamp, level, component, message, t_request_id) + "\n";
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace steward

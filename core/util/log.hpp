// The daemon's log: one line per event on stderr. Text (default):
//   "2026-11-23T09:00:00.123Z LEVEL [component] message"
// JSON (--log-format json), one object per line:
//   {"ts":"2026-11-23T09:00:00.123Z","level":"info","component":"api","message":"…","request_id":"…"}
// "request_id" is present on lines written while the HTTP edge handles a request.
#pragma once

#include <string>
#include <string_view>

namespace steward {

enum class LogLevel { Debug = 1, Info = 2, Warning = 3, Error = 4 };
enum class LogFormat { Text, Json };

void log(LogLevel level, std::string_view component, std::string_view message);
void set_log_level(LogLevel minimum);
// True when a line at `level` would be written (skip building a costly message otherwise).
bool log_enabled(LogLevel level);
void set_log_format(LogFormat format);

// Attaches a request id to this thread's log lines for the scope's life (the HTTP edge
// sets it around each request; Poco serves a connection on one thread).
class LogRequestScope {
 public:
  explicit LogRequestScope(std::string request_id);
  ~LogRequestScope();
  LogRequestScope(const LogRequestScope&) = delete;
  LogRequestScope& operator=(const LogRequestScope&) = delete;

 private:
  std::string previous_;
};

// The request id of this thread's current request, or "" outside one.
const std::string& log_request_id();

// One log line as written, without the trailing newline (exposed for tests).
std::string format_log_line(LogFormat format, std::string_view timestamp, LogLevel level, std::string_view component,
                            std::string_view message, std::string_view request_id);

}  // namespace steward

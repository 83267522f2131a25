// The daemon's log: one line per event on stderr, "2026-11-23T09:00:00.123Z LEVEL [component] message".
#pragma once

#include <string_view>

namespace steward {

enum class LogLevel { Debug = 1, Info = 2, Warning = 3, Error = 4 };

void log(LogLevel level, std::string_view component, std::string_view message);
void set_log_level(LogLevel minimum);

}  // namespace steward

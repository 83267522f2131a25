// `steward cron next EXPR [--tz ZONE] [--from ISO8601] [-n N]`: the next N fire instants of
// a cron expression, one ISO 8601 UTC instant per line and nothing else on stdout.
#include <chrono>
#include <iostream>

#include "app/commands.hpp"
#include "core/scheduling/cron_expression.hpp"

namespace steward::app {

namespace {

constexpr int kDefaultCount = 5;
constexpr int kMaxCount = 1000;

int usage_error(const std::string& message) {
  std::cerr << "steward cron: " << message << "\n";
  return 2;
}

std::string option_or(const CommandLine& cmd, const std::string& key, const std::string& fallback) {
  auto it = cmd.options.find(key);
  return it == cmd.options.end() ? fallback : it->second;
}

}  // namespace

int run_cron(const CommandLine& cmd) {
  if (cmd.args.empty() || cmd.args[0] != "next")
    return usage_error("expected 'next EXPR [--tz ZONE] [--from ISO8601] [-n N]'");
  if (cmd.args.size() < 2) return usage_error("expected a cron expression after 'next', e.g. '30 2 * * *'");
  // The expression is normally one quoted argument; unquoted fields are joined back.
  std::string text = cmd.args[1];
  for (std::size_t i = 2; i < cmd.args.size(); ++i) text += " " + cmd.args[i];

  auto parsed = cron::Expression::parse(text);
  if (auto* e = std::get_if<cron::Error>(&parsed)) return usage_error(e->message);
  auto zone = cron::TimeZone::find(option_or(cmd, "tz", "UTC"));
  if (auto* e = std::get_if<cron::Error>(&zone)) return usage_error(e->message);

  auto from = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (auto it = cmd.options.find("from"); it != cmd.options.end()) {
    auto t = cron::parse_instant(it->second);
    if (!t)
      return usage_error("--from '" + it->second +
                         "' is not an ISO 8601 instant such as 2027-03-28T00:00:00Z or 2027-03-28T00:00:00+02:00");
    from = *t;
  }

  int count = kDefaultCount;
  if (auto it = cmd.options.find("count"); it != cmd.options.end()) {
    const std::string& n = it->second;
    bool digits = !n.empty() && n.size() <= 6 && n.find_first_not_of("0123456789") == std::string::npos;
    count = digits ? std::stoi(n) : 0;
    if (count < 1 || count > kMaxCount)
      return usage_error("-n '" + n + "' must be a whole number from 1 to " + std::to_string(kMaxCount));
  }

  const auto& expr = std::get<cron::Expression>(parsed);
  const auto& tz = std::get<cron::TimeZone>(zone);
  std::string out;
  for (int i = 0; i < count; ++i) {
    auto next = expr.next_after(from, tz);
    if (!next) break;
    out += cron::format_utc(*next) + "\n";
    from = *next;
  }
  std::cout << out << std::flush;
  return 0;
}

}  // namespace steward::app

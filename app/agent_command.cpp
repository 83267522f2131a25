// `steward agent pair` and `steward agent run`: the device agent (docs/device-protocol.md).
// pair claims a pairing code and writes the agent config (0600); run loads the same
// plugins the daemon would and serves the hub over one WebSocket until SIGTERM/SIGINT.
// Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 token rejected (pair again).
#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <signal.h>

#include <atomic>
#include <ctime>
#include <iostream>
#include <regex>
#include <thread>

#include "app/agent/agent_config.hpp"
#include "app/agent/agent_connection.hpp"
#include "app/agent/host_facts.hpp"
#include "app/agent/pair_client.hpp"
#include "app/commands.hpp"
#include "core/util/log.hpp"

namespace steward::app {

namespace {

using namespace steward::agent;

const char* kAgentUsage =
    "usage: steward agent pair --host HOST [--port 18780] --code CODE [--config FILE] [--name NAME]\n"
    "       steward agent run [--config FILE] [--plugin-dir DIR] [--plugin-config FILE]\n"
    "(--config is the agent's config file, default ~/.config/steward/agent.json)\n";

int usage(const std::string& why) {
  std::cerr << "steward agent: " << why << "\n" << kAgentUsage;
  return kExitUsage;
}

std::string option(const CommandLine& cmd, const std::string& key) {
  auto it = cmd.options.find(key);
  return it == cmd.options.end() ? "" : it->second;
}

std::string config_path(const CommandLine& cmd) {
  return cmd.config_file.empty() ? default_agent_config_path() : cmd.config_file;
}

// A hub bound to every address may answer ws://0.0.0.0:…: the agent then uses the host
// it paired with, which it knows reaches the daemon.
std::string reachable_ws_url(const std::string& ws_url, const std::string& pair_host) {
  try {
    Poco::URI uri(ws_url);
    const std::string host = uri.getHost();
    if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]") {
      uri.setHost(pair_host);
      return uri.toString();
    }
  } catch (const Poco::Exception&) {
    // kept as given: `agent run` reports a bad URL
  }
  return ws_url;
}

int agent_pair(const CommandLine& cmd) {
  if (cmd.args.size() != 1) return usage("pair takes no positional arguments");
  PairRequest req;
  req.host = option(cmd, "host");
  req.code = option(cmd, "code");
  req.name = option(cmd, "name");
  if (req.host.empty()) return usage("pair needs --host HOST (the daemon's address)");
  if (req.code.empty()) return usage("pair needs --code CODE (from POST /api/devices/pair)");
  if (!std::regex_match(req.code, std::regex("[0-9]{6}")))
    return usage("--code must be the 6-digit pairing code (got '" + req.code + "')");
  if (std::string port = option(cmd, "port"); !port.empty()) {
    if (!std::regex_match(port, std::regex("[0-9]{1,5}")) || std::stoi(port) < 1 || std::stoi(port) > 65535)
      return usage("--port must be the daemon's REST port, 1 to 65535 (got '" + port + "')");
    req.port = std::stoi(port);
  }
  std::string path;
  try {
    path = config_path(cmd);
  } catch (const AgentConfigError& e) {
    return usage(e.what());
  }
  req.facts = read_host_facts();

  PairAnswer answer;
  try {
    answer = claim_pairing(req);
  } catch (const PairError& e) {
    std::cerr << "steward agent pair: " << e.what() << "\n";
    return kExitFailure;
  }
  AgentConfig config;
  config.host = req.host;
  config.port = req.port;
  config.device_id = answer.device_id;
  config.token = answer.token;
  config.ws_url = reachable_ws_url(answer.ws_url, req.host);
  config.name = req.name.empty() ? req.facts.hostname : req.name;
  try {
    save_agent_config(config, path);
  } catch (const AgentConfigError& e) {
    std::cerr << "steward agent pair: paired as " << answer.device_id << " but " << e.what()
              << "; the code is used up: delete the device and pair again with a new code\n";
    return kExitFailure;
  }
  std::cout << "paired: device " << answer.device_id << ", status " << answer.status << "\n"
            << "config written to " << path << "\n";
  if (answer.status == "pending")
    std::cout << "an operator must approve the device before it receives commands\n";
  std::cout << "start the agent with: steward agent run" << (cmd.config_file.empty() ? "" : " --config " + path)
            << "\n";
  return kExitOk;
}

LogLevel log_level(const std::string& s) {
  if (s == "debug") return LogLevel::Debug;
  if (s == "warning") return LogLevel::Warning;
  if (s == "error") return LogLevel::Error;
  return LogLevel::Info;
}

int agent_run(const CommandLine& cmd) {
  if (cmd.args.size() != 1) return usage("run takes no positional arguments");
  AgentConfig config;
  std::string path;
  try {
    path = config_path(cmd);
    config = load_agent_config(path);
  } catch (const AgentConfigError& e) {
    std::cerr << "steward agent run: " << e.what() << "\n";
    return kExitUsage;
  }
  // --config is the agent's file, not a daemon config: settings come from the environment
  // and the options (--plugin-dir, --plugin-config, --log-level) only.
  CommandLine daemon_cmd = cmd;
  daemon_cmd.config_file.clear();
  Settings settings = settings_for(daemon_cmd);  // SettingsError: main answers exit 2
  set_log_level(log_level(settings.log_level));

  // Block the stop signals before any thread starts (threads inherit the mask) and take
  // them with sigtimedwait below; tool processes get a clean mask from their spawn attributes.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  PluginRegistry registry;
  load_plugins(registry, settings);
  AgentConnection connection(registry, config, read_host_facts());

  std::atomic<bool> finished{false};
  std::thread signals([&] {
    while (!finished) {
      timespec wait{0, 200 * 1000 * 1000};
      int sig = sigtimedwait(&stop_signals, nullptr, &wait);
      if (sig == SIGTERM || sig == SIGINT) {
        std::cerr << "steward agent: received " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", stopping\n";
        connection.stop();
        return;
      }
    }
  });
  std::cerr << "steward agent: device " << config.device_id << ", hub " << config.ws_url << "\n";
  int rc = connection.run();
  finished = true;
  signals.join();
  return rc;
}

}  // namespace

int run_agent(const CommandLine& cmd) {
  if (cmd.args.empty()) return usage("expected 'pair' or 'run'");
  if (cmd.args[0] == "pair") return agent_pair(cmd);
  if (cmd.args[0] == "run") return agent_run(cmd);
  return usage("unknown agent command '" + cmd.args[0] + "'");
}

}  // namespace steward::app

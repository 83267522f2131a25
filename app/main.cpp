// `steward`: one binary for the daemon and its command-line tools (DESIGN.md §6).
#include <Poco/Util/Application.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <algorithm>
#include <iostream>

#include "app/cli_spec.hpp"
#include "app/commands.hpp"
#include "app/config_reference_command.hpp"

namespace {

using Poco::Util::Option;

// The commands come from the command table (app/cli_spec.cpp), as does each command's own
// --help (with its options) and the completion script.
std::string usage_text() {
  return "Usage: steward COMMAND [OPTIONS]\n\nCommands:\n" + steward::app::commands_overview() +
         "\nSee 'steward COMMAND --help' for a command's usage and options, -h or --help anywhere.\n"
         "Settings come from defaults < --config FILE < STEWARD_* environment < options.\n";
}

class StewardApp : public Poco::Util::Application {
 public:
  StewardApp() { setUnixOptions(true); }

 protected:
  void defineOptions(Poco::Util::OptionSet& options) override {
    options.addOption(Option("help", "h", "show this help").required(false).repeatable(false));
    options.addOption(Option("config", "", "config file (INI, or JSON when it ends in .json)")
                          .required(false).repeatable(false).argument("FILE"));
    for (const auto& d : steward::app::setting_defs()) {
      options.addOption(Option(steward::app::option_name(d.key), "", d.description + " [" + d.default_value + "]")
                            .required(false).repeatable(d.key == "plugin_dir").argument("VALUE"));
    }
    options.addOption(Option("role", "", "keys create: admin, full-access, single-task or view-only").required(false).argument("ROLE"));
    options.addOption(Option("expires-in", "", "keys create: lifetime such as 3600, 90m, 12h, 30d").required(false).argument("DURATION"));
    options.addOption(Option("name", "", "keys create: who holds the key; agent pair: the device's name [hostname]")
                          .required(false).argument("NAME"));
    options.addOption(Option("host", "", "agent pair: the daemon's address").required(false).argument("HOST"));
    options.addOption(Option("code", "", "agent pair: the 6-digit pairing code").required(false).argument("CODE"));
    options.addOption(Option("automation", "", "keys create: the automation a single-task key is bound to")
                          .required(false).argument("ID"));
    options.addOption(Option("json", "", "plugins list, version: print JSON").required(false));
    options.addOption(Option("tz", "", "cron next: IANA time zone [UTC]").required(false).argument("ZONE"));
    options.addOption(Option("from", "", "cron next: start instant, ISO 8601 [now]").required(false).argument("TIME"));
    options.addOption(Option("url", "", "runs tail: the daemon's address [http://<bind>:<port>]").required(false).argument("URL"));
    options.addOption(Option("key", "", "runs tail: API key [$STEWARD_API_KEY]").required(false).argument("KEY"));
    options.addOption(Option("count", "n", "cron next: how many fire times [5]").required(false).argument("N"));
  }

  void handleOption(const std::string& name, const std::string& value) override {
    Application::handleOption(name, value);
    if (name == "help") {
      help_ = true;
      stopOptionsProcessing();
      return;
    }
    if (name == "config") {
      cmd_.config_file = value;
      return;
    }
    std::string key = name;
    std::replace(key.begin(), key.end(), '-', '_');
    // --plugin-dir may repeat: the directories add up.
    if (key == "plugin_dir" && cmd_.options.count(key)) {
      cmd_.options[key] += ":" + value;
    } else {
      cmd_.options[key] = name == "json" ? "1" : value;
    }
  }

  int main(const std::vector<std::string>& args) override {
    if (help_ && !args.empty()) return command_help(args);
    if (help_ || args.empty()) {
      (help_ ? std::cout : std::cerr) << usage_text();
      return help_ ? 0 : 2;
    }
    cmd_.args.assign(args.begin() + 1, args.end());
    try {
      const std::string& command = args[0];
      if (command == "serve") return steward::app::run_serve(cmd_);
      if (command == "keys") return steward::app::run_keys(cmd_);
      if (command == "plugins") return steward::app::run_plugins(cmd_);
      if (command == "cron") return steward::app::run_cron(cmd_);
      if (command == "runs") return steward::app::run_runs(cmd_);
      if (command == "agent") return steward::app::run_agent(cmd_);
      if (command == "version") return steward::app::run_version(cmd_);
      if (command == "completion") return steward::app::run_completion(cmd_);
      if (command == "config-reference") return steward::app::run_config_reference(cmd_);
      std::cerr << "steward: unknown command '" << command << "'; see steward --help\n";
      return 2;
    } catch (const steward::app::SettingsError& e) {
      std::cerr << "steward: " << e.what() << "\n";
      return 2;
    }
  }

 private:
  // `steward keys create --help`: that command's usage and options (words after the
  // command path, such as a run id, are ignored).
  static int command_help(const std::vector<std::string>& args) {
    const steward::app::CliCommand* command = steward::app::find_command(args);
    if (!command) {
      std::cerr << "steward: unknown command '" << args[0] << "'; see steward --help\n";
      return 2;
    }
    steward::app::print_command_help(*command, std::cout);
    return 0;
  }

  bool help_ = false;
  steward::app::CommandLine cmd_;
};

}  // namespace

int main(int argc, char** argv) {
  StewardApp app;
  try {
    app.init(argc, argv);
  } catch (const Poco::Exception& e) {
    std::cerr << "steward: " << e.displayText() << "; see steward --help\n";
    return 2;
  }
  return app.run();
}

#include "app/cli_spec.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "app/settings.hpp"

namespace steward::app {

namespace {

CliOption flag(std::string name, std::string help) { return {std::move(name), "", "", std::move(help), {}}; }

CliOption valued(std::string name, std::string argument, std::string help, std::vector<std::string> choices = {}) {
  return {std::move(name), "", std::move(argument), std::move(help), std::move(choices)};
}

// A daemon setting as an option, described from the settings table itself (settings.cpp).
CliOption setting(const std::string& key) {
  for (const auto& d : setting_defs()) {
    if (d.key != key) continue;
    std::string argument = "VALUE";
    std::vector<std::string> choices;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, "_dir") == 0) argument = "DIR";
    if (key == "plugin_config") argument = "FILE";
    if (key == "log_level") choices = {"debug", "info", "warning", "error"};
    if (key == "log_format") choices = {"text", "json"};
    if (d.default_value == "true" || d.default_value == "false") choices = {"true", "false"};
    std::string help = d.description + (d.default_value.empty() ? "" : " [" + d.default_value + "]");
    return valued("--" + option_name(key), argument, help, choices);
  }
  return valued("--" + option_name(key), "VALUE", "");
}

CliOption settings_file() { return valued("--config", "FILE", "settings file (INI, or JSON when it ends in .json)"); }

std::vector<CliOption> serve_options() {
  std::vector<CliOption> options = {settings_file()};
  for (const auto& d : setting_defs()) options.push_back(setting(d.key));
  return options;
}

std::vector<CliCommand> build_commands() {
  const CliOption agent_file =
      valued("--config", "FILE", "the agent's config file [~/.config/steward/agent.json]");
  return {
      {"serve", "[--config FILE] [OPTIONS]", "run the daemon: REST API, scheduler, runs and the device hub",
       serve_options()},
      {"plugins", "COMMAND [OPTIONS]", "inspect the plugins the daemon would load", {}},
      {"plugins list", "[--json] [--plugin-dir DIR] [--plugin-config FILE]",
       "show every plugin found, loaded or refused, and why",
       {flag("--json", "print JSON"), settings_file(), setting("plugin_dir"), setting("plugin_config")}},
      {"keys", "COMMAND [OPTIONS]", "manage API keys in the data directory", {}},
      {"keys create", "--role ROLE --name NAME [--automation ID] [--expires-in DURATION] [--data-dir DIR]",
       "create an API key; the key is the last line of output",
       {valued("--role", "ROLE", "admin, full-access, single-task or view-only",
               {"admin", "full-access", "single-task", "view-only"}),
        valued("--name", "NAME", "who holds the key"),
        valued("--automation", "ID", "the automation a single-task key is bound to"),
        valued("--expires-in", "DURATION", "lifetime such as 3600, 90m, 12h, 30d [never]"), setting("data_dir"), setting("database"),
        settings_file()}},
      {"keys list", "[--data-dir DIR]", "list keys (never their secrets)", {setting("data_dir"), setting("database"), settings_file()}},
      {"keys revoke", "KEY_ID [--data-dir DIR]", "revoke a key at once", {setting("data_dir"), setting("database"), settings_file()}},
      {"cron", "COMMAND [OPTIONS]", "cron expression tools", {}},
      {"cron next", "EXPR [--tz ZONE] [--from ISO8601] [-n N]", "print the next fire times, one UTC instant per line",
       {valued("--tz", "ZONE", "IANA time zone [UTC]"), valued("--from", "TIME", "start instant, ISO 8601 [now]"),
        {"--count", "-n", "N", "how many fire times [5]", {}}}},
      {"runs", "COMMAND [OPTIONS]", "follow runs of a running daemon", {}},
      {"runs tail", "RUN_ID [--url URL] [--key KEY]", "follow a run's output live; exit 0 when it ends done",
       {valued("--url", "URL", "the daemon's address [http://<bind>:<port>]"),
        valued("--key", "KEY", "API key [$STEWARD_API_KEY]"), setting("bind"), setting("port"), settings_file()}},
      {"agent", "COMMAND [OPTIONS]", "the device agent: pair this machine with a daemon, then serve it", {}},
      {"agent pair", "--host HOST [--port 18780] --code CODE [--config FILE] [--name NAME]",
       "pair this machine with a daemon; writes the agent config",
       {valued("--host", "HOST", "the daemon's address"), valued("--port", "PORT", "the daemon's REST port [18780]"),
        valued("--code", "CODE", "the 6-digit pairing code (from POST /api/devices/pair)"), agent_file,
        valued("--name", "NAME", "the device's name [hostname]")}},
      {"agent run", "[--config FILE] [--plugin-dir DIR] [--plugin-config FILE] [--log-level LEVEL]",
       "serve the daemon's device hub with the local plugins; exit 0 on SIGTERM/SIGINT, 3 when the token is "
       "rejected (pair again)",
       {agent_file, setting("plugin_dir"), setting("plugin_config"), setting("log_level")}},
      {"config-reference", "",
       "print every daemon setting (default, environment variable, option) as the Markdown table of "
       "docs/operations.md",
       {}},
      {"version", "[--json]", "print the version, the plugin ABI and the plugins found (loaded or refused)",
       {flag("--json", "print JSON"), settings_file(), setting("plugin_dir"), setting("plugin_config")}},
      {"completion", "COMMAND", "print a shell completion script", {}},
      {"completion bash", "",
       "print the bash completion script (packages install it as share/bash-completion/completions/steward; "
       "or: source <(steward completion bash))",
       {}},
  };
}

const CliCommand* find_path(const std::string& path) {
  const auto& all = cli_commands();
  auto it = std::find_if(all.begin(), all.end(), [&](const CliCommand& c) { return c.path == path; });
  return it == all.end() ? nullptr : &*it;
}

bool is_group(const std::string& path) {
  const auto& all = cli_commands();
  return std::any_of(all.begin(), all.end(), [&](const CliCommand& c) { return c.path.rfind(path + " ", 0) == 0; });
}

std::string option_label(const CliOption& o) {
  std::string label = o.short_name.empty() ? "    " : o.short_name + ", ";
  label += o.name;
  if (!o.argument.empty()) label += " " + o.argument;
  return label;
}

}  // namespace

const std::vector<CliCommand>& cli_commands() {
  static const std::vector<CliCommand> commands = build_commands();
  return commands;
}

const CliCommand* find_command(const std::vector<std::string>& words) {
  const CliCommand* found = nullptr;
  std::string path;
  for (const auto& w : words) {
    path += (path.empty() ? "" : " ") + w;
    const CliCommand* c = find_path(path);
    if (!c) break;
    found = c;
  }
  return found;
}

std::vector<std::string> subcommands_of(const std::string& path) {
  std::vector<std::string> children;
  const std::string prefix = path.empty() ? "" : path + " ";
  for (const auto& c : cli_commands()) {
    if (c.path.rfind(prefix, 0) != 0) continue;
    std::string rest = c.path.substr(prefix.size());
    if (!rest.empty() && rest.find(' ') == std::string::npos) children.push_back(rest);
  }
  return children;
}

void print_command_help(const CliCommand& command, std::ostream& out) {
  out << "Usage: steward " << command.path << (command.usage.empty() ? "" : " " + command.usage) << "\n\n"
      << command.summary << "\n";
  if (is_group(command.path)) {
    out << "\nCommands:\n";
    for (const auto& child : subcommands_of(command.path)) {
      const CliCommand* c = find_path(command.path + " " + child);
      if (!c) continue;
      out << "  " << child << (c->usage.empty() ? "" : " " + c->usage) << "\n      " << c->summary << "\n";
    }
    out << "\nSee 'steward " << command.path << " COMMAND --help' for a command's options.\n";
    return;
  }
  out << "\nOptions:\n";
  auto print = [&out](const std::string& label, const std::string& help) {
    out << "  " << label;
    if (label.size() < 30) out << std::string(30 - label.size(), ' ');
    else out << "\n  " << std::string(30, ' ');
    out << help << "\n";
  };
  for (const auto& o : command.options) print(option_label(o), o.help);
  print("-h, --help", "show this help");
}

std::string commands_overview() {
  std::ostringstream out;
  for (const auto& c : cli_commands()) {
    if (is_group(c.path)) continue;
    out << "  " << c.path << (c.usage.empty() ? "" : " " + c.usage) << "\n      " << c.summary << "\n";
  }
  return out.str();
}

std::string bash_completion_script() {
  std::ostringstream s;
  s << "# bash completion for steward; generated by `steward completion bash` from the same table as --help.\n"
       "# Install as share/bash-completion/completions/steward, or: source <(steward completion bash)\n\n";

  // The subcommands below each command path ("" is the top level).
  s << "_steward_subcommands() {\n  case \"$1\" in\n";
  std::vector<std::string> paths = {""};
  for (const auto& c : cli_commands()) paths.push_back(c.path);
  for (const auto& p : paths) {
    auto children = subcommands_of(p);
    if (children.empty()) continue;
    s << "    \"" << p << "\") echo \"";
    for (std::size_t i = 0; i < children.size(); ++i) s << (i ? " " : "") << children[i];
    s << "\" ;;\n";
  }
  s << "  esac\n}\n\n";

  // Each command's options, and how the value after an option completes (by option name).
  std::map<std::string, std::string> value_kind;  // option -> "choices ..." | "dir" | "file"
  std::vector<std::string> valued_names;
  s << "_steward_options() {\n  case \"$1\" in\n";
  for (const auto& c : cli_commands()) {
    if (c.options.empty()) continue;
    s << "    \"" << c.path << "\") echo \"";
    for (const auto& o : c.options) {
      s << o.name << " " << (o.short_name.empty() ? "" : o.short_name + " ");
      if (o.argument.empty()) continue;
      for (const auto& n : {o.name, o.short_name})
        if (!n.empty() && std::find(valued_names.begin(), valued_names.end(), n) == valued_names.end())
          valued_names.push_back(n);
      std::string kind;
      if (!o.choices.empty()) {
        kind = "words";
        for (const auto& w : o.choices) kind += " " + w;
      } else if (o.argument == "DIR") {
        kind = "dir";
      } else if (o.argument == "FILE") {
        kind = "file";
      }
      if (!kind.empty() && !value_kind.count(o.name)) value_kind[o.name] = kind;
    }
    s << "\" ;;\n";
  }
  s << "  esac\n}\n\n";

  s << "# Options followed by a value: the word after one is no subcommand.\n_steward_valued=\" ";
  for (const auto& n : valued_names) s << n << " ";
  s << "\"\n\n";

  s << "_steward_value() {\n  case \"$1\" in\n";
  for (const auto& [name, kind] : value_kind) {
    s << "    " << name << ") ";
    if (kind == "dir") s << "mapfile -t COMPREPLY < <(compgen -d -- \"$2\")";
    else if (kind == "file") s << "mapfile -t COMPREPLY < <(compgen -f -- \"$2\")";
    else s << "mapfile -t COMPREPLY < <(compgen -W \"" << kind.substr(6) << "\" -- \"$2\")";
    s << " ;;\n";
  }
  s << "    *) COMPREPLY=() ;;\n  esac\n}\n\n";

  s << R"BASH(_steward() {
  local cur="${COMP_WORDS[COMP_CWORD]}" path="" word i after_option=""
  COMPREPLY=()
  # The command path so far: the words naming (sub)commands, skipping options and their values.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${COMP_WORDS[i]}"
    if [[ -n $after_option ]]; then after_option=""; continue; fi
    if [[ $word == -* ]]; then
      [[ $_steward_valued == *" $word "* ]] && after_option="$word"
      continue
    fi
    if [[ " $(_steward_subcommands "$path") " == *" $word "* ]]; then path="${path:+$path }$word"; fi
  done
  if [[ -n $after_option ]]; then
    _steward_value "$after_option" "$cur"
  elif [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_steward_options "$path") --help" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -W "$(_steward_subcommands "$path")" -- "$cur")
  fi
}
complete -F _steward steward
)BASH";
  return s.str();
}

}  // namespace steward::app

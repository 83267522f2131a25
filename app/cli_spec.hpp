// The command tree of `steward`: every (sub)command, its usage line and its options, in one
// table. `steward <command> --help` and the bash completion script are both printed from
// it, so a new option shows up in both or in neither.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace steward::app {

struct CliOption {
  std::string name;                  // "--data-dir"
  std::string short_name;            // "-n", or empty
  std::string argument;              // "DIR", "FILE", "ROLE"...; empty for a flag
  std::string help;
  std::vector<std::string> choices;  // completion candidates for the value, if a closed set
};

struct CliCommand {
  std::string path;   // "agent pair"; a group ("agent") has children and no options
  std::string usage;  // the arguments after the path
  std::string summary;
  std::vector<CliOption> options;
};

const std::vector<CliCommand>& cli_commands();

// The longest command path formed by the leading words of `words` ("agent", "pair", ...),
// or nullptr when the first word is no command.
const CliCommand* find_command(const std::vector<std::string>& words);

// The direct children of a path ("" for the top level): {"pair", "run"} for "agent".
std::vector<std::string> subcommands_of(const std::string& path);

// `steward <path> --help`: usage, summary, options (or, for a group, its commands).
void print_command_help(const CliCommand& command, std::ostream& out);

// The top-level commands list of `steward --help`.
std::string commands_overview();

// The bash completion script of `steward completion bash`.
std::string bash_completion_script();

}  // namespace steward::app

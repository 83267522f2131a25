#include "app/config_reference_command.hpp"

#include <iostream>
#include <sstream>

namespace steward::app {

namespace {

// Plain cell text: `|` would end the cell and a line break the row; `<…>` (as in
// "<prefix>") would be taken for an HTML tag and vanish when rendered.
std::string text_cell(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '|') out += "\\|";
    else if (c == '\r') continue;
    else if (c == '\n') out += "<br>";
    else out += c;
  }
  return out;
}

// A code span: entities mean nothing inside one, but GFM tables still need `\|`.
std::string code_cell(const std::string& s) {
  if (s.find('`') != std::string::npos || s.find('\n') != std::string::npos) return text_cell(s);
  std::string out = "`";
  for (char c : s) {
    if (c == '|') out += "\\|";
    else out += c;
  }
  return out + "`";
}

}  // namespace

std::string config_reference_markdown(const std::vector<SettingDef>& defs) {
  std::ostringstream out;
  out << "Each setting takes the value of the last of these that sets it: the built-in default, the\n"
         "config file (`--config FILE`: INI `key = value` lines, or JSON when the name ends in `.json`),\n"
         "the environment (`STEWARD_<KEY>`), the command-line option (`--key-with-dashes`). An unknown\n"
         "key in a config file stops the daemon. Booleans accept `true`/`false`, `1`/`0`, `yes`/`no`,\n"
         "`on`/`off`. `--plugin-dir` may be given more than once (the directories add up).\n"
         "`steward serve --help` lists the same settings.\n"
         "\n"
         "| Key | Default | Environment | Option | Description |\n"
         "|---|---|---|---|---|\n";
  for (const auto& d : defs) {
    out << "| " << code_cell(d.key) << " | " << (d.default_value.empty() ? "(empty)" : code_cell(d.default_value))
        << " | " << code_cell(env_name(d.key)) << " | " << code_cell("--" + option_name(d.key)) << " | "
        << text_cell(d.description) << " |\n";
  }
  return out.str();
}

int run_config_reference(const CommandLine& cmd) {
  if (!cmd.args.empty()) {
    std::cerr << "steward config-reference: takes no arguments; see steward config-reference --help\n";
    return 2;
  }
  std::cout << config_reference_markdown(setting_defs());
  return 0;
}

}  // namespace steward::app

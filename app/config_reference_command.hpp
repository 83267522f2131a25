// `steward config-reference`: every daemon setting as a Markdown table, printed from the one
// settings table (app/settings.cpp). docs/operations.md embeds this output between
// `<!-- config-reference:begin -->` and `<!-- config-reference:end -->`, and a test fails
// when the two differ, so the documented settings cannot drift from the code.
#pragma once

#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/settings.hpp"

namespace steward::app {

// The reference for `defs`: a short paragraph on where values come from, then one table row
// per setting (key, default, environment variable, option, description). Cell text is
// escaped so that a `|` or a line break in a description cannot break the table.
std::string config_reference_markdown(const std::vector<SettingDef>& defs);

// Prints config_reference_markdown(setting_defs()); takes no arguments.
int run_config_reference(const CommandLine& cmd);

}  // namespace steward::app

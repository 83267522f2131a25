// The Markdown table of `steward config-reference`: one row per setting, in table order,
// with cell text that cannot break the table or vanish as HTML when rendered.
#include <catch2/catch.hpp>

#include <sstream>

#include "app/config_reference_command.hpp"

using steward::app::config_reference_markdown;
using steward::app::SettingDef;

namespace {

std::vector<std::string> table_rows(const std::string& markdown) {
  std::vector<std::string> rows;
  std::istringstream in(markdown);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("| `", 0) == 0) rows.push_back(line);
  return rows;
}

}  // namespace

TEST_CASE("each setting is one row with its default, environment variable and option", "[unit][config_reference]") {
  const std::vector<SettingDef> defs = {{"data_dir", "./data", "Where the store lives"},
                                        {"plugin_dir", "", "Extra plugin directories"}};
  auto md = config_reference_markdown(defs);
  CHECK(md.find("| Key | Default | Environment | Option | Description |\n|---|---|---|---|---|\n") !=
        std::string::npos);
  auto rows = table_rows(md);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == "| `data_dir` | `./data` | `STEWARD_DATA_DIR` | `--data-dir` | Where the store lives |");
  CHECK(rows[1] == "| `plugin_dir` | (empty) | `STEWARD_PLUGIN_DIR` | `--plugin-dir` | Extra plugin directories |");
  // Where values come from, in order, is stated above the table.
  CHECK(md.find("built-in default") < md.find("config file"));
  CHECK(md.find("config file") < md.find("STEWARD_<KEY>"));
  CHECK(md.find("STEWARD_<KEY>") < md.find("--key-with-dashes"));
}

TEST_CASE("a pipe, a line break or angle brackets in a setting cannot break the table", "[unit][config_reference]") {
  const std::vector<SettingDef> defs = {
      {"log_format", "a|b", "text | json: one line\nper event under <prefix>/log & co"}};
  auto rows = table_rows(config_reference_markdown(defs));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] ==
        "| `log_format` | `a\\|b` | `STEWARD_LOG_FORMAT` | `--log-format` | "
        "text \\| json: one line<br>per event under &lt;prefix&gt;/log &amp; co |");
  // Six bare pipes delimit the five cells; every other pipe is escaped.
  int bare = 0;
  for (std::size_t i = 0; i < rows[0].size(); ++i)
    if (rows[0][i] == '|' && (i == 0 || rows[0][i - 1] != '\\')) ++bare;
  CHECK(bare == 6);
}

TEST_CASE("the real settings table yields one row per setting, in table order", "[unit][config_reference]") {
  const auto& defs = steward::app::setting_defs();
  auto rows = table_rows(config_reference_markdown(defs));
  REQUIRE(rows.size() == defs.size());
  for (std::size_t i = 0; i < defs.size(); ++i) CHECK(rows[i].rfind("| `" + defs[i].key + "` |", 0) == 0);
}

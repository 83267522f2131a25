// The `backup` automation type: params become one `backup` create step (with retention
// when any keep_* is given). The backup tool checks paths and names when it runs.
#include <nlohmann/json.hpp>
#include <regex>
#include <steward/plugin.hpp>

namespace {

using nlohmann::json;

const char* kSchema = R"json({
  "type": "object",
  "required": ["name", "sources", "destination"],
  "additionalProperties": false,
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 100,
             "description": "Backup name, [A-Za-z0-9._-] not starting with '.' or '-': archives are <name>-<YYYYMMDDTHHMMSSZ>.tar.zst"},
    "sources": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"type": "string", "minLength": 1},
                "description": "Absolute paths to archive; each is stored under its last path component"},
    "destination": {"type": "string", "minLength": 1,
                    "description": "Absolute directory for the archives and their manifest sidecars"},
    "compression": {"type": "string", "enum": ["zstd", "gzip"], "default": "zstd", "description": "Compression of the tar stream"},
    "include": {"type": "array", "items": {"type": "string", "minLength": 1}, "default": [],
                "description": "fnmatch globs on paths relative to each source; when given, only matching files are archived"},
    "exclude": {"type": "array", "items": {"type": "string", "minLength": 1}, "default": [],
                "description": "fnmatch globs on paths relative to each source; matching files and directories are left out"},
    "keep_last": {"type": "integer", "minimum": 1, "maximum": 100000,
                  "description": "Retention after each backup: keep the N newest archives of this name"},
    "keep_daily": {"type": "integer", "minimum": 1, "maximum": 100000,
                   "description": "Retention: keep the newest archive of each of the N most recent UTC days that have one"},
    "keep_weekly": {"type": "integer", "minimum": 1, "maximum": 100000,
                    "description": "Retention: keep the newest archive of each of the N most recent ISO weeks (UTC) that have one"}
  }
})json";

class BackupType {
 public:
  BackupType(const steward::Host&, std::string_view) {}

  steward_rc plan(steward::Run& run, std::string_view params_text) {
    json params = json::parse(params_text);
    // Caught here rather than at run time: a bad name would fail every scheduled run.
    static const std::regex kName("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}");
    const std::string name = params.at("name");
    if (!std::regex_match(name, kName))
      return run.fail("name: '" + name + "' must be 1-100 characters of A-Z a-z 0-9 . _ - and not start with '.' or '-'");
    for (const auto& s : params.at("sources"))
      if (s.get<std::string>()[0] != '/') return run.fail("sources: '" + s.get<std::string>() + "' is not an absolute path");
    if (params.at("destination").get<std::string>()[0] != '/')
      return run.fail("destination: '" + params["destination"].get<std::string>() + "' is not an absolute path");

    json args = {{"operation", "create"}};
    for (const char* key : {"name", "sources", "destination", "compression", "include", "exclude", "keep_last",
                            "keep_daily", "keep_weekly"})
      if (params.contains(key)) args[key] = params[key];
    run.result(json::array({{{"tool", "backup"}, {"name", "backup " + name}, {"args", args}}}).dump());
    return STEWARD_OK;
  }
};

}  // namespace

STEWARD_AUTOMATION_TYPE_PLUGIN(BackupType, "backup", "1.0.0", "Backs up paths into a tar.zst archive with a manifest, with retention", kSchema)

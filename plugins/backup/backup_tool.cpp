// The `backup` tool: tar archives (zstd or gzip) of source paths with a manifest sidecar,
// and verify / restore / list / prune of them. See README.md for the archive layout.
#include <cstdio>
#include <stdexcept>
#include <nlohmann/json.hpp>
#include <steward/plugin.hpp>

#include "naming.hpp"
#include "ops.hpp"

namespace backup {

void progress_line(steward::Run& run, const std::string& line) {
  if (!run.output(line + "\n")) throw Cancelled{};
}

std::string mib(std::uint64_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

}  // namespace backup

namespace {

using nlohmann::json;

const char* kSchema = R"json({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "operation": {"type": "string", "enum": ["create", "verify", "restore", "list", "prune"], "default": "create",
                  "description": "create an archive; verify or restore one (archive); list or prune a destination's archives"},
    "name": {"type": "string", "minLength": 1, "maxLength": 100,
             "description": "Backup name, [A-Za-z0-9._-] not starting with '.' or '-': archives are <name>-<YYYYMMDDTHHMMSSZ>.tar.zst (create, prune; filters list)"},
    "sources": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"type": "string", "minLength": 1},
                "description": "Absolute paths to archive (create); each is stored under its last path component; symlinks are stored as symlinks"},
    "destination": {"type": "string", "minLength": 1,
                    "description": "Absolute directory for the archives and their <archive>.manifest.json sidecars (create, list, prune); created if missing"},
    "compression": {"type": "string", "enum": ["zstd", "gzip"], "default": "zstd", "description": "Compression of the tar stream (create)"},
    "level": {"type": "integer", "minimum": 1, "maximum": 19,
              "description": "Compression level (create); default 3 for zstd, 6 for gzip; gzip accepts 1-9"},
    "include": {"type": "array", "items": {"type": "string", "minLength": 1}, "default": [],
                "description": "fnmatch globs on paths relative to each source; when given, only matching files (or files under matching directories) are archived. A glob without '/' also matches the last path component"},
    "exclude": {"type": "array", "items": {"type": "string", "minLength": 1}, "default": [],
                "description": "fnmatch globs like include; matching files and whole matching directories are left out (exclude wins over include)"},
    "keep_last": {"type": "integer", "minimum": 1, "maximum": 100000,
                  "description": "Retention: keep the N newest archives of this name (after create when any keep_* is given, and for prune)"},
    "keep_daily": {"type": "integer", "minimum": 1, "maximum": 100000,
                   "description": "Retention: keep the newest archive of each of the N most recent UTC days that have one"},
    "keep_weekly": {"type": "integer", "minimum": 1, "maximum": 100000,
                    "description": "Retention: keep the newest archive of each of the N most recent ISO weeks (UTC) that have one"},
    "archive": {"type": "string", "minLength": 1,
                "description": "Archive to verify or restore: an absolute path, or a file name inside destination"},
    "target": {"type": "string", "minLength": 1,
               "description": "Absolute directory to restore into; must be empty or not exist (restore)"},
    "now": {"type": "string", "minLength": 16, "maxLength": 16,
            "description": "Test hook: the UTC time YYYYMMDDTHHMMSSZ stamped into the archive name instead of the clock (create)"},
    "progress_files": {"type": "integer", "minimum": 1, "default": 1000,
                       "description": "A progress line every this many files"},
    "progress_mib": {"type": "integer", "minimum": 1, "default": 256,
                     "description": "A progress line every this many MiB of file data"}
  }
})json";

std::vector<std::string> strings(const json& args, const char* key) {
  return args.contains(key) ? args[key].get<std::vector<std::string>>() : std::vector<std::string>{};
}

// Checks what the schema cannot: which fields each operation needs, and their forms.
std::string parse(const json& args, backup::Options& o) {
  o.operation = args.value("operation", "create");
  o.name = args.value("name", "");
  o.sources = strings(args, "sources");
  o.destination = args.value("destination", "");
  o.compression = args.value("compression", "zstd");
  o.level = args.value("level", 0);
  o.include = strings(args, "include");
  o.exclude = strings(args, "exclude");
  o.retention = {args.value("keep_last", 0), args.value("keep_daily", 0), args.value("keep_weekly", 0)};
  o.archive = args.value("archive", "");
  o.target = args.value("target", "");
  o.progress_files = args.value("progress_files", std::uint64_t{1000});
  o.progress_bytes = args.value("progress_mib", std::uint64_t{256}) << 20;
  if (args.contains("now")) {
    o.now = backup::parse_stamp(args["now"]);
    if (!o.now) return "now: '" + args["now"].get<std::string>() + "' is not a UTC time like 20261123T031500Z";
  }
  const std::string& op = o.operation;
  const bool needs_name = op == "create" || op == "prune";
  if (needs_name && o.name.empty()) return op + ": name is required";
  if (!o.name.empty() && !backup::valid_name(o.name))
    return "name: '" + o.name + "' must be 1-100 characters of A-Z a-z 0-9 . _ - and not start with '.' or '-'";
  if ((op == "create" || op == "list" || op == "prune") && o.destination.empty()) return op + ": destination is required";
  if (!o.destination.empty() && o.destination[0] != '/') return "destination: '" + o.destination + "' is not an absolute path";
  if (op == "create" && o.sources.empty()) return "create: sources is required";
  if (op == "create" && o.compression == "gzip" && o.level > 9) return "level: gzip accepts 1-9";
  if (op == "prune" && !o.retention.any()) return "prune: give keep_last, keep_daily or keep_weekly";
  if (op == "verify" || op == "restore") {
    if (o.archive.empty()) return op + ": archive is required";
    if (o.archive[0] != '/') {
      if (o.destination.empty() || o.archive.find('/') != std::string::npos)
        return "archive: '" + o.archive + "' must be an absolute path, or a file name with destination given";
      o.archive = o.destination + "/" + o.archive;
    }
  }
  if (op == "restore" && o.target.empty()) return "restore: target is required";
  return "";
}

class BackupTool {
 public:
  // Everything is per call (args); a plugin_config entry would be ignored, so it is refused.
  BackupTool(const steward::Host&, std::string_view config_text) {
    json config = json::parse(config_text.empty() ? std::string_view("{}") : config_text, nullptr, false);
    if (!config.is_object()) throw std::runtime_error("backup: plugin config must be a JSON object");
    if (!config.empty())
      throw std::runtime_error("backup: plugin config takes no options (got '" + config.begin().key() +
                               "'); give everything as run args");
  }

  steward_rc run(steward::Run& run, std::string_view args_text) {
    backup::Options o;
    if (std::string bad = parse(json::parse(args_text), o); !bad.empty()) return run.fail(bad);
    try {
      if (o.operation == "create") return backup::create_archive(run, o);
      if (o.operation == "verify") return backup::verify_archive(run, o);
      if (o.operation == "restore") return backup::restore_archive(run, o);
      if (o.operation == "list") return backup::list_archives(run, o);
      return backup::prune_command(run, o);
    } catch (const backup::Cancelled&) {
      return STEWARD_CANCELLED;
    } catch (const std::exception& e) {
      return run.fail(o.operation + ": " + e.what());
    }
  }
};

}  // namespace

STEWARD_TOOL_PLUGIN(BackupTool, "backup", "1.0.0",
                    "Creates, verifies, restores, lists and prunes tar.zst / tar.gz backups with a SHA-256 manifest",
                    kSchema)

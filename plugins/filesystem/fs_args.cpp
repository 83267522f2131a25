#include "fs_args.hpp"

#include <map>
#include <set>

#include "text_codec.hpp"

namespace fs_tool {

using nlohmann::json;

// Every field is described here once; check_args() says which operation takes which.
const char* const kArgsSchema = R"json({
  "type": "object",
  "required": ["operation", "path"],
  "additionalProperties": false,
  "properties": {
    "operation": {"type": "string",
                  "enum": ["read", "write", "append", "list", "stat", "mkdir", "move", "delete", "checksum"],
                  "description": "What to do with path"},
    "path": {"type": "string", "minLength": 1, "maxLength": 4096,
             "description": "Absolute path under one of the plugin's allowed_roots, or a path relative to the first allowed root. '..' components are refused"},
    "offset": {"type": "integer", "minimum": 0, "default": 0,
               "description": "read: byte offset to start at"},
    "length": {"type": "integer", "minimum": 0,
               "description": "read: bytes to read at most (default: up to the end of the file; either way at most the plugin's max_read_bytes)"},
    "encoding": {"type": "string", "enum": ["auto", "text", "base64"], "default": "auto",
                 "description": "read: return the bytes as text in content (text: fails unless valid UTF-8), as base64 in content_base64 (base64), or text when valid UTF-8 and base64 otherwise (auto)"},
    "content": {"type": "string",
                "description": "write, append: the text to write (give this or content_base64)"},
    "content_base64": {"type": "string",
                       "description": "write, append: the bytes to write, base64-encoded (give this or content)"},
    "mode": {"type": "string", "minLength": 3, "maxLength": 4,
             "description": "write, append, mkdir: permission bits as an octal string such as \"0640\" (default: write keeps an existing file's mode and creates 0644; append creates 0644; mkdir creates 0755 less the umask)"},
    "create_parents": {"type": "boolean", "default": false,
                       "description": "write, append, mkdir, move: create missing parent directories (of path, or of destination for move)"},
    "overwrite": {"type": "boolean",
                  "description": "write: replace an existing file (default true); move: replace an existing destination (default false)"},
    "recursive": {"type": "boolean", "default": false,
                  "description": "list: descend into subdirectories (see max_depth); delete: delete a directory with everything in it"},
    "max_depth": {"type": "integer", "minimum": 1, "maximum": 64,
                  "description": "list: levels to list; 1 is the directory's own entries (default 1, or 16 when recursive)"},
    "destination": {"type": "string", "minLength": 1, "maxLength": 4096,
                    "description": "move: the new path, under an allowed root like path; it is the exact new name, not a directory to move into"}
  }
})json";

namespace {

const std::map<std::string, std::set<std::string>>& fields_by_operation() {
  static const std::map<std::string, std::set<std::string>> kFields = {
      {"read", {"offset", "length", "encoding"}},
      {"write", {"content", "content_base64", "mode", "create_parents", "overwrite"}},
      {"append", {"content", "content_base64", "mode", "create_parents"}},
      {"list", {"recursive", "max_depth"}},
      {"stat", {}},
      {"mkdir", {"mode", "create_parents"}},
      {"move", {"destination", "create_parents", "overwrite"}},
      {"delete", {"recursive"}},
      {"checksum", {}},
  };
  return kFields;
}

bool has_nul(const json& v) { return v.is_string() && v.get_ref<const std::string&>().find('\0') != std::string::npos; }

}  // namespace

std::optional<mode_t> parse_mode(const std::string& text) {
  std::string digits = text.size() == 4 && text[0] == '0' ? text.substr(1) : text;
  if (digits.size() != 3) return std::nullopt;
  mode_t mode = 0;
  for (char c : digits) {
    if (c < '0' || c > '7') return std::nullopt;
    mode = mode * 8 + mode_t(c - '0');
  }
  return mode;
}

std::string format_mode(mode_t mode) {
  std::string out(4, '0');
  for (int i = 3; i >= 0; --i, mode >>= 3) out[i] = char('0' + (mode & 7));
  return out;
}

std::optional<std::string> check_args(const json& args) {
  if (!args.is_object()) return "args: must be an object";
  if (!args.contains("operation") || !args["operation"].is_string()) return "operation: is required";
  const std::string op = args["operation"];
  auto known = fields_by_operation().find(op);
  if (known == fields_by_operation().end()) return "operation: '" + op + "' is not a filesystem operation";
  for (const auto& [key, value] : args.items()) {
    if (key == "operation" || key == "path") continue;
    if (!known->second.count(key)) return key + ": is not used by the " + op + " operation";
  }
  if (!args.contains("path") || !args["path"].is_string() || args["path"].get<std::string>().empty())
    return "path: a non-empty string is required";
  if (has_nul(args["path"])) return "path: must not contain a NUL character";
  if (op == "write" || op == "append") {
    const bool text = args.contains("content"), b64 = args.contains("content_base64");
    if (text == b64) return "content: give exactly one of content and content_base64 for " + op;
    if (b64 && (!args["content_base64"].is_string() || !base64_decode(args["content_base64"].get<std::string>())))
      return "content_base64: is not valid padded base64";
  }
  if (args.contains("mode") && (!args["mode"].is_string() || !parse_mode(args["mode"].get<std::string>())))
    return "mode: must be an octal permission string such as \"0640\" (0000-0777)";
  if (op == "move") {
    if (!args.contains("destination") || !args["destination"].is_string()) return "destination: is required for move";
    if (has_nul(args["destination"])) return "destination: must not contain a NUL character";
  }
  return std::nullopt;
}

}  // namespace fs_tool

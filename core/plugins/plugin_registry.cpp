#include "core/plugins/plugin_registry.hpp"

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <regex>

#include "core/util/json_schema.hpp"
#include "core/util/log.hpp"

namespace steward {

using nlohmann::json;

namespace {

// Libraries are kept for the life of the process (OBS's rule): unloading code that may
// still own thread-locals, atexit handlers or objects' vtables is a crash waiting to happen.
// Reachable through a global pointer, so leak checkers do not report it.
std::vector<boost::dll::shared_library>& kept_libraries() {
  static auto* libs = new std::vector<boost::dll::shared_library>();
  return *libs;
}

// --- host callbacks: the only functions plugins call into -------------------------------
void host_log(void* owner, steward_log_level level, steward_str message) {
  auto* plugin = static_cast<const Plugin*>(owner);
  int lvl = std::clamp(static_cast<int>(level), 1, 4);
  log(static_cast<LogLevel>(lvl), plugin ? "plugin:" + plugin->name() : "plugin",
      std::string_view(message.ptr ? message.ptr : "", message.ptr ? message.len : 0));
}
steward_rc host_emit_output(void* run, steward_stream stream, steward_str chunk) {
  auto* call = static_cast<CallContext*>(run);
  if (chunk.ptr == nullptr || chunk.len == 0) return call->cancelled() ? STEWARD_CANCELLED : STEWARD_OK;
  return call->on_output(stream, std::string_view(chunk.ptr, chunk.len)) ? STEWARD_OK : STEWARD_CANCELLED;
}
void host_set_result(void* run, steward_str json_text) {
  static_cast<CallContext*>(run)->on_result(json_text.ptr ? std::string_view(json_text.ptr, json_text.len) : "");
}
void host_set_error(void* run, steward_str message) {
  static_cast<CallContext*>(run)->on_error(message.ptr ? std::string_view(message.ptr, message.len) : "");
}
int host_is_cancelled(const void* run) { return static_cast<const CallContext*>(run)->cancelled() ? 1 : 0; }

const steward_host_api kHostApi = {sizeof(steward_host_api), host_log, host_emit_output,
                                   host_set_result, host_set_error, host_is_cancelled};

const char* kind_name(steward_kind k) {
  switch (k) {
    case STEWARD_KIND_TOOL: return "tool";
    case STEWARD_KIND_AUTOMATION_TYPE: return "automation_type";
    default: return "";
  }
}

std::string safe(const char* s) { return s ? s : ""; }

// Boost.DLL appends an unrelated errno text to dlerror()'s message; keep dlerror's part.
std::string load_error_text(const boost::dll::fs::error_code& ec) {
  std::string msg = ec.message();
  if (const char* d = ::dlerror()) msg = d;
  return msg;
}

}  // namespace

const steward_host_api* host_api() { return &kHostApi; }

json to_json(const PluginInfo& i) {
  return {{"file", i.file},     {"name", i.name},
          {"kind", i.kind},     {"version", i.version},
          {"description", i.description}, {"abi", i.abi},
          {"args_schema", i.args_schema}, {"status", i.status},
          {"error", i.error.empty() ? json(nullptr) : json(i.error)}};
}

Plugin::Plugin(const steward_plugin_v1* descriptor, void* instance, json schema, std::string file)
    : descriptor_(descriptor), instance_(instance), schema_(std::move(schema)),
      name_(descriptor->name), file_(std::move(file)) {}

steward_rc Plugin::run(CallContext& call, const std::string& args_json) const {
  return descriptor_->run(instance_, &call, steward_str{args_json.data(), args_json.size()});
}

steward_rc Plugin::plan(CallContext& call, const std::string& params_json) const {
  return descriptor_->plan(instance_, &call, steward_str{params_json.data(), params_json.size()});
}

void Plugin::destroy() {
  if (instance_) descriptor_->destroy(instance_);
  instance_ = nullptr;
}

PluginRegistry::PluginRegistry() : config_source_([](const std::string&) { return std::string("{}"); }) {}

PluginRegistry::~PluginRegistry() {
  for (auto& p : loaded_) p->destroy();
}

void PluginRegistry::set_config_source(std::function<std::string(const std::string&)> source) {
  config_source_ = std::move(source);
}

void PluginRegistry::load_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    log(LogLevel::Warning, "plugins", "plugin directory " + dir.string() + " does not exist; skipped");
    return;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".so") files.push_back(entry.path());
  if (ec) log(LogLevel::Error, "plugins", "cannot list plugin directory " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) load_file(f);
}

std::string PluginRegistry::refuse(PluginInfo& info, const std::string& reason) {
  info.status = "refused";
  info.error = reason;
  log(LogLevel::Error, "plugins", "refused " + info.file + ": " + reason);
  return reason;
}

PluginInfo PluginRegistry::load_file(const std::filesystem::path& file) {
  PluginInfo& info = infos_.emplace_back();
  info.file = file.string();

  boost::dll::fs::error_code ec;
  boost::dll::shared_library lib(
      file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) {
    refuse(info, "cannot be loaded: " + load_error_text(ec));
    return info;
  }
  // Its static constructors have run: from here on it stays mapped, whatever the verdict.
  kept_libraries().push_back(lib);
  if (!lib.has(STEWARD_PLUGIN_ENTRY_SYMBOL)) {
    refuse(info, std::string("does not export ") + STEWARD_PLUGIN_ENTRY_SYMBOL + " (not a Steward plugin)");
    return info;
  }
  auto& entry = lib.get<const steward_plugin_v1*(uint32_t)>(STEWARD_PLUGIN_ENTRY_SYMBOL);
  const steward_plugin_v1* d = entry(STEWARD_ABI_VERSION);

  if (d == nullptr) {
    refuse(info, "its entry point returned no descriptor for host ABI " +
                     std::to_string(STEWARD_ABI_MAJOR) + "." + std::to_string(STEWARD_ABI_MINOR));
    return info;
  }
  // struct_size, abi_major, abi_minor, kind, name and version are frozen across ABI majors,
  // so even a plugin for another major can be named in the refusal.
  if (!STEWARD_HAS_FIELD(d, steward_plugin_v1, version)) {
    refuse(info, "descriptor too small (" + std::to_string(d->struct_size) + " bytes)");
    return info;
  }
  info.name = safe(d->name);
  info.version = safe(d->version);
  info.kind = kind_name(d->kind);
  info.abi = std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor);
  const std::string who = "plugin '" + info.name + "' " + info.version;
  if (d->abi_major != STEWARD_ABI_MAJOR || d->abi_minor > STEWARD_ABI_MINOR) {
    refuse(info, who + " needs plugin ABI " + info.abi + " but this host provides " +
                     std::to_string(STEWARD_ABI_MAJOR) + "." + std::to_string(STEWARD_ABI_MINOR) +
                     " (the major must match and the host's minor must be at least the plugin's)");
    return info;
  }
  if (!STEWARD_HAS_FIELD(d, steward_plugin_v1, plan)) {
    refuse(info, who + ": descriptor too small for ABI 1.0 (" + std::to_string(d->struct_size) + " bytes)");
    return info;
  }
  static const std::regex kNamePattern("[a-z][a-z0-9_]{0,63}");
  if (!std::regex_match(info.name, kNamePattern)) {
    refuse(info, "plugin name '" + info.name + "' is invalid (must match [a-z][a-z0-9_]{0,63})");
    return info;
  }
  if (d->kind != STEWARD_KIND_TOOL && d->kind != STEWARD_KIND_AUTOMATION_TYPE) {
    refuse(info, who + " has an unknown kind " + std::to_string(static_cast<int>(d->kind)));
    return info;
  }
  info.description = safe(d->description);
  if (!d->create || !d->destroy || (d->kind == STEWARD_KIND_TOOL && !d->run) ||
      (d->kind == STEWARD_KIND_AUTOMATION_TYPE && !d->plan)) {
    refuse(info, who + " lacks a required function (create, destroy and " +
                     (d->kind == STEWARD_KIND_TOOL ? "run" : "plan") + ")");
    return info;
  }
  json schema = json::parse(safe(d->args_schema_json), nullptr, false);
  if (schema.is_discarded()) {
    refuse(info, who + ": args_schema_json is not valid JSON");
    return info;
  }
  if (auto why = check_schema(schema)) {
    refuse(info, who + ": args schema: " + *why);
    return info;
  }
  info.args_schema = schema;
  auto& by_name = d->kind == STEWARD_KIND_TOOL ? tools_ : types_;
  if (auto it = by_name.find(info.name); it != by_name.end()) {
    refuse(info, "a " + info.kind + " named '" + info.name + "' is already loaded from " + it->second->file());
    return info;
  }

  std::string config = config_source_(info.name);
  char err[512] = {0};
  auto plugin = std::make_unique<Plugin>(d, nullptr, schema, info.file);
  void* instance = d->create(host_api(), plugin.get(), steward_str{config.data(), config.size()}, err, sizeof err);
  if (instance == nullptr) {
    refuse(info, who + " failed to start: " + (err[0] ? std::string(err) : "create() returned NULL"));
    return info;
  }
  plugin->attach(instance);  // `owner` given to create() is this same Plugin object
  by_name[info.name] = plugin.get();
  loaded_.push_back(std::move(plugin));
  info.status = "loaded";
  log(LogLevel::Info, "plugins", "loaded " + info.kind + " '" + info.name + "' " + info.version + " from " + info.file);
  return info;
}

const Plugin* PluginRegistry::tool(const std::string& name) const {
  auto it = tools_.find(name);
  return it == tools_.end() ? nullptr : it->second;
}

const Plugin* PluginRegistry::automation_type(const std::string& name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : it->second;
}

std::vector<std::string> PluginRegistry::tool_names() const {
  std::vector<std::string> names;
  for (const auto& [n, _] : tools_) names.push_back(n);
  return names;
}

}  // namespace steward

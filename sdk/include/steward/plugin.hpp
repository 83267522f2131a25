// Steward plugin SDK — header-only C++ wrapper over plugin.h.
//
// A plugin author writes a plain class and one macro line:
//
//     class Hello {
//      public:
//       Hello(const steward::Host& host, std::string_view config_json);
//       steward_rc run(steward::Run& run, std::string_view args_json);   // a tool
//     };
//     STEWARD_TOOL_PLUGIN(Hello, "hello", "1.0.0", "Says hello", R"({"type":"object"})")
//
// An automation type implements `steward_rc plan(steward::Run&, std::string_view params)`
// and uses STEWARD_AUTOMATION_TYPE_PLUGIN. The macro expands to the one exported C entry
// point and to noexcept thunks that catch every exception and turn it into an error result
// with the exception's message, so no exception ever crosses the ABI.
//
// The host validated args/params against the schema before the call. Only the C types of
// plugin.h cross the boundary; std::string etc. stay on the plugin's side.
#ifndef STEWARD_PLUGIN_HPP
#define STEWARD_PLUGIN_HPP

#include <steward/plugin.h>

#include <cstring>
#include <exception>
#include <string>
#include <string_view>

namespace steward {

inline steward_str to_str(std::string_view s) noexcept { return steward_str{s.data(), s.size()}; }
inline std::string_view to_view(steward_str s) noexcept {
  return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view();
}

// The host as seen by one plugin instance: its callbacks and the owner handle for log().
class Host {
 public:
  Host(const steward_host_api* api, void* owner) noexcept : api_(api), owner_(owner) {}
  void log(steward_log_level level, std::string_view message) const noexcept {
    api_->log(owner_, level, to_str(message));
  }
  void info(std::string_view message) const noexcept { log(STEWARD_LOG_INFO, message); }
  void warn(std::string_view message) const noexcept { log(STEWARD_LOG_WARNING, message); }
  const steward_host_api* api() const noexcept { return api_; }

 private:
  const steward_host_api* api_;
  void* owner_;
};

// One call of run()/plan(): output, result, error and cancellation for that call only.
class Run {
 public:
  Run(const steward_host_api* api, void* handle) noexcept : api_(api), handle_(handle) {}
  // Streams a chunk of output. Returns false once the run is cancelled.
  bool output(std::string_view chunk, steward_stream stream = STEWARD_STREAM_STDOUT) noexcept {
    return api_->emit_output(handle_, stream, to_str(chunk)) == STEWARD_OK;
  }
  void result(std::string_view json) noexcept { api_->set_result(handle_, to_str(json)); }
  // Records why the call failed and returns STEWARD_ERROR, so `return run.fail("...")` reads well.
  steward_rc fail(std::string_view message) noexcept {
    api_->set_error(handle_, to_str(message));
    return STEWARD_ERROR;
  }
  bool cancelled() const noexcept { return api_->is_cancelled(handle_) != 0; }

 private:
  const steward_host_api* api_;
  void* handle_;
};

namespace detail {

template <class T>
struct Instance {
  Instance(const steward_host_api* api, void* owner, std::string_view config)
      : host(api, owner), impl(host, config) {}
  Host host;
  T impl;
};

inline void copy_error(char* err, size_t cap, const char* message) noexcept {
  if (err == nullptr || cap == 0) return;
  std::strncpy(err, message, cap - 1);
  err[cap - 1] = '\0';
}

template <class T>
void* create(const steward_host_api* api, void* owner, steward_str config, char* err,
             size_t cap) noexcept {
  try {
    return new Instance<T>(api, owner, to_view(config));
  } catch (const std::exception& e) {
    copy_error(err, cap, e.what());
  } catch (...) {
    copy_error(err, cap, "unknown exception in plugin constructor");
  }
  return nullptr;
}

template <class T>
void destroy(void* self) noexcept {
  try {
    delete static_cast<Instance<T>*>(self);
  } catch (...) {  // a throwing destructor must still not cross the ABI
  }
}

// Calls `call` and converts any exception into STEWARD_ERROR with its message.
template <class Call>
steward_rc guarded(Run& run, Call&& call) noexcept {
  try {
    return call();
  } catch (const std::exception& e) {
    return run.fail(e.what());
  } catch (...) {
    return run.fail("unknown exception in plugin");
  }
}

template <class T>
steward_rc run(void* self, void* handle, steward_str args) noexcept {
  auto* instance = static_cast<Instance<T>*>(self);
  Run r(instance->host.api(), handle);
  return guarded(r, [&] { return instance->impl.run(r, to_view(args)); });
}

template <class T>
steward_rc plan(void* self, void* handle, steward_str params) noexcept {
  auto* instance = static_cast<Instance<T>*>(self);
  Run r(instance->host.api(), handle);
  return guarded(r, [&] { return instance->impl.plan(r, to_view(params)); });
}

}  // namespace detail
}  // namespace steward

#define STEWARD_EXPORT_ extern "C" __attribute__((visibility("default")))

// The descriptor is returned whatever the host's version: the host decides compatibility
// and can then name this plugin and both versions when it refuses it.
#define STEWARD_PLUGIN_DESCRIPTOR_(Class, KIND, NAME, VERSION, DESCRIPTION, SCHEMA, RUN, PLAN) \
  STEWARD_EXPORT_ const steward_plugin_v1* steward_plugin_entry(uint32_t) {                  \
    static const steward_plugin_v1 descriptor = {                                             \
        sizeof(steward_plugin_v1), STEWARD_ABI_MAJOR, STEWARD_ABI_MINOR, KIND, NAME, VERSION, \
        DESCRIPTION, SCHEMA, &::steward::detail::create<Class>,                               \
        &::steward::detail::destroy<Class>, RUN, PLAN};                                       \
    return &descriptor;                                                                       \
  }

#define STEWARD_TOOL_PLUGIN(Class, NAME, VERSION, DESCRIPTION, SCHEMA)                 \
  STEWARD_PLUGIN_DESCRIPTOR_(Class, STEWARD_KIND_TOOL, NAME, VERSION, DESCRIPTION, SCHEMA, \
                             &::steward::detail::run<Class>, nullptr)

#define STEWARD_AUTOMATION_TYPE_PLUGIN(Class, NAME, VERSION, DESCRIPTION, SCHEMA)         \
  STEWARD_PLUGIN_DESCRIPTOR_(Class, STEWARD_KIND_AUTOMATION_TYPE, NAME, VERSION,         \
                             DESCRIPTION, SCHEMA, nullptr, &::steward::detail::plan<Class>)

#endif  // STEWARD_PLUGIN_HPP

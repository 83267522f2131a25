/*
 * A plugin written against plugin.h alone (plain C), whose descriptor the build bends per
 * case with -D definitions, so each refusal rule is tested with a real shared library:
 *
 *   TP_ABI_MAJOR, TP_ABI_MINOR   the versions the plugin claims (default: the SDK's)
 *   TP_KIND                      steward_kind as an integer (default: tool)
 *   TP_NAME, TP_SCHEMA           name and args schema text
 *   TP_STRUCT_SIZE               struct_size it reports (default: sizeof the descriptor)
 *   TP_NO_RUN                    leaves run() NULL although the kind is tool
 *   TP_RETURN_NULL               steward_plugin_entry returns NULL
 *
 * When loaded, the plugin works: run() prints "raw\n" and plan() returns one bash step.
 */
#include <steward/plugin.h>

#ifndef TP_ABI_MAJOR
#define TP_ABI_MAJOR STEWARD_ABI_MAJOR
#endif
#ifndef TP_ABI_MINOR
#define TP_ABI_MINOR STEWARD_ABI_MINOR
#endif
#ifndef TP_KIND
#define TP_KIND STEWARD_KIND_TOOL
#endif
#ifndef TP_NAME
#define TP_NAME "raw"
#endif
#ifndef TP_SCHEMA
#define TP_SCHEMA "{\"type\":\"object\"}"
#endif
#ifndef TP_STRUCT_SIZE
#define TP_STRUCT_SIZE sizeof(steward_plugin_v1)
#endif

static int instance_token;
static const steward_host_api* host;

static void* raw_create(const steward_host_api* api, void* owner, steward_str config_json, char* err,
                        size_t err_cap) {
  (void)owner;
  (void)config_json;
  (void)err;
  (void)err_cap;
  host = api;
  return &instance_token;
}

static void raw_destroy(void* self) { (void)self; }

#ifndef TP_NO_RUN
static steward_rc raw_run(void* self, void* run, steward_str args_json) {
  steward_str text = {"raw\n", 4};
  (void)self;
  (void)args_json;
  return host->emit_output(run, STEWARD_STREAM_STDOUT, text);
}
#endif

static steward_rc raw_plan(void* self, void* run, steward_str params_json) {
  static const char steps[] = "[{\"tool\":\"bash\",\"args\":{\"command\":\"true\"}}]";
  steward_str text = {steps, sizeof steps - 1};
  (void)self;
  (void)params_json;
  host->set_result(run, text);
  return STEWARD_OK;
}

static const steward_plugin_v1 descriptor = {
    (uint32_t)(TP_STRUCT_SIZE),
    (uint16_t)(TP_ABI_MAJOR),
    (uint16_t)(TP_ABI_MINOR),
    (steward_kind)(TP_KIND),
    TP_NAME,
    "9.9.9",
    "A test plugin with a deliberately odd descriptor",
    TP_SCHEMA,
    raw_create,
    raw_destroy,
#ifdef TP_NO_RUN
    NULL,
#else
    raw_run,
#endif
    raw_plan};

__attribute__((visibility("default"))) const steward_plugin_v1* steward_plugin_entry(uint32_t host_abi_version) {
  (void)host_abi_version;
#ifdef TP_RETURN_NULL
  (void)&descriptor; /* says "I cannot work with this host", as a plugin may */
  return NULL;
#else
  return &descriptor;
#endif
}

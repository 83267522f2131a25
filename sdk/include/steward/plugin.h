/*
 * Steward plugin ABI — stable C interface between the steward host and plugins.
 *
 * A plugin is a shared library exporting exactly one function:
 *
 *     const steward_plugin_v1* steward_plugin_entry(uint32_t host_abi_version);
 *
 * VERSIONING
 *   STEWARD_ABI_VERSION packs (major << 16) | minor. The host loads a plugin only when
 *   plugin major == host major and host minor >= plugin minor. A new minor only ever
 *   APPENDS fields to the structs below; existing fields never move or change meaning.
 *   Each struct starts with `struct_size`; a reader touches a field only when
 *   offsetof(field) + sizeof(field) <= struct_size (STEWARD_HAS_FIELD below).
 *
 * OWNERSHIP
 *   Strings cross as steward_str {ptr, len}: BORROWED, valid only for the duration of the
 *   call that passes them. Whoever receives one and needs it later copies it. Neither side
 *   ever frees memory the other side allocated.
 *
 * EXCEPTIONS
 *   No C++ exception may cross this boundary. plugin.hpp catches everything in its thunks.
 *
 * THREADING
 *   steward_plugin_entry and create() are called once, from one thread, at host start.
 *   run() and plan() may be called concurrently from several host threads on the same
 *   instance; a plugin guards its own shared state. destroy() is called once, after every
 *   run()/plan() has returned. The host never unloads (dlclose) a plugin library.
 *
 * This header depends on nothing but the C standard headers.
 */
#ifndef STEWARD_PLUGIN_H
#define STEWARD_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STEWARD_ABI_MAJOR 1
#define STEWARD_ABI_MINOR 0
#define STEWARD_ABI_VERSION ((uint32_t)((STEWARD_ABI_MAJOR << 16) | STEWARD_ABI_MINOR))
#define STEWARD_ABI_VERSION_MAJOR(v) ((uint16_t)((uint32_t)(v) >> 16))
#define STEWARD_ABI_VERSION_MINOR(v) ((uint16_t)((uint32_t)(v)&0xFFFFu))

/* True when a struct whose first member is uint32_t struct_size carries `field`. */
#define STEWARD_HAS_FIELD(ptr, type, field) \
  ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* Name of the one exported symbol. */
#define STEWARD_PLUGIN_ENTRY_SYMBOL "steward_plugin_entry"

/* A borrowed string: `len` bytes at `ptr`, not necessarily NUL-terminated. */
typedef struct steward_str {
  const char* ptr;
  size_t len;
} steward_str;

/* Result of run() and plan(). 0 is success; any other value is a failure kind. */
typedef enum steward_rc {
  STEWARD_OK = 0,        /* finished successfully */
  STEWARD_ERROR = 1,     /* failed; the reason was given with set_error() */
  STEWARD_CANCELLED = 2  /* stopped because is_cancelled() said so */
} steward_rc;

/* What a plugin provides. 0 is never valid, so a zeroed struct is refused. */
typedef enum steward_kind {
  STEWARD_KIND_INVALID = 0,
  STEWARD_KIND_TOOL = 1,           /* runs an action: implements run() */
  STEWARD_KIND_AUTOMATION_TYPE = 2 /* turns params into steps: implements plan() */
} steward_kind;

/* Output streams for emit_output(). */
typedef enum steward_stream {
  STEWARD_STREAM_INVALID = 0,
  STEWARD_STREAM_STDOUT = 1,
  STEWARD_STREAM_STDERR = 2
} steward_stream;

/* Log levels for log(). */
typedef enum steward_log_level {
  STEWARD_LOG_DEBUG = 1,
  STEWARD_LOG_INFO = 2,
  STEWARD_LOG_WARNING = 3,
  STEWARD_LOG_ERROR = 4
} steward_log_level;

/*
 * Callbacks the host implements. OWNERSHIP: host-owned, valid from create() until
 * destroy() returns. Append-only: check STEWARD_HAS_FIELD before using a field added
 * after ABI 1.0 (none yet). `owner` is the opaque value given to create(); `run` is the
 * opaque handle given to run()/plan(), valid only during that call.
 */
typedef struct steward_host_api {
  uint32_t struct_size; /* Required: yes. sizeof(steward_host_api) as the host knows it. */

  /* Required: yes. Writes to the host's log, tagged with the plugin's name. Any thread. */
  void (*log)(void* owner, steward_log_level level, steward_str message);

  /* Required: yes. Appends a chunk to the run's output; the host copies it. Returns
   * STEWARD_CANCELLED when the run has been cancelled (the plugin should stop soon). */
  steward_rc (*emit_output)(void* run, steward_stream stream, steward_str chunk);

  /* Required: yes. Sets the call's JSON result; the host copies it. For a tool: a JSON
   * object such as {"exit_code":0}. For an automation type's plan(): the JSON array of
   * steps [{"tool":"bash","args":{...},"continue_on_error":false}]. Last call wins. */
  void (*set_result)(void* run, steward_str json);

  /* Required: yes. Sets a human-readable reason for STEWARD_ERROR; the host copies it. */
  void (*set_error)(void* run, steward_str message);

  /* Required: yes. Non-zero once the run is cancelled (timeout, user, shutdown). A
   * long-running plugin polls it (every ~100 ms at most) and returns STEWARD_CANCELLED. */
  int (*is_cancelled)(const void* run);
} steward_host_api;

/*
 * What a plugin describes about itself. OWNERSHIP: plugin-owned, usually a static const;
 * it and every string in it must stay valid until the process exits.
 */
typedef struct steward_plugin_v1 {
  uint32_t struct_size; /* Required: yes. sizeof(steward_plugin_v1) as the plugin knows it. */
  uint16_t abi_major;   /* Required: yes. STEWARD_ABI_MAJOR the plugin was built with. */
  uint16_t abi_minor;   /* Required: yes. STEWARD_ABI_MINOR the plugin was built with. */
  steward_kind kind;    /* Required: yes. */

  const char* name;        /* Required: yes. [a-z][a-z0-9_]{0,63}; unique among loaded plugins. */
  const char* version;     /* Required: yes. The plugin's own version, e.g. "1.2.0". */
  const char* description; /* Required: yes. One line for humans. */

  /* Required: yes. JSON Schema (draft 2020-12 subset: type, properties, required,
   * additionalProperties, enum, minimum, maximum, minLength, maxLength, minItems, items,
   * default, description) of the tool's args or of the automation type's params. The host
   * validates input against it before calling run()/plan(). */
  const char* args_schema_json;

  /* Required: yes. Makes an instance. `config_json` is the plugin's JSON object from the
   * host's configuration ("{}" when none). On failure returns NULL and writes a
   * NUL-terminated reason of at most err_cap bytes into err. */
  void* (*create)(const steward_host_api* host, void* owner, steward_str config_json, char* err,
                  size_t err_cap);

  /* Required: yes. Frees the instance; joins every thread the plugin started. */
  void (*destroy)(void* self);

  /* Required: for STEWARD_KIND_TOOL. Runs the tool with validated args (a JSON object),
   * streaming output with emit_output() and setting the result with set_result(). Blocks
   * until done. */
  steward_rc (*run)(void* self, void* run, steward_str args_json);

  /* Required: for STEWARD_KIND_AUTOMATION_TYPE. Turns validated params (a JSON object)
   * into steps with set_result(). Must be quick and must not act on the system. */
  steward_rc (*plan)(void* self, void* run, steward_str params_json);
} steward_plugin_v1;

/* The exported entry point. Returns NULL when the plugin cannot work with the host's ABI. */
typedef const steward_plugin_v1* (*steward_plugin_entry_fn)(uint32_t host_abi_version);

#ifdef __cplusplus
}
#endif

#endif /* STEWARD_PLUGIN_H */

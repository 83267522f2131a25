/* Links (shared libraries may leave symbols undefined) but cannot be loaded with
 * RTLD_NOW: steward_test_symbol_nobody_defines exists nowhere, so dlopen fails before the
 * entry point could ever be called. */
#include <steward/plugin.h>

__attribute__((visibility("default"))) extern const steward_plugin_v1* steward_test_symbol_nobody_defines(
    uint32_t host_abi_version);

__attribute__((visibility("default"))) const steward_plugin_v1* steward_plugin_entry(uint32_t host_abi_version) {
  return steward_test_symbol_nobody_defines(host_abi_version);
}

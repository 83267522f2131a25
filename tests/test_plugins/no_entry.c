/* A well-formed shared library that is not a Steward plugin: it exports a function, but
 * not steward_plugin_entry. */
#include <stdint.h>

__attribute__((visibility("default"))) uint32_t some_other_library_entry(void) { return 42; }

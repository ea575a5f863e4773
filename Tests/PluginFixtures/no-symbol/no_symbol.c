/* Test fixture: a valid shared object that does not export the descriptor symbol. */
#include "sluice_plugin.h"

__attribute__((visibility("default")))
const sluice_plugin_descriptor *some_other_symbol(void) { return 0; }

/* The ABI is the header alone; this file only lets SwiftPM build the target
 * and checks that the header compiles on its own as C. */
#include "sluice_plugin.h"

_Static_assert(sizeof(sluice_plugin_descriptor) >= 48, "descriptor layout changed");

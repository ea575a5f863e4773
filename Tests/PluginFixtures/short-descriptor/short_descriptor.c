/* Test fixture: a descriptor whose struct_size is smaller than ABI v1's. */
#include "sluice_plugin.h"

static const sluice_plugin_descriptor descriptor = {
    .struct_size = 8,
    .abi_version = SLUICE_PLUGIN_ABI_VERSION,
    .name = "short",
    .version = "0.0.1",
    .kind = SLUICE_STAGE_CUSTOM,
    .summary = "fixture",
    .run = 0,
};

__attribute__((visibility("default")))
const sluice_plugin_descriptor *sluice_plugin_descriptor_v1(void) { return &descriptor; }

/* Test fixture: a plugin built for an ABI version this host does not speak. */
#include "sluice_plugin.h"

static int never_run(const sluice_plugin_descriptor *self, const sluice_host_api *api, sluice_context *ctx) {
    (void)self; (void)ctx;
    api->fail(ctx, "the host must not call a plugin whose ABI it does not speak");
    return SLUICE_ERROR;
}

static const sluice_plugin_descriptor descriptor = {
    .struct_size = sizeof(sluice_plugin_descriptor),
    .abi_version = 99,
    .name = "wrong-abi",
    .version = "0.0.1",
    .kind = SLUICE_STAGE_CUSTOM,
    .summary = "fixture",
    .run = never_run,
};

__attribute__((visibility("default")))
const sluice_plugin_descriptor *sluice_plugin_descriptor_v1(void) { return &descriptor; }

/* Test fixture: a plugin built against the first ABI v1 header, before the
 * descriptor grew the optional `apply` member. Its descriptor is declared here
 * as that header declared it, so struct_size is the original v1 size: the host
 * must keep loading it and must never read past it. */
#include "sluice_plugin.h"

typedef struct original_v1_descriptor {
    uint32_t struct_size;
    uint32_t abi_version;
    const char *name;
    const char *version;
    int32_t kind;
    const char *summary;
    int (*run)(const struct original_v1_descriptor *self, const sluice_host_api *api, sluice_context *ctx);
    void *plugin_data;
} original_v1_descriptor;

static int original_run(const original_v1_descriptor *self, const sluice_host_api *api, sluice_context *ctx) {
    (void)self;
    return api->put_metric(ctx, "rows_seen", (double)api->row_count(ctx));
}

/* Followed in memory by bytes a careless host would read as `apply`. */
static const struct {
    original_v1_descriptor descriptor;
    void *poison;
} layout = {
    .descriptor = {
        .struct_size = sizeof(original_v1_descriptor),
        .abi_version = SLUICE_PLUGIN_ABI_VERSION,
        .name = "v1-original",
        .version = "1.0.0",
        .kind = SLUICE_STAGE_FEATURES,
        .summary = "fixture: built before the descriptor grew",
        .run = original_run,
    },
    .poison = (void *)0x1,
};

__attribute__((visibility("default")))
const sluice_plugin_descriptor *sluice_plugin_descriptor_v1(void) {
    return (const sluice_plugin_descriptor *)&layout.descriptor;
}

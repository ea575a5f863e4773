/*
 * Test fixture: a custom stage that misbehaves on purpose, chosen by the
 * parameter `mode`: ok, fail, segfault, abort, hang, allocate, approve, reject,
 * sleep (for `seconds`, default 2, then ok), segfault-at-rows (crash on a drop
 * of exactly `rows` rows, else ok), leak-descriptor (opens /dev/null and keeps
 * it), count (metric misbehave_calls: how often this process ran the stage).
 * Used to prove that a plugin can fail only its own run.
 */
#include "sluice_plugin.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int misbehave_run(const sluice_plugin_descriptor *self, const sluice_host_api *api, sluice_context *ctx) {
    (void)self;
    const char *mode = api->param(ctx, "mode");
    if (mode == NULL || strcmp(mode, "ok") == 0) {
        api->put_metric(ctx, "misbehave_ok", 1.0);
        return SLUICE_OK;
    }
    if (strcmp(mode, "fail") == 0) {
        api->fail(ctx, "misbehave: failing on purpose");
        return SLUICE_ERROR;
    }
    if (strcmp(mode, "approve") == 0) {
        api->set_verdict(ctx, SLUICE_VERDICT_APPROVE, "misbehave approves");
        return SLUICE_OK;
    }
    if (strcmp(mode, "reject") == 0) {
        api->set_verdict(ctx, SLUICE_VERDICT_REJECT, "misbehave rejects");
        return SLUICE_OK;
    }
    if (strcmp(mode, "sleep") == 0) {
        const char *seconds = api->param(ctx, "seconds");
        unsigned left = seconds ? (unsigned)atoi(seconds) : 2;
        api->progress(ctx, 0.5, "sleeping");
        while (left > 0) left = sleep(left);
        return SLUICE_OK;
    }
    if (strcmp(mode, "segfault-at-rows") == 0) {
        const char *rows = api->param(ctx, "rows");
        if (rows == NULL || api->row_count(ctx) != atoll(rows)) return SLUICE_OK;
        mode = "segfault";
    }
    if (strcmp(mode, "leak-descriptor") == 0) {
        return open("/dev/null", O_RDONLY) >= 0 ? SLUICE_OK : SLUICE_ERROR;
    }
    if (strcmp(mode, "count") == 0) {
        static int calls = 0;
        api->put_metric(ctx, "misbehave_calls", (double)++calls);
        return SLUICE_OK;
    }
    if (strcmp(mode, "segfault") == 0) {
        volatile int *nowhere = (volatile int *)(uintptr_t)8;
        *nowhere = 1;
    }
    if (strcmp(mode, "abort") == 0) abort();
    if (strcmp(mode, "hang") == 0) for (;;) pause();
    if (strcmp(mode, "allocate") == 0) {
        for (;;) {
            char *block = malloc(64 << 20);
            if (block == NULL) { api->fail(ctx, "misbehave: malloc returned NULL"); return SLUICE_ERROR; }
            memset(block, 1, 64 << 20);
        }
    }
    api->fail(ctx, "misbehave: unknown mode");
    return SLUICE_ERROR;
}

static const sluice_plugin_descriptor descriptor = {
    .struct_size = sizeof(sluice_plugin_descriptor),
    .abi_version = SLUICE_PLUGIN_ABI_VERSION,
    .name = "misbehave",
    .version = "0.0.1",
    .kind = SLUICE_STAGE_CUSTOM,
    .summary = "test fixture that crashes, hangs or leaks on request",
    .run = misbehave_run,
};

__attribute__((visibility("default")))
const sluice_plugin_descriptor *sluice_plugin_descriptor_v1(void) { return &descriptor; }

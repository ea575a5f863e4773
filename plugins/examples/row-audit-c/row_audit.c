/*
 * row-audit — an example sluice stage plugin in plain C.
 *
 * It includes sluice_plugin.h and nothing else from sluice. It records, as
 * metrics, the number of rows, the share of holdout rows, and the share of
 * missing cells; with the parameter `max_missing_share` it fails the run when
 * the data has more missing cells than that.
 *
 * Build it on its own with:
 *   cc -shared -fPIC -I<sluice>/Sources/CSluicePlugin/include row_audit.c -o row-audit.so
 */
#include "sluice_plugin.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int row_audit_run(const sluice_plugin_descriptor *self,
                         const sluice_host_api *api, sluice_context *ctx) {
    (void)self;
    int64_t rows = api->row_count(ctx);
    int32_t columns = api->column_count(ctx);
    const uint8_t *roles = api->row_roles(ctx);
    int64_t holdout = 0, missing = 0;
    for (int64_t r = 0; r < rows; r++) holdout += roles[r] == SLUICE_ROW_HOLDOUT;
    for (int32_t c = 0; c < columns; c++) {
        if (api->column_type(ctx, c) == SLUICE_COLUMN_NUMERIC) {
            const float *values = api->column_numeric(ctx, c);
            for (int64_t r = 0; r < rows; r++) missing += isnan(values[r]);
        } else {
            const int32_t *codes = api->column_codes(ctx, c);
            for (int64_t r = 0; r < rows; r++) missing += codes[r] < 0;
        }
        if (c % 4 == 0) api->progress(ctx, (double)(c + 1) / columns, "counting missing cells");
    }
    double cells = (double)rows * (double)columns;
    double missing_share = cells > 0 ? (double)missing / cells : 0.0;
    api->put_metric(ctx, "rows", (double)rows);
    api->put_metric(ctx, "holdout_share", rows > 0 ? (double)holdout / rows : 0.0);
    api->put_metric(ctx, "missing_share", missing_share);

    char line[256];
    snprintf(line, sizeof line, "%lld rows, %d columns, %.3f%% of cells missing",
             (long long)rows, columns, 100.0 * missing_share);
    api->log(ctx, SLUICE_LOG_INFO, line);

    const char *limit = api->param(ctx, "max_missing_share");
    if (limit != NULL) {
        char *end = NULL;
        double max_share = strtod(limit, &end);
        if (end == limit || *end != '\0') {
            snprintf(line, sizeof line, "parameter max_missing_share: expected a number, got '%.64s'", limit);
            api->fail(ctx, line);
            return SLUICE_ERROR;
        }
        if (missing_share > max_share) {
            snprintf(line, sizeof line, "%.3f%% of cells are missing, more than max_missing_share %.3f%%",
                     100.0 * missing_share, 100.0 * max_share);
            api->fail(ctx, line);
            return SLUICE_ERROR;
        }
    }
    return SLUICE_OK;
}

static const sluice_plugin_descriptor descriptor = {
    .struct_size = sizeof(sluice_plugin_descriptor),
    .abi_version = SLUICE_PLUGIN_ABI_VERSION,
    .name = "row-audit",
    .version = "1.0.0",
    .kind = SLUICE_STAGE_CUSTOM,
    .summary = "counts rows, holdout share and missing cells (example plugin in C)",
    .run = row_audit_run,
    .plugin_data = NULL,
};

__attribute__((visibility("default")))
const sluice_plugin_descriptor *sluice_plugin_descriptor_v1(void) { return &descriptor; }

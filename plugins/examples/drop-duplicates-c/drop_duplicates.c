/* drop-duplicates: a custom stage in C that removes duplicate rows.
 *
 * Two rows are duplicates when every considered column holds the same value
 * (numeric: the same float, all missing values equal; categorical: the same
 * category). The first occurrence is kept, with its role; the later copies
 * are removed with keep_rows, so a row copied into both the training and the
 * holdout rows can no longer leak into the evaluation.
 *
 * Params:  columns   comma-separated names to compare (default: every column)
 * Metrics: duplicates_removed, duplicates_across_roles, rows_kept
 *
 * Needs a host with keep_rows (sluice 0.2 or later): checked with
 * SLUICE_HOST_HAS before the first call. */
#include "sluice_plugin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int32_t *columns;   /* indexes of the compared columns */
    int32_t count;
    const float **numeric;
    const int32_t **codes;
} row_key;

static uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

static uint32_t float_bits(float value) {
    if (isnan(value)) return 0x7fc00000u;       /* every missing value is one value */
    if (value == 0.0f) return 0;                /* -0 equals 0 */
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

static uint64_t row_hash(const row_key *key, int64_t row) {
    uint64_t h = 0x243f6a8885a308d3ULL;
    for (int32_t c = 0; c < key->count; c++) {
        uint64_t v = key->numeric[c] ? float_bits(key->numeric[c][row]) : (uint32_t)key->codes[c][row];
        h = mix(h, v);
    }
    return h;
}

static int rows_equal(const row_key *key, int64_t a, int64_t b) {
    for (int32_t c = 0; c < key->count; c++) {
        if (key->numeric[c]) {
            if (float_bits(key->numeric[c][a]) != float_bits(key->numeric[c][b])) return 0;
        } else if (key->codes[c][a] != key->codes[c][b]) {
            return 0;
        }
    }
    return 1;
}

/* Fills key->columns from the `columns` param, or with every column. */
static int choose_columns(const sluice_host_api *api, sluice_context *ctx, row_key *key) {
    int32_t total = api->column_count(ctx);
    key->columns = calloc((size_t)(total > 0 ? total : 1), sizeof *key->columns);
    if (!key->columns) { api->fail(ctx, "out of memory"); return SLUICE_ERROR; }
    const char *list = api->param(ctx, "columns");
    if (!list) {
        for (int32_t c = 0; c < total; c++) key->columns[key->count++] = c;
        return SLUICE_OK;
    }
    char *copy = strdup(list), *save = NULL;
    for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        while (*name == ' ') name++;
        char *end = name + strlen(name);
        while (end > name && end[-1] == ' ') *--end = 0;
        int32_t index = api->column_index(ctx, name);
        if (index < 0) {
            char message[512];
            snprintf(message, sizeof message, "param columns: no column '%.200s' in the drop", name);
            api->fail(ctx, message);
            free(copy);
            return SLUICE_ERROR;
        }
        if (key->count < total) key->columns[key->count++] = index;
    }
    free(copy);
    if (key->count == 0) { api->fail(ctx, "param columns names no column"); return SLUICE_ERROR; }
    return SLUICE_OK;
}

static int drop_duplicates_run(const sluice_plugin_descriptor *self, const sluice_host_api *api, sluice_context *ctx) {
    (void)self;
    if (!SLUICE_HOST_HAS(api, keep_rows)) {
        api->fail(ctx, "this sluice cannot remove rows: drop-duplicates needs keep_rows (sluice 0.2 or later)");
        return SLUICE_ERROR;
    }
    int64_t rows = api->row_count(ctx);
    row_key key = {0};
    if (choose_columns(api, ctx, &key) != SLUICE_OK) { free(key.columns); return SLUICE_ERROR; }
    key.numeric = calloc((size_t)key.count, sizeof *key.numeric);
    key.codes = calloc((size_t)key.count, sizeof *key.codes);
    /* Open addressing over row indexes: a power of two at least twice the rows. */
    int64_t slots = 16;
    while (slots < rows * 2) slots <<= 1;
    int64_t *table = malloc((size_t)slots * sizeof *table);
    uint8_t *keep = malloc((size_t)(rows > 0 ? rows : 1));
    if (!key.numeric || !key.codes || !table || !keep) {
        api->fail(ctx, "out of memory");
        free(key.columns); free(key.numeric); free(key.codes); free(table); free(keep);
        return SLUICE_ERROR;
    }
    for (int32_t c = 0; c < key.count; c++) {
        key.numeric[c] = api->column_numeric(ctx, key.columns[c]);
        key.codes[c] = key.numeric[c] ? NULL : api->column_codes(ctx, key.columns[c]);
    }
    for (int64_t s = 0; s < slots; s++) table[s] = -1;
    const uint8_t *roles = api->row_roles(ctx);
    int64_t removed = 0, across = 0, first_line = 0, first_of = 0;
    for (int64_t row = 0; row < rows; row++) {
        if (row % 65536 == 0) api->progress(ctx, (double)row / (double)(rows ? rows : 1), "hashing rows");
        int64_t slot = (int64_t)(row_hash(&key, row) & (uint64_t)(slots - 1));
        keep[row] = 1;
        while (table[slot] >= 0) {
            int64_t earlier = table[slot];
            if (rows_equal(&key, earlier, row)) {
                keep[row] = 0;
                removed++;
                if (roles[earlier] != roles[row]) across++;
                if (!first_line) { first_line = api->row_line(ctx, row); first_of = api->row_line(ctx, earlier); }
                break;
            }
            slot = (slot + 1) & (slots - 1);
        }
        if (keep[row]) table[slot] = row;
    }
    int status = SLUICE_OK;
    if (removed > 0 && removed < rows) {
        if (api->keep_rows(ctx, keep, rows) != SLUICE_OK) {
            api->fail(ctx, "the host refused to remove the duplicate rows");
            status = SLUICE_ERROR;
        } else {
            char message[256];
            snprintf(message, sizeof message,
                     "removed %lld duplicate rows (%lld copies across train and holdout); the first: line %lld repeats line %lld",
                     (long long)removed, (long long)across, (long long)first_line, (long long)first_of);
            api->log(ctx, SLUICE_LOG_INFO, message);
        }
    }
    if (status == SLUICE_OK) {
        api->put_metric(ctx, "duplicates_removed", (double)removed);
        api->put_metric(ctx, "duplicates_across_roles", (double)across);
        api->put_metric(ctx, "rows_kept", (double)(rows - removed));
    }
    free(key.columns); free(key.numeric); free(key.codes); free(table); free(keep);
    return status;
}

static const sluice_plugin_descriptor descriptor = {
    .struct_size = sizeof(sluice_plugin_descriptor),
    .abi_version = SLUICE_PLUGIN_ABI_VERSION,
    .name = "drop-duplicates",
    .version = "1.0.0",
    .kind = SLUICE_STAGE_CUSTOM,
    .summary = "removes duplicate rows (first kept, with its role) and counts them",
    .run = drop_duplicates_run,
};

__attribute__((visibility("default")))
const sluice_plugin_descriptor *sluice_plugin_descriptor_v1(void) { return &descriptor; }

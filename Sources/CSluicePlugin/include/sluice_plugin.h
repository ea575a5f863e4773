/*
 * sluice_plugin.h — the whole sluice stage-plugin ABI.
 *
 * A stage plugin is a shared object that includes this header and nothing else
 * from sluice. It exports one function:
 *
 *     const sluice_plugin_descriptor *sluice_plugin_descriptor_v1(void);
 *
 * The host dlopen()s the file with RTLD_NOW, looks up that symbol, checks the
 * descriptor's struct_size and abi_version before calling anything else, and
 * later calls descriptor->run once per stage run with a table of host services
 * (sluice_host_api) and an opaque context.
 *
 * Rules of the ABI, in the manner of sqlite3ext.h:
 *   - Only C types cross it. Strings are NUL-terminated UTF-8. Missing numeric
 *     values are NaN. Missing categorical values have code -1.
 *   - sluice_host_api only ever grows at the end. Each member is labelled with
 *     the ABI version that added it. A plugin built against a newer header
 *     must check api->struct_size (or api->abi_version) before using a member
 *     the host may not have.
 *   - Pointers returned by the host stay valid until the column is replaced or
 *     dropped, or until run returns, whichever comes first. Copy what you keep.
 *   - The host never unloads a plugin; plugins may keep static state.
 *   - run is called on one thread at a time for a given context.
 *   - sluice_plugin_descriptor grows the same way: members added after
 *     plugin_data are optional, and the host reads them only when the
 *     plugin's struct_size covers them.
 *   - docs/plugins.md is the full contract: ownership and lifetime of every
 *     pointer, thread-safety, what a plugin may and may not do.
 */
#ifndef SLUICE_PLUGIN_H
#define SLUICE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version this header describes. */
#define SLUICE_PLUGIN_ABI_VERSION 1

/** The symbol every plugin exports (a function returning its descriptor). */
#define SLUICE_PLUGIN_SYMBOL "sluice_plugin_descriptor_v1"

/** What a stage does; the host uses it to order checks and to hand the
 *  evaluate stage its promotion rules. */
typedef enum sluice_stage_kind {
    SLUICE_STAGE_VALIDATE = 1,
    SLUICE_STAGE_FEATURES = 2,
    SLUICE_STAGE_TRAIN = 3,
    SLUICE_STAGE_EVALUATE = 4,
    SLUICE_STAGE_CUSTOM = 5
} sluice_stage_kind;

/** Column storage types. */
typedef enum sluice_column_type {
    SLUICE_COLUMN_NUMERIC = 1,      /* float32, NaN = missing */
    SLUICE_COLUMN_CATEGORICAL = 2   /* int32 codes into a string dictionary, -1 = missing */
} sluice_column_type;

/** Row roles, fixed by the host before any stage runs (stratified by the target). */
typedef enum sluice_row_role {
    SLUICE_ROW_TRAIN = 0,
    SLUICE_ROW_HOLDOUT = 1
} sluice_row_role;

/** Log levels, ordered like syslog's (lower is more severe). */
typedef enum sluice_log_level {
    SLUICE_LOG_ERROR = 3,
    SLUICE_LOG_WARNING = 4,
    SLUICE_LOG_INFO = 6,
    SLUICE_LOG_DEBUG = 7
} sluice_log_level;

/** A stage's verdict on the candidate model. */
typedef enum sluice_verdict {
    SLUICE_VERDICT_APPROVE = 1,
    SLUICE_VERDICT_REJECT = 2
} sluice_verdict;

/** Return codes of run and of the host services that can fail. */
#define SLUICE_OK 0
#define SLUICE_ERROR 1

/** Opaque per-run context; only the host knows what is behind it. */
typedef struct sluice_context sluice_context;

/** Services the host offers a running stage. Append-only. */
typedef struct sluice_host_api {
    uint32_t struct_size;    /* sizeof(sluice_host_api) as the host was built */
    uint32_t abi_version;    /* SLUICE_PLUGIN_ABI_VERSION of the host */

    /* --- v1: the table ---------------------------------------------------- */
    /* Number of rows in the drop's table. */
    int64_t (*row_count)(sluice_context *ctx);                                   /* v1 */
    /* Number of columns, and each column's name and type by index (0-based). */
    int32_t (*column_count)(sluice_context *ctx);                                /* v1 */
    const char *(*column_name)(sluice_context *ctx, int32_t column);             /* v1 */
    int32_t (*column_type)(sluice_context *ctx, int32_t column);                 /* v1: sluice_column_type, 0 if out of range */
    /* Index of the column with this name, or -1. */
    int32_t (*column_index)(sluice_context *ctx, const char *name);              /* v1 */
    /* Float32 values of a numeric column (row_count of them), or NULL. */
    const float *(*column_numeric)(sluice_context *ctx, int32_t column);         /* v1 */
    /* Codes of a categorical column (row_count of them, -1 = missing), or NULL. */
    const int32_t *(*column_codes)(sluice_context *ctx, int32_t column);        /* v1 */
    /* Size of a categorical column's dictionary, and the string for a code. */
    int32_t (*dictionary_size)(sluice_context *ctx, int32_t column);             /* v1 */
    const char *(*dictionary_value)(sluice_context *ctx, int32_t column, int32_t code); /* v1 */
    /* Replaces the numeric column with this name, or appends it. Copies values
     * (possibly into the replaced column's own memory: see docs/plugins.md). */
    int (*put_numeric_column)(sluice_context *ctx, const char *name,
                              const float *values, int64_t count);               /* v1 */
    /* Replaces or appends a categorical column. Copies codes and dictionary. */
    int (*put_categorical_column)(sluice_context *ctx, const char *name,
                                  const int32_t *codes, int64_t count,
                                  const char *const *dictionary, int32_t dictionary_size); /* v1 */
    /* Drops a column by name. */
    int (*drop_column)(sluice_context *ctx, const char *name);                   /* v1 */
    /* Role of each row (row_count bytes, sluice_row_role). */
    const uint8_t *(*row_roles)(sluice_context *ctx);                            /* v1 */
    /* 1-based line in the drop file where a row starts, or 0 if unknown. */
    int64_t (*row_line)(sluice_context *ctx, int64_t row);                       /* v1 */

    /* --- v1: configuration ------------------------------------------------ */
    /* Stage parameter as text, or NULL if not set. */
    const char *(*param)(sluice_context *ctx, const char *key);                  /* v1 */
    /* Parameters in a stable order (sorted by key). */
    int32_t (*param_count)(sluice_context *ctx);                                 /* v1 */
    const char *(*param_key)(sluice_context *ctx, int32_t index);                /* v1 */
    /* Pipeline settings: "pipeline", "task", "target", "seed", "drop_name",
     * "drop_sha256", "run_id", "holdout_fraction". NULL if unknown. */
    const char *(*setting)(sluice_context *ctx, const char *key);                /* v1 */

    /* --- v1: results ------------------------------------------------------ */
    /* Records a metric (recorded in the ledger and the archive). */
    int (*put_metric)(sluice_context *ctx, const char *name, double value);     /* v1 */
    /* Stores a named artifact (bytes are copied). Later stages can read it and
     * it is packaged into the model archive under its name. */
    int (*put_artifact)(sluice_context *ctx, const char *name,
                        const void *bytes, int64_t size);                        /* v1 */
    /* Reads an artifact stored by this or an earlier stage; NULL if absent. */
    const void *(*get_artifact)(sluice_context *ctx, const char *name, int64_t *size); /* v1 */
    /* Writes a log line (level: sluice_log_level). */
    void (*log)(sluice_context *ctx, int32_t level, const char *message);        /* v1 */
    /* Reports progress: fraction in [0, 1], and a short text. */
    void (*progress)(sluice_context *ctx, double fraction, const char *text);    /* v1 */
    /* Sets the verdict on the candidate model (sluice_verdict) with a reason. */
    void (*set_verdict)(sluice_context *ctx, int32_t verdict, const char *reason); /* v1 */
    /* Fails the stage with a message; run should then return SLUICE_ERROR. */
    void (*fail)(sluice_context *ctx, const char *message);                      /* v1 */

    /* --- grown in sluice 0.2 (still ABI v1): test SLUICE_HOST_HAS first --- */
    /* Keeps the rows whose keep[i] is nonzero (count == row_count) and removes
     * the others from every column, from the row roles and row lines (kept
     * rows keep their role and line) and from the host's row-aligned
     * artifacts (the champion's scores). Every pointer into the table or the
     * roles from before is invalid afterwards. SLUICE_ERROR (nothing changes)
     * when count is wrong, when no row would be left, and inside apply, which
     * must give one output row per input row. */
    int (*keep_rows)(sluice_context *ctx, const uint8_t *keep, int64_t count);  /* sluice 0.2 */
} sluice_host_api;

/** True when the host's table has `member` (a member added after the plugin's
 *  oldest supported host): `if (SLUICE_HOST_HAS(api, keep_rows)) ...`. */
#define SLUICE_HOST_HAS(api, member) \
    ((api)->struct_size >= offsetof(sluice_host_api, member) + sizeof((api)->member) && (api)->member != NULL)

/** Describes a plugin. Returned by the exported symbol; must stay valid for
 *  the life of the process. */
typedef struct sluice_plugin_descriptor {
    uint32_t struct_size;          /* sizeof(sluice_plugin_descriptor) as the plugin was built */
    uint32_t abi_version;          /* SLUICE_PLUGIN_ABI_VERSION the plugin was built against */
    const char *name;              /* short name, e.g. "validate" */
    const char *version;           /* the plugin's own version, e.g. "1.0.0" */
    int32_t kind;                  /* sluice_stage_kind */
    const char *summary;           /* one line for `sluice plugins` */
    /* Runs the stage. self is this descriptor. Returns SLUICE_OK, or
     * SLUICE_ERROR after calling api->fail. */
    int (*run)(const struct sluice_plugin_descriptor *self,
               const sluice_host_api *api, sluice_context *ctx);
    void *plugin_data;             /* for the plugin's own use; the host never reads it */

    /* --- grown in sluice 0.2 (still ABI v1): the host reads a member below
     * only when struct_size covers it, so plugins built before keep loading. */

    /* Optional (NULL if none): re-applies what run fitted to new rows, wherever
     * the model scores data (sluice predict, the champion re-score before the
     * gate, scoring drops). Called with a context whose table holds the new
     * rows (raw, before any stage; every row's role is SLUICE_ROW_HOLDOUT),
     * whose artifacts are the model archive's members (get_artifact returns
     * what run stored with put_artifact), and whose params and settings are
     * those of the run that made the model. Transform the table with
     * put_*_column / drop_column exactly as run did for its holdout rows;
     * metrics, artifacts and verdicts set here are ignored. */
    int (*apply)(const struct sluice_plugin_descriptor *self,
                 const sluice_host_api *api, sluice_context *ctx);
} sluice_plugin_descriptor;

/** Bytes of the descriptor as ABI v1 first defined it (up to plugin_data):
 *  the least struct_size the host accepts. */
#define SLUICE_PLUGIN_DESCRIPTOR_V1_SIZE (offsetof(sluice_plugin_descriptor, apply))

/** Type of the exported symbol. */
typedef const sluice_plugin_descriptor *(*sluice_plugin_descriptor_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_PLUGIN_H */

import GRDB

/// The ledger's schema, as named, forward-only migrations. GRDB records each
/// applied migration in `grdb_migrations`; a migration is never edited once
/// released — add a new one instead. docs/ledger.md documents every table.
enum LedgerSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-lifecycle") { db in
            try db.execute(sql: """
                CREATE TABLE drops (
                    id INTEGER PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    file_name TEXT NOT NULL,          -- name as dropped
                    inbox_path TEXT NOT NULL,         -- where it was dropped
                    sha256 TEXT,                      -- content hash, once read
                    size_bytes INTEGER,
                    rows INTEGER,
                    received_at TEXT NOT NULL,        -- file mtime (UTC ISO-8601)
                    claimed_at TEXT NOT NULL,
                    finished_at TEXT,
                    outcome TEXT NOT NULL DEFAULT 'claimed'
                        CHECK (outcome IN ('claimed', 'archived', 'quarantined')),
                    outcome_reason TEXT,
                    final_path TEXT                   -- in archive/ or quarantine/
                );
                CREATE INDEX drops_pipeline ON drops(pipeline, id);
                CREATE INDEX drops_sha ON drops(pipeline, sha256);

                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY,
                    run_key TEXT NOT NULL UNIQUE,     -- also the work/ folder name
                    drop_id INTEGER NOT NULL REFERENCES drops(id),
                    pipeline TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'running'
                        CHECK (status IN ('running', 'approved', 'rejected', 'failed', 'interrupted', 'duplicate')),
                    message TEXT,
                    seed INTEGER NOT NULL,
                    config_sha256 TEXT NOT NULL,
                    work_dir TEXT NOT NULL,
                    pid INTEGER,
                    started_at TEXT NOT NULL,
                    ended_at TEXT,
                    duration_ms REAL
                );
                CREATE INDEX runs_pipeline ON runs(pipeline, id);

                CREATE TABLE stage_runs (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL REFERENCES runs(id),
                    position INTEGER NOT NULL,        -- 0 = ingest, then stages in order
                    stage TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    plugin_name TEXT,
                    plugin_version TEXT,
                    plugin_path TEXT,
                    plugin_sha256 TEXT,
                    status TEXT NOT NULL DEFAULT 'running'
                        CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
                    message TEXT,
                    started_at TEXT NOT NULL,
                    ended_at TEXT,
                    duration_ms REAL,
                    UNIQUE (run_id, position)
                );

                CREATE TABLE metrics (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL REFERENCES runs(id),
                    stage_run_id INTEGER REFERENCES stage_runs(id),
                    name TEXT NOT NULL,
                    value REAL NOT NULL,
                    UNIQUE (run_id, stage_run_id, name)
                );

                CREATE TABLE models (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL UNIQUE REFERENCES runs(id),
                    pipeline TEXT NOT NULL,
                    version INTEGER,                  -- set when approved and published
                    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
                    reasons TEXT NOT NULL,
                    archive_path TEXT,
                    archive_sha256 TEXT,
                    created_at TEXT NOT NULL,
                    UNIQUE (pipeline, version)
                );

                CREATE TABLE promotions (
                    id INTEGER PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    model_id INTEGER NOT NULL REFERENCES models(id),
                    action TEXT NOT NULL CHECK (action IN ('promote', 'rollback')),
                    reason TEXT NOT NULL,
                    at TEXT NOT NULL
                );

                CREATE TABLE events (
                    id INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    level TEXT NOT NULL CHECK (level IN ('error', 'warning', 'info', 'debug')),
                    kind TEXT NOT NULL,               -- e.g. drop.claimed, stage.finished, model.published
                    pipeline TEXT,
                    drop_id INTEGER REFERENCES drops(id),
                    run_id INTEGER REFERENCES runs(id),
                    message TEXT NOT NULL
                );
                CREATE INDEX events_run ON events(run_id);

                -- The model each pipeline serves now: its latest promotion or rollback.
                CREATE VIEW current_models AS
                    SELECT p.pipeline, m.id AS model_id, m.version, m.archive_path, p.at AS since
                    FROM promotions p JOIN models m ON m.id = p.model_id
                    WHERE p.id = (SELECT max(id) FROM promotions q WHERE q.pipeline = p.pipeline);

                -- One row per model and metric, for charts and ad-hoc queries.
                CREATE VIEW model_metrics AS
                    SELECT m.pipeline, m.version, m.decision, m.run_id, s.stage, x.name AS metric, x.value
                    FROM models m
                    JOIN metrics x ON x.run_id = m.run_id
                    LEFT JOIN stage_runs s ON s.id = x.stage_run_id;
                """)
        }
        migrator.registerMigration("v2-gate-rules") { db in
            try db.execute(sql: """
                -- Every promotion rule an evaluate stage checked, with its outcome.
                CREATE TABLE gate_rules (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL REFERENCES runs(id),
                    stage_run_id INTEGER NOT NULL REFERENCES stage_runs(id),
                    metric TEXT NOT NULL,
                    bound TEXT NOT NULL CHECK (bound IN ('min', 'max', 'champion', 'first_run')),
                    threshold REAL NOT NULL,               -- champion: the required improvement
                    measured REAL,                    -- NULL: the metric was not measured
                    passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
                    text TEXT NOT NULL                -- e.g. 'auc 0.812 < min 0.85'
                );
                CREATE INDEX gate_rules_run ON gate_rules(run_id);
                """)
        }
        migrator.registerMigration("v3-data-plane") { db in
            try db.execute(sql: """
                -- Every validation finding, one row each (errors reject the drop).
                CREATE TABLE findings (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL REFERENCES runs(id),
                    stage_run_id INTEGER NOT NULL REFERENCES stage_runs(id),
                    kind TEXT NOT NULL,               -- e.g. missing_column, out_of_range, unseen_category
                    severity TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
                    column_name TEXT,                 -- NULL: about the whole drop
                    measured TEXT,
                    expected TEXT,
                    count INTEGER,                    -- rows concerned, when counted
                    examples TEXT,                    -- a few offending values with their lines
                    message TEXT NOT NULL
                );
                CREATE INDEX findings_run ON findings(run_id);

                -- The data profile of each drop that passed validation: column types,
                -- null rates, ranges, quantile bins, category frequencies (JSON).
                CREATE TABLE drop_profiles (
                    drop_id INTEGER PRIMARY KEY REFERENCES drops(id),
                    run_id INTEGER NOT NULL REFERENCES runs(id),
                    profile TEXT NOT NULL
                );

                -- A pipeline's pinned schema: the first approved drop's profile
                -- (source 'pinned'); the newest row is in force.
                CREATE TABLE schemas (
                    id INTEGER PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    source TEXT NOT NULL CHECK (source IN ('pinned', 'config')),
                    drop_id INTEGER REFERENCES drops(id),
                    profile TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX schemas_pipeline ON schemas(pipeline, id);

                -- Per-feature drift of a drop against the champion's training profile.
                CREATE TABLE drift_scores (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL REFERENCES runs(id),
                    drop_id INTEGER NOT NULL REFERENCES drops(id),
                    reference_drop_id INTEGER REFERENCES drops(id),
                    column_name TEXT NOT NULL,
                    measure TEXT NOT NULL CHECK (measure IN ('psi', 'js')),
                    score REAL NOT NULL,
                    threshold REAL NOT NULL,
                    drifted INTEGER NOT NULL CHECK (drifted IN (0, 1))
                );
                CREATE INDEX drift_scores_run ON drift_scores(run_id);
                """)
        }
        migrator.registerMigration("v4-run-inputs") { db in
            try db.execute(sql: """
                -- Every drop a run trained on (its own first, then the window's, newest first).
                CREATE TABLE run_inputs (
                    run_id INTEGER NOT NULL REFERENCES runs(id),
                    drop_id INTEGER NOT NULL REFERENCES drops(id),
                    position INTEGER NOT NULL,
                    rows INTEGER NOT NULL,
                    PRIMARY KEY (run_id, drop_id)
                );
                """)
        }
        migrator.registerMigration("v5-publication") { db in
            try db.execute(sql: """
                -- A version is reserved (publishing) before its archive is written, and
                -- published once the archive is in place and current points at it; a
                -- reservation whose archive never appeared is abandoned. Versions are
                -- never reused, so a published archive is never overwritten.
                ALTER TABLE models ADD COLUMN publication TEXT
                    CHECK (publication IN ('publishing', 'published', 'abandoned'));
                UPDATE models SET publication = 'published' WHERE version IS NOT NULL;
                """)
        }
        migrator.registerMigration("v6-champion-changes") { db in
            try db.execute(sql: """
                -- Every change of the model a pipeline serves (what current.tar.gz points
                -- at), append-only: from which model to which, why, by whom, when.
                CREATE TABLE champion_changes (
                    id INTEGER PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    from_model_id INTEGER REFERENCES models(id),   -- NULL: nothing was served before
                    to_model_id INTEGER NOT NULL REFERENCES models(id),
                    action TEXT NOT NULL
                        CHECK (action IN ('approve', 'rollback', 'force-promote', 'auto-rollback')),
                    reason TEXT NOT NULL,
                    by_name TEXT NOT NULL,            -- 'sluice' for the daemon's own approvals
                    at TEXT NOT NULL
                );
                INSERT INTO champion_changes (id, pipeline, from_model_id, to_model_id, action, reason, by_name, at)
                    SELECT p.id, p.pipeline,
                           (SELECT q.model_id FROM promotions q WHERE q.pipeline = p.pipeline AND q.id < p.id
                            ORDER BY q.id DESC LIMIT 1),
                           p.model_id, CASE p.action WHEN 'promote' THEN 'approve' ELSE p.action END, p.reason,
                           'sluice', p.at
                    FROM promotions p;
                DROP VIEW current_models;
                DROP TABLE promotions;

                -- The model each pipeline serves now: its latest champion change.
                CREATE VIEW current_models AS
                    SELECT c.pipeline, m.id AS model_id, m.version, m.archive_path, c.at AS since
                    FROM champion_changes c JOIN models m ON m.id = c.to_model_id
                    WHERE c.id = (SELECT max(id) FROM champion_changes q WHERE q.pipeline = c.pipeline);

                -- Who served when: one interval per change, [since, until); until is NULL
                -- for the model in service now. The champion of pipeline P at time T:
                --   SELECT * FROM champion_history
                --   WHERE pipeline = P AND since <= T AND (until IS NULL OR until > T);
                CREATE VIEW champion_history AS
                    SELECT c.id AS change_id, c.pipeline, c.to_model_id AS model_id, m.version,
                           f.version AS from_version, c.action, c.reason, c.by_name, c.at AS since,
                           (SELECT n.at FROM champion_changes n WHERE n.pipeline = c.pipeline AND n.id > c.id
                            ORDER BY n.id LIMIT 1) AS until
                    FROM champion_changes c
                    JOIN models m ON m.id = c.to_model_id
                    LEFT JOIN models f ON f.id = c.from_model_id;
                """)
        }
        migrator.registerMigration("v7-retention") { db in
            try db.execute(sql: """
                -- Tombstones: what retention deleted stays in the ledger, marked with when and why.
                ALTER TABLE models ADD COLUMN deleted_at TEXT;
                ALTER TABLE models ADD COLUMN deleted_reason TEXT;
                ALTER TABLE drops ADD COLUMN deleted_at TEXT;
                ALTER TABLE drops ADD COLUMN deleted_reason TEXT;
                """)
        }
        migrator.registerMigration("v8-identity") { db in
            try db.execute(sql: """
                -- The model's identity: the digest of its inputs and outputs (manifest.json's identity).
                ALTER TABLE models ADD COLUMN identity TEXT;
                """)
        }
        migrator.registerMigration("v9-baseline-rules") { db in
            try db.execute(sql: """
                -- Gate rules gain the 'baseline' bound (the trivial predictor every evaluation scores).
                CREATE TABLE gate_rules_v9 (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL REFERENCES runs(id),
                    stage_run_id INTEGER NOT NULL REFERENCES stage_runs(id),
                    metric TEXT NOT NULL,
                    bound TEXT NOT NULL CHECK (bound IN ('min', 'max', 'champion', 'baseline', 'first_run')),
                    threshold REAL NOT NULL,          -- champion, baseline: the required improvement
                    measured REAL,                    -- NULL: the metric was not measured
                    passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
                    text TEXT NOT NULL                -- e.g. 'auc 0.812 < min 0.85'
                );
                INSERT INTO gate_rules_v9 SELECT id, run_id, stage_run_id, metric, bound, threshold, measured, passed, text
                    FROM gate_rules;
                DROP TABLE gate_rules;
                ALTER TABLE gate_rules_v9 RENAME TO gate_rules;
                CREATE INDEX gate_rules_run ON gate_rules(run_id);
                """)
        }
        migrator.registerMigration("v10-scoring") { db in
            try db.execute(sql: """
                -- Drops arrive in a pipeline's training, scoring or labels inbox.
                ALTER TABLE drops ADD COLUMN kind TEXT NOT NULL DEFAULT 'train'
                    CHECK (kind IN ('train', 'score', 'labels'));

                -- One scoring of a drop by the model in service.
                CREATE TABLE scoring_runs (
                    id INTEGER PRIMARY KEY,
                    run_key TEXT NOT NULL UNIQUE,
                    pipeline TEXT NOT NULL,
                    drop_id INTEGER NOT NULL REFERENCES drops(id),
                    model_id INTEGER REFERENCES models(id),
                    version INTEGER,
                    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'scored', 'quarantined')),
                    rows INTEGER,
                    predictions_path TEXT,
                    summary TEXT,                     -- JSON: class shares or mean and quantiles, findings
                    drifted_share REAL,
                    message TEXT,
                    started_at TEXT NOT NULL,
                    ended_at TEXT
                );

                -- What each scored row was predicted (scores: comma-separated, full precision).
                CREATE TABLE predictions (
                    scoring_run_id INTEGER NOT NULL REFERENCES scoring_runs(id),
                    row_id TEXT NOT NULL,
                    scores TEXT NOT NULL,
                    PRIMARY KEY (scoring_run_id, row_id)
                );
                CREATE INDEX predictions_row ON predictions(row_id);

                -- How the model in service did once the truth was known: per scoring
                -- drop joined to a labels drop, and on each training drop's holdout.
                CREATE TABLE realized_metrics (
                    id INTEGER PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    source TEXT NOT NULL CHECK (source IN ('labels', 'training')),
                    scoring_run_id INTEGER REFERENCES scoring_runs(id),
                    labels_drop_id INTEGER REFERENCES drops(id),
                    run_id INTEGER REFERENCES runs(id),
                    name TEXT NOT NULL,
                    value REAL NOT NULL,
                    rows INTEGER NOT NULL,
                    at TEXT NOT NULL
                );
                CREATE INDEX realized_metrics_pipeline ON realized_metrics(pipeline, id);
                """)
        }
        migrator.registerMigration("v11-monitor") { db in
            try db.execute(sql: """
                -- Every action a monitor: policy took, with the measurements that triggered it.
                CREATE TABLE monitor_actions (
                    id INTEGER PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('alert', 'retrain', 'rollback')),
                    version INTEGER NOT NULL,         -- the model in service when it triggered
                    metric TEXT NOT NULL,
                    measurement_id INTEGER NOT NULL REFERENCES realized_metrics(id),
                    measured TEXT NOT NULL,           -- the breaching values, oldest first
                    reason TEXT NOT NULL,
                    outcome TEXT NOT NULL,            -- what was done
                    consumed_run_id INTEGER REFERENCES runs(id),   -- retrain: the run that waived the champion
                    at TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v12-monitor-drift") { db in
            try db.execute(sql: """
                -- Monitor actions may also be triggered by drift of scored data: measurement_id
                -- becomes optional, and scoring_run_id names the drifted scoring drop.
                CREATE TABLE monitor_actions_v12 (
                    id INTEGER PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('alert', 'retrain', 'rollback')),
                    version INTEGER NOT NULL,
                    metric TEXT NOT NULL,             -- the realized metric, or 'drift'
                    measurement_id INTEGER REFERENCES realized_metrics(id),
                    scoring_run_id INTEGER REFERENCES scoring_runs(id),
                    measured TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    consumed_run_id INTEGER REFERENCES runs(id),
                    at TEXT NOT NULL
                );
                INSERT INTO monitor_actions_v12 (id, pipeline, action, version, metric, measurement_id, measured, reason,
                                                 outcome, consumed_run_id, at)
                    SELECT id, pipeline, action, version, metric, measurement_id, measured, reason, outcome, consumed_run_id, at
                    FROM monitor_actions;
                DROP TABLE monitor_actions;
                ALTER TABLE monitor_actions_v12 RENAME TO monitor_actions;
                """)
        }
        migrator.registerMigration("v13-report-views") { db in
            try db.execute(sql: """
                -- Views for reading the ledger directly (docs/report.md); `sluice report --format csv` prints them.
                CREATE VIEW runs_overview AS
                    SELECT r.id AS run_id, r.pipeline, r.run_key, r.status, r.started_at, r.ended_at, r.duration_ms,
                           d.file_name, d.sha256 AS drop_sha256, d.rows, m.decision, m.version, r.message
                    FROM runs r JOIN drops d ON d.id = r.drop_id LEFT JOIN models m ON m.run_id = r.id;
                CREATE VIEW model_versions AS
                    SELECT m.pipeline, m.version, m.decision, m.publication, m.identity, m.archive_path, m.archive_sha256,
                           m.created_at, m.deleted_at, r.run_key, r.drop_id, m.reasons,
                           (m.id IN (SELECT model_id FROM current_models)) AS in_service
                    FROM models m JOIN runs r ON r.id = m.run_id;
                CREATE VIEW quarantine AS
                    SELECT id AS drop_id, pipeline, kind, file_name, received_at, finished_at, outcome_reason AS reason, final_path
                    FROM drops WHERE outcome = 'quarantined';
                CREATE VIEW drift_by_drop AS
                    SELECT d.pipeline, s.drop_id, d.file_name, d.received_at, s.run_id, s.reference_drop_id, s.column_name,
                           s.measure, s.score, s.threshold, s.drifted
                    FROM drift_scores s JOIN drops d ON d.id = s.drop_id;
                CREATE INDEX IF NOT EXISTS drops_pipeline_received ON drops(pipeline, received_at);
                """)
        }
        migrator.registerMigration("v14-report-indexes") { db in
            try db.execute(sql: """
                -- The report reads the newest rows of each pipeline.
                CREATE INDEX models_pipeline_id ON models(pipeline, id);
                CREATE INDEX champion_changes_pipeline_id ON champion_changes(pipeline, id);
                CREATE INDEX realized_metrics_pipeline_id ON realized_metrics(pipeline, id);
                """)
        }
        migrator.registerMigration("v15-hosts") { db in
            try db.execute(sql: """
                -- Which host ran each run (a shared PostgreSQL ledger has many), and the
                -- claims hosts take on drops in a shared inbox: one row per (pipeline,
                -- file identity), held under a lease the claiming host renews; a lease
                -- that runs out lets another host take the drop over (docs/scale.md).
                ALTER TABLE runs ADD COLUMN host TEXT;
                CREATE TABLE claims (
                    id INTEGER PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    identity TEXT NOT NULL,           -- inbox path, size, mtime and inode when claimed
                    inbox_path TEXT NOT NULL,
                    claim_key TEXT NOT NULL,          -- the work/ folder's name
                    host TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('held', 'done')),
                    lease_until REAL NOT NULL,        -- seconds since 1970, on the database's clock
                    takeovers INTEGER NOT NULL DEFAULT 0,
                    claimed_at TEXT NOT NULL,
                    UNIQUE (pipeline, identity)
                );
                CREATE INDEX claims_key ON claims(claim_key);
                CREATE INDEX claims_lease ON claims(state, lease_until);
                -- One row per named lock (e.g. a pipeline's versions), locked FOR UPDATE in PostgreSQL.
                CREATE TABLE ledger_locks (name TEXT PRIMARY KEY);
                -- Which host runs each lane (a pipeline's inbox) now: one at a time, in order.
                CREATE TABLE lane_leases (lane TEXT PRIMARY KEY, host TEXT, lease_until REAL NOT NULL);
                -- Every host's daemon, seen until its heartbeat lapses: lanes are shared out among the live ones.
                CREATE TABLE hosts (host TEXT PRIMARY KEY, seen_until REAL NOT NULL, started_at TEXT NOT NULL);
                DROP VIEW runs_overview;
                CREATE VIEW runs_overview AS
                    SELECT r.id AS run_id, r.pipeline, r.run_key, r.status, r.started_at, r.ended_at, r.duration_ms,
                           d.file_name, d.sha256 AS drop_sha256, d.rows, m.decision, m.version, r.message, r.host
                    FROM runs r JOIN drops d ON d.id = r.drop_id LEFT JOIN models m ON m.run_id = r.id;
                """)
        }
        migrator.registerMigration("v16-column-cache") { db in
            try db.execute(sql: """
                -- The checksum of each archived drop's column cache (archive/<pipeline>/.columns/,
                -- docs/ingest.md), so a window uses only the cache written for that drop.
                ALTER TABLE drops ADD COLUMN columns_checksum TEXT;
                """)
        }
        return migrator
    }
}

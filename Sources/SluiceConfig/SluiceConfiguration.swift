import SluiceSystem

/// The whole daemon configuration (`sluice.yaml`), with every path made
/// absolute. Built only by ``ConfigLoader``, so a value of this type is valid.
public struct SluiceConfiguration: Sendable {
    /// Absolute path of the file this came from.
    public let file: String
    /// SHA-256 of the file's bytes (recorded with every run).
    public let sha256: String
    /// Folder holding work/, archive/, quarantine/, outbox/ and the ledger.
    public let stateDirectory: String
    /// Folders searched for plugins, before the built-in ones.
    public let pluginPath: [String]
    /// Pipelines in file order.
    public let pipelines: [PipelineConfiguration]
    /// Runs executing at once (each in its own worker process).
    public let workers: Int
    /// How many runs of one lane a worker process serves before it is
    /// replaced (`worker_runs`; 1 = a fresh process for every run). A worker
    /// is also replaced after any run that did not end cleanly, when its
    /// memory or descriptors grew, or when the configuration or a plugin file changed.
    public var workerRuns: Int = 100
    /// How long a file that was never closed must keep its size before it is taken.
    public let settleSeconds: Double
    /// Prometheus textfile-collector output, if wanted.
    public let metricsFile: String?
    /// Ed25519 private key that signs every archive's manifest, if wanted.
    public let signingKey: String?
    /// Whether `$SLUICE_PLUGIN_PATH` is searched when sluice runs as a service
    /// (`allow_plugin_path_env`; outside a service it always is).
    public var allowPluginPathEnvironment: Bool = false
    /// The text this was parsed from: what the daemon hands each worker, so a
    /// worker runs on exactly the configuration the daemon validated.
    public var text: String = ""

    /// `ledger:` as written: a `postgres://` URL (a ledger many hosts share),
    /// a SQLite file's path, or nil for `<state_dir>/ledger.sqlite`.
    public var ledger: String?
    /// The name this daemon records as the host of its runs and claims
    /// (`host:`; default the machine's host name).
    public var host: String = ConfigLoader.machineHostName()
    /// How often the inboxes are listed again besides inotify (`rescan_seconds`):
    /// inotify does not see files other hosts write on a network share.
    /// Default 5 with a PostgreSQL ledger, else never.
    public var rescanSeconds: Double?
    /// How long a host's claim on a drop lasts without a heartbeat before
    /// another host may take the drop over (`lease_seconds`, shared ledger only).
    public var leaseSeconds: Double = 30

    /// The SQLite file the ledger is in, when it is SQLite.
    public var ledgerPath: String { ledger.flatMap { Self.isPostgres($0) ? nil : $0 } ?? stateDirectory + "/ledger.sqlite" }
    /// What `SQLLedger.open` takes: the URL, or the SQLite file's path.
    public var ledgerLocation: String { ledger.flatMap { Self.isPostgres($0) ? $0 : nil } ?? ledgerPath }
    /// Whether the ledger is a PostgreSQL server several hosts may share.
    public var sharedLedger: Bool { ledger.map(Self.isPostgres) ?? false }

    static func isPostgres(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }
    public var workDirectory: String { stateDirectory + "/work" }
    public func archiveDirectory(_ pipeline: String) -> String { stateDirectory + "/archive/" + pipeline }
    public func quarantineDirectory(_ pipeline: String) -> String { stateDirectory + "/quarantine/" + pipeline }
    public func outboxDirectory(_ pipeline: String) -> String { stateDirectory + "/outbox/" + pipeline }

    /// The pipeline named `name`.
    public func pipeline(named name: String) -> PipelineConfiguration? {
        pipelines.first { $0.name == name }
    }
}

/// One pipeline: where drops arrive, what to learn, how, and when to publish.
public struct PipelineConfiguration: Sendable, Equatable {
    public let name: String
    /// Absolute inbox folder.
    public let inbox: String
    public let task: Task
    /// Name of the column to predict.
    public let target: String
    /// Seed for the split and for every stage (same seed ⇒ same model).
    public let seed: UInt64
    /// Share of rows held out for evaluation, in (0, 1).
    public let holdoutFraction: Double
    /// Stages in run order.
    public let stages: [StageConfiguration]
    /// Rules the candidate's metrics must meet to be published.
    public let promotion: PromotionRules
    /// What to do with a drop whose content was processed before.
    public let onDuplicate: DuplicatePolicy
    /// Limits for each run's worker process.
    public let limits: RunLimits
    /// Attempts at a drop whose worker was interrupted before it is quarantined.
    public let maxAttempts: Int
    /// Which drops a run trains on.
    public internal(set) var window: TrainingWindow = .latest
    /// A schema written in the config; when present it wins over the pinned one.
    public internal(set) var schema: ExplicitSchema?
    /// What `sluice gc` (and the run after each publication) may delete.
    public internal(set) var retention = RetentionPolicy()
    /// Scoring and labels inboxes, if the pipeline has them.
    public internal(set) var monitoring = MonitoringInboxes()
    /// What to do when the model in service degrades, if anything.
    public internal(set) var monitor: MonitorPolicy?

    /// `schema: {columns: {name: {type, min, max, max_null_fraction, categories}}}`.
    public struct ExplicitSchema: Sendable, Equatable {
        public struct Column: Sendable, Equatable {
            public var name: String
            /// "numeric" or "categorical".
            public var type: String
            public var min: Double?
            public var max: Double?
            public var maxNullFraction: Double?
            public var categories: [String]?
        }
        public var columns: [Column]
    }

    /// `latest`: the new drop only; `drops(n)`: it and the previous n − 1
    /// archived drops; `days(d)`: it and the archived drops received in the last d days.
    public enum TrainingWindow: Sendable, Equatable {
        case latest
        case drops(Int)
        case days(Double)
    }

    public enum DuplicatePolicy: String, Sendable, CaseIterable {
        case skip, retrain
    }

    public enum Task: String, Sendable, CaseIterable {
        case binary, multiclass, regression
    }
}

/// Resource limits for a run's worker, set in the worker before plugins load.
public struct RunLimits: Sendable, Equatable {
    /// Wall-clock limit; then SIGTERM, and SIGKILL after `graceSeconds`.
    public var timeSeconds: Double = 3600
    public var graceSeconds: Double = 10
    /// Address-space limit (RLIMIT_AS), in MiB.
    public var memoryMB: Int = 8192
    /// CPU-time limit (RLIMIT_CPU), in seconds.
    public var cpuSeconds: Int = 7200
    /// Open-file limit (RLIMIT_NOFILE).
    public var openFiles: Int = 256
    /// Most bytes of text a drop may hold (after decompression); refused past it.
    public var maxDropBytes: Int = 16 << 30
    /// Most data rows a drop may hold.
    public var maxRows: Int = 200_000_000
    /// Longest field accepted, in bytes.
    public var maxFieldBytes: Int = 1 << 20

    public init() {}
}

/// One stage of a pipeline.
public struct StageConfiguration: Sendable, Equatable {
    /// The plugin: a short name searched on the plugin path, or a path to a `.so`.
    public let plugin: String
    /// Name shown in logs and the ledger (defaults to the plugin name).
    public let name: String
    /// Parameters as text, handed to the plugin as-is.
    public let params: [String: String]
    /// Line in the config file (for error messages).
    public let line: Int
}

/// Absolute thresholds on metrics, in file order.
public struct PromotionRules: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public enum Bound: String, Sendable { case min, max }
        public let metric: String
        public let bound: Bound
        public let threshold: Double
    }

    /// Comparison with the model in service, on the same holdout rows.
    public struct Champion: Sendable, Equatable {
        /// The metric compared (its better direction is known to evaluate).
        public let metric: String
        /// Required improvement over the champion, absolute (may be negative to allow a small loss).
        public let minImprovement: Double?
        /// Required improvement relative to the champion's value (0.01 = 1%).
        /// With neither margin set, the candidate must be no worse.
        public let minRelativeImprovement: Double?
    }

    /// The trivial predictor every evaluation also scores (majority class /
    /// class priors, or the training mean): `baseline: {metric, min_improvement}`.
    public struct Baseline: Sendable, Equatable {
        public let metric: String
        /// Required improvement over the baseline's value (default 0: no worse).
        public let minImprovement: Double?
    }

    /// What to do when there is no champion yet.
    public enum FirstRun: String, Sendable, CaseIterable {
        /// The absolute rules decide alone.
        case approve
        /// Nothing is published until a champion exists (seed one by hand).
        case reject
    }

    public let rules: [Rule]
    public let champion: Champion?
    public let baseline: Baseline?
    public let firstRun: FirstRun

    public init(rules: [Rule], champion: Champion? = nil, baseline: Baseline? = nil, firstRun: FirstRun = .approve) {
        self.rules = rules
        self.champion = champion
        self.baseline = baseline
        self.firstRun = firstRun
    }

    /// Rules as stage parameters (`min.auc` = `0.75`, `champion.metric` = `auc`, …),
    /// as the evaluate stage receives them.
    public var asParams: [String: String] {
        var out: [String: String] = [:]
        for rule in rules { out["\(rule.bound.rawValue).\(rule.metric)"] = String(rule.threshold) }
        if let champion {
            out["champion.metric"] = champion.metric
            if let margin = champion.minImprovement { out["champion.min_improvement"] = String(margin) }
            if let margin = champion.minRelativeImprovement { out["champion.min_relative_improvement"] = String(margin) }
        }
        if let baseline {
            out["baseline.metric"] = baseline.metric
            if let margin = baseline.minImprovement { out["baseline.min_improvement"] = String(margin) }
        }
        out["first_run"] = firstRun.rawValue
        return out
    }
}

import Foundation
import SluiceSystem
import Yams
#if canImport(Glibc)
import Glibc
#endif

/// Reads `sluice.yaml` strictly: unknown keys, wrong types, missing required
/// keys and duplicate names are errors naming the file, line, column and key.
/// Relative paths resolve against the config file's folder.
public enum ConfigLoader {
    /// Loads and checks the configuration at `path`.
    /// - Throws: ``ConfigError`` (or ``SystemError`` when the file cannot be read).
    public static func load(_ path: String) throws -> SluiceConfiguration {
        let absolute = FileSystem.absolute(path)
        let bytes = try FileSystem.read(absolute)
        return try parse(String(decoding: bytes, as: UTF8.self), file: absolute, sha256: ContentHash.sha256(bytes))
    }

    /// What a caller replaces in a parsed configuration (`sluice verify --reproduce`
    /// re-runs an archive's own config in a scratch state folder).
    public struct Overrides: Sendable {
        public var stateDirectory: String?
        /// Searched before the config's own plugin_path.
        public var pluginPathPrefix: [String] = []
        /// No signing (and no check of the key file).
        public var withoutSigning = false

        public init(stateDirectory: String? = nil, pluginPathPrefix: [String] = [], withoutSigning: Bool = false) {
            self.stateDirectory = stateDirectory
            self.pluginPathPrefix = pluginPathPrefix
            self.withoutSigning = withoutSigning
        }
    }

    /// Parses configuration text; `file` is used for errors and to resolve relative paths.
    public static func parse(_ text: String, file: String, sha256: String? = nil,
                             overrides: Overrides = Overrides()) throws -> SluiceConfiguration {
        let reader = NodeReader(file: file)
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: nil, column: nil, keyPath: "",
                                  message: "the file is empty; expected a mapping with 'pipelines'")
            }
            root = composed
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            throw reader.yamlSyntaxError(error)
        }
        let base = FileSystem.directory(of: file)
        let top = try reader.mapping(root, path: "", allowed: [
            "state_dir", "plugin_path", "allow_plugin_path_env", "pipelines", "workers", "settle_seconds", "metrics_file",
            "signing_key", "ledger", "host", "rescan_seconds", "lease_seconds", "worker_runs",
        ])
        let workers = try top["workers"].map { try reader.positiveInt($0, path: "workers") }
            ?? max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let settle = try top["settle_seconds"].map { try reader.double($0, path: "settle_seconds") } ?? 2.0
        let metricsFile = try top["metrics_file"].map {
            FileSystem.resolve(try reader.string($0, path: "metrics_file"), against: FileSystem.directory(of: file))
        }
        let signingKey = overrides.withoutSigning ? nil : try top["signing_key"].map { node in
            let path = FileSystem.resolve(try reader.string(node, path: "signing_key"), against: base)
            guard FileSystem.isRegularFile(path) else {
                throw reader.error(node, path: "signing_key", "no key file at \(path) (make one with `sluice keygen --output DIR`)")
            }
            do { _ = try ManifestSigner(keyFile: path) } catch {
                throw reader.error(node, path: "signing_key", "\(error)")
            }
            return path
        }

        let stateDirectory = try overrides.stateDirectory ?? top["state_dir"].map { FileSystem.resolve(try reader.string($0, path: "state_dir"), against: base) }
            ?? "/var/lib/sluice"
        let ownPluginPath = try top["plugin_path"].map { node in
            try reader.sequence(node, path: "plugin_path").enumerated().map { index, item in
                FileSystem.resolve(try reader.string(item, path: "plugin_path[\(index)]"), against: base)
            }
        } ?? []
        let pluginPath = overrides.pluginPathPrefix + ownPluginPath
        let allowPluginPathEnvironment = try top["allow_plugin_path_env"].map {
            try reader.bool($0, path: "allow_plugin_path_env")
        } ?? false
        guard let pipelinesNode = top["pipelines"] else {
            throw reader.error(root, path: "", "missing required key 'pipelines' (a mapping of pipeline name to settings)")
        }
        let pipelineEntries = try reader.orderedMapping(pipelinesNode, path: "pipelines")
        if pipelineEntries.isEmpty {
            throw reader.error(pipelinesNode, path: "pipelines", "expected at least one pipeline")
        }
        var pipelines: [PipelineConfiguration] = []
        for (name, keyNode, value) in pipelineEntries {
            pipelines.append(try pipeline(name: name, keyNode: keyNode, node: value, reader: reader,
                                          stateDirectory: stateDirectory, base: base))
        }
        var configuration = SluiceConfiguration(file: file, sha256: sha256 ?? ContentHash.sha256(Array(text.utf8)),
                                                stateDirectory: stateDirectory, pluginPath: pluginPath, pipelines: pipelines,
                                                workers: workers, settleSeconds: settle, metricsFile: metricsFile,
                                                signingKey: signingKey, allowPluginPathEnvironment: allowPluginPathEnvironment,
                                                text: text)
        try sharing(top, reader: reader, base: base, into: &configuration)
        if let node = top["worker_runs"] {
            configuration.workerRuns = try reader.positiveInt(node, path: "worker_runs")
        }
        return configuration
    }

    /// `ledger`, `host`, `rescan_seconds` and `lease_seconds` (docs/scale.md).
    static func sharing(_ top: [String: Node], reader: NodeReader, base: String,
                        into configuration: inout SluiceConfiguration) throws {
        if let node = top["ledger"] {
            let text = try reader.string(node, path: "ledger")
            if SluiceConfiguration.isPostgres(text) {
                guard let url = URLComponents(string: text) else {
                    throw reader.error(node, path: "ledger", "'\(text)' is not a URL; expected postgres://USER@HOST:PORT/DATABASE")
                }
                if url.password != nil {
                    throw reader.error(node, path: "ledger", "the URL holds a password: put it in a file named by "
                                       + "?password_file=PATH, or in $PGPASSFILE — never in sluice.yaml")
                }
                if (url.user ?? "").isEmpty || url.path.count <= 1 {
                    throw reader.error(node, path: "ledger", "expected postgres://USER@HOST:PORT/DATABASE (user and database are needed)")
                }
                configuration.ledger = text
            } else {
                configuration.ledger = FileSystem.resolve(text, against: base)
            }
        }
        if let node = top["host"] {
            let host = try reader.string(node, path: "host")
            guard !host.isEmpty, host.count <= 64, host.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw reader.error(node, path: "host", "expected a name of letters, digits, '-', '_' and '.' (at most 64)")
            }
            configuration.host = host
        }
        configuration.rescanSeconds = try top["rescan_seconds"].map { node in
            let seconds = try reader.double(node, path: "rescan_seconds")
            guard seconds > 0 else { throw reader.error(node, path: "rescan_seconds", "expected a number of seconds above 0") }
            return seconds
        } ?? (configuration.sharedLedger ? 5 : nil)
        if let node = top["lease_seconds"] {
            let seconds = try reader.double(node, path: "lease_seconds")
            guard seconds >= 3 else { throw reader.error(node, path: "lease_seconds", "expected at least 3 seconds") }
            configuration.leaseSeconds = seconds
        }
    }

    /// This machine's host name (the default `host:`).
    public static func machineHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }

    static func pipeline(name: String, keyNode: Node, node: Node, reader: NodeReader,
                         stateDirectory: String, base: String) throws -> PipelineConfiguration {
        let path = "pipelines.\(name)"
        if name.isEmpty || name.contains("/") || name.hasPrefix(".") || name.contains(" ") {
            throw reader.error(keyNode, path: path, "pipeline names are used as folder names: no '/', spaces or leading '.'")
        }
        let fields = try reader.mapping(node, path: path, allowed: [
            "inbox", "task", "target", "seed", "holdout", "stages", "promotion", "on_duplicate", "limits", "max_attempts",
            "window", "schema", "retention", "scoring", "labels", "monitor",
        ])
        var schema: PipelineConfiguration.ExplicitSchema?
        if let schemaNode = fields["schema"] {
            let schemaPath = path + ".schema"
            let top = try reader.mapping(schemaNode, path: schemaPath, allowed: ["columns"])
            guard let columnsNode = top["columns"] else {
                throw reader.error(schemaNode, path: schemaPath, "missing required key 'columns' (name: {type: numeric|categorical, ...})")
            }
            var columns: [PipelineConfiguration.ExplicitSchema.Column] = []
            for (columnName, _, columnNode) in try reader.orderedMapping(columnsNode, path: schemaPath + ".columns") {
                let columnPath = "\(schemaPath).columns.\(columnName)"
                let entries = try reader.mapping(columnNode, path: columnPath,
                                                 allowed: ["type", "min", "max", "max_null_fraction", "categories"])
                guard let typeNode = entries["type"] else {
                    throw reader.error(columnNode, path: columnPath, "missing required key 'type' (numeric or categorical)")
                }
                let type = try reader.string(typeNode, path: columnPath + ".type")
                guard type == "numeric" || type == "categorical" else {
                    throw reader.error(typeNode, path: columnPath + ".type", "expected numeric or categorical, found '\(type)'")
                }
                var categories: [String]?
                if let node = entries["categories"] {
                    guard type == "categorical" else {
                        throw reader.error(node, path: columnPath + ".categories", "only categorical columns list categories")
                    }
                    categories = try reader.sequence(node, path: columnPath + ".categories").enumerated().map { index, item in
                        try reader.scalarText(item, path: "\(columnPath).categories[\(index)]")
                    }
                }
                for key in ["min", "max"] where entries[key] != nil && type != "numeric" {
                    throw reader.error(entries[key]!, path: columnPath + "." + key, "only numeric columns have a \(key)")
                }
                let maxNull = try entries["max_null_fraction"].map { try reader.double($0, path: columnPath + ".max_null_fraction") }
                if let maxNull, !(0...1).contains(maxNull) {
                    throw reader.error(entries["max_null_fraction"]!, path: columnPath + ".max_null_fraction",
                                       "expected a fraction between 0 and 1, found \(maxNull)")
                }
                columns.append(.init(name: columnName, type: type,
                                     min: try entries["min"].map { try reader.double($0, path: columnPath + ".min") },
                                     max: try entries["max"].map { try reader.double($0, path: columnPath + ".max") },
                                     maxNullFraction: maxNull, categories: categories))
            }
            if columns.isEmpty { throw reader.error(columnsNode, path: schemaPath + ".columns", "expected at least one column") }
            schema = .init(columns: columns)
        }
        var window = PipelineConfiguration.TrainingWindow.latest
        if let windowNode = fields["window"] {
            let windowPath = path + ".window"
            if case .scalar = windowNode {
                let text = try reader.string(windowNode, path: windowPath)
                guard text == "latest" else {
                    throw reader.error(windowNode, path: windowPath, "expected latest, {drops: N} or {days: D}, found '\(text)'")
                }
            } else {
                let entries = try reader.mapping(windowNode, path: windowPath, allowed: ["drops", "days"])
                if entries.count != 1 {
                    throw reader.error(windowNode, path: windowPath, "give exactly one of drops or days")
                }
                if let node = entries["drops"] { window = .drops(try reader.positiveInt(node, path: windowPath + ".drops")) }
                if let node = entries["days"] { window = .days(try reader.positiveDouble(node, path: windowPath + ".days")) }
            }
        }
        var monitoring = MonitoringInboxes()
        if let node = fields["scoring"] {
            let entries = try reader.mapping(node, path: path + ".scoring", allowed: ["inbox", "id_column"])
            guard let inbox = entries["inbox"] else {
                throw reader.error(node, path: path + ".scoring", "missing required key 'inbox' (the folder of drops to score)")
            }
            monitoring.scoringInbox = FileSystem.resolve(try reader.string(inbox, path: path + ".scoring.inbox"), against: base)
            monitoring.idColumn = try entries["id_column"].map { try reader.string($0, path: path + ".scoring.id_column") } ?? "id"
        }
        if let node = fields["labels"] {
            let entries = try reader.mapping(node, path: path + ".labels", allowed: ["inbox"])
            guard let inbox = entries["inbox"] else {
                throw reader.error(node, path: path + ".labels", "missing required key 'inbox' (the folder of id,target drops)")
            }
            guard monitoring.scoringInbox != nil else {
                throw reader.error(node, path: path + ".labels", "labels join the predictions of scoring drops: add scoring: {inbox: …} first")
            }
            monitoring.labelsInbox = FileSystem.resolve(try reader.string(inbox, path: path + ".labels.inbox"), against: base)
        }
        var monitor: MonitorPolicy?
        if let node = fields["monitor"] {
            let monitorPath = path + ".monitor"
            let entries = try reader.mapping(node, path: monitorPath,
                                             allowed: ["metric", "min", "max_decline", "consecutive", "cooldown", "action", "drift"])
            var policy = MonitorPolicy(metric: try entries["metric"].map { try reader.string($0, path: monitorPath + ".metric") })
            policy.min = try entries["min"].map { try reader.double($0, path: monitorPath + ".min") }
            policy.maxDecline = try entries["max_decline"].map { try reader.double($0, path: monitorPath + ".max_decline") }
            if let driftNode = entries["drift"] {
                let drift = try reader.mapping(driftNode, path: monitorPath + ".drift", allowed: ["max_drifted_share"])
                guard let share = drift["max_drifted_share"] else {
                    throw reader.error(driftNode, path: monitorPath + ".drift", "missing required key 'max_drifted_share' (e.g. 0.3)")
                }
                policy.maxDriftedShare = try reader.double(share, path: monitorPath + ".drift.max_drifted_share")
            }
            if policy.metric != nil && policy.min == nil && policy.maxDecline == nil {
                throw reader.error(node, path: monitorPath, "give min or max_decline (or both) for metric: what counts as degraded")
            }
            if policy.metric == nil && (policy.min != nil || policy.maxDecline != nil) {
                throw reader.error(node, path: monitorPath, "min and max_decline need metric: (a realized metric such as auc or rmse)")
            }
            if policy.metric == nil && policy.maxDriftedShare == nil {
                throw reader.error(node, path: monitorPath, "give metric: with min or max_decline, or drift: {max_drifted_share: …}")
            }
            policy.consecutive = try entries["consecutive"].map { try reader.positiveInt($0, path: monitorPath + ".consecutive") } ?? 1
            policy.cooldown = try entries["cooldown"].map { try reader.positiveInt($0, path: monitorPath + ".cooldown") } ?? 0
            if let actionNode = entries["action"] {
                let text = try reader.string(actionNode, path: monitorPath + ".action")
                guard let action = MonitorPolicy.Action(rawValue: text) else {
                    throw reader.error(actionNode, path: monitorPath + ".action", "expected alert, retrain or rollback, found '\(text)'")
                }
                policy.action = action
            }
            monitor = policy
        }
        var retention = RetentionPolicy()
        if let retentionNode = fields["retention"] {
            let retentionPath = path + ".retention"
            let entries = try reader.mapping(retentionNode, path: retentionPath, allowed: ["keep_last", "keep_days", "rejected_days"])
            retention.keepLast = try entries["keep_last"].map { try reader.positiveInt($0, path: retentionPath + ".keep_last") }
            retention.keepDays = try entries["keep_days"].map { try reader.positiveDouble($0, path: retentionPath + ".keep_days") }
            retention.rejectedDays = try entries["rejected_days"].map {
                try reader.positiveDouble($0, path: retentionPath + ".rejected_days")
            }
        }
        let duplicateText = try fields["on_duplicate"].map { try reader.string($0, path: path + ".on_duplicate") } ?? "skip"
        guard let onDuplicate = PipelineConfiguration.DuplicatePolicy(rawValue: duplicateText) else {
            throw reader.error(fields["on_duplicate"]!, path: path + ".on_duplicate",
                               "expected skip or retrain, found '\(duplicateText)'")
        }
        let maxAttempts = try fields["max_attempts"].map { try reader.positiveInt($0, path: path + ".max_attempts") } ?? 3
        var limits = RunLimits()
        if let limitsNode = fields["limits"] {
            let limitPath = path + ".limits"
            let entries = try reader.mapping(limitsNode, path: limitPath, allowed: [
                "time_seconds", "grace_seconds", "memory_mb", "cpu_seconds", "open_files",
                "max_drop_bytes", "max_rows", "max_field_bytes",
            ])
            if let node = entries["max_drop_bytes"] { limits.maxDropBytes = try reader.positiveInt(node, path: limitPath + ".max_drop_bytes") }
            if let node = entries["max_rows"] { limits.maxRows = try reader.positiveInt(node, path: limitPath + ".max_rows") }
            if let node = entries["max_field_bytes"] { limits.maxFieldBytes = try reader.positiveInt(node, path: limitPath + ".max_field_bytes") }
            if let node = entries["time_seconds"] { limits.timeSeconds = try reader.positiveDouble(node, path: limitPath + ".time_seconds") }
            if let node = entries["grace_seconds"] { limits.graceSeconds = try reader.positiveDouble(node, path: limitPath + ".grace_seconds") }
            if let node = entries["memory_mb"] { limits.memoryMB = try reader.positiveInt(node, path: limitPath + ".memory_mb") }
            if let node = entries["cpu_seconds"] { limits.cpuSeconds = try reader.positiveInt(node, path: limitPath + ".cpu_seconds") }
            if let node = entries["open_files"] { limits.openFiles = try reader.positiveInt(node, path: limitPath + ".open_files") }
        }
        let inbox = try fields["inbox"].map { FileSystem.resolve(try reader.string($0, path: path + ".inbox"), against: base) }
            ?? stateDirectory + "/inbox/" + name
        let taskText = try fields["task"].map { try reader.string($0, path: path + ".task") } ?? "binary"
        guard let task = PipelineConfiguration.Task(rawValue: taskText) else {
            throw reader.error(fields["task"]!, path: path + ".task",
                               "unknown task '\(taskText)'; expected one of: \(PipelineConfiguration.Task.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let targetNode = fields["target"] else {
            throw reader.error(node, path: path, "missing required key 'target' (the column to predict)")
        }
        let target = try reader.string(targetNode, path: path + ".target")
        let seed = try fields["seed"].map { try reader.unsigned($0, path: path + ".seed") } ?? 42
        let holdout = try fields["holdout"].map { try reader.double($0, path: path + ".holdout") } ?? 0.2
        if !(holdout > 0 && holdout < 1) {
            throw reader.error(fields["holdout"]!, path: path + ".holdout", "expected a fraction between 0 and 1 (exclusive), found \(holdout)")
        }
        guard let stagesNode = fields["stages"] else {
            throw reader.error(node, path: path, "missing required key 'stages' (the ordered list of stage plugins)")
        }
        let stageNodes = try reader.sequence(stagesNode, path: path + ".stages")
        if stageNodes.isEmpty { throw reader.error(stagesNode, path: path + ".stages", "expected at least one stage") }
        var stages: [StageConfiguration] = []
        for (index, stageNode) in stageNodes.enumerated() {
            let stagePath = "\(path).stages[\(index)]"
            let stageFields = try reader.mapping(stageNode, path: stagePath, allowed: ["plugin", "name", "params"])
            guard let pluginNode = stageFields["plugin"] else {
                throw reader.error(stageNode, path: stagePath, "missing required key 'plugin' (a plugin name or a path to a .so)")
            }
            let plugin = try reader.string(pluginNode, path: stagePath + ".plugin")
            let stageName = try stageFields["name"].map { try reader.string($0, path: stagePath + ".name") }
                ?? FileSystem.baseName(plugin).replacingSuffix(".so")
            var params: [String: String] = [:]
            if let paramsNode = stageFields["params"] {
                for (key, _, value) in try reader.orderedMapping(paramsNode, path: stagePath + ".params") {
                    params[key] = try reader.scalarText(value, path: "\(stagePath).params.\(key)")
                }
            }
            if stages.contains(where: { $0.name == stageName }) {
                throw reader.error(stageNode, path: stagePath, "a stage named '\(stageName)' already comes earlier; give this one a distinct 'name'")
            }
            stages.append(StageConfiguration(plugin: plugin, name: stageName, params: params,
                                             line: stageNode.mark?.line ?? 0))
        }
        var rules: [PromotionRules.Rule] = []
        var champion: PromotionRules.Champion?
        var baseline: PromotionRules.Baseline?
        var firstRun = PromotionRules.FirstRun.approve
        if let promotionNode = fields["promotion"] {
            let bounds = try reader.mapping(promotionNode, path: path + ".promotion",
                                            allowed: ["min", "max", "champion", "baseline", "first_run"])
            if let node = bounds["champion"] {
                let championPath = path + ".promotion.champion"
                let entries = try reader.mapping(node, path: championPath,
                                                 allowed: ["metric", "min_improvement", "min_relative_improvement"])
                guard let metricNode = entries["metric"] else {
                    throw reader.error(node, path: championPath, "missing required key 'metric' (e.g. auc or logloss)")
                }
                champion = .init(metric: try reader.string(metricNode, path: championPath + ".metric"),
                                 minImprovement: try entries["min_improvement"].map { try reader.double($0, path: championPath + ".min_improvement") },
                                 minRelativeImprovement: try entries["min_relative_improvement"].map { try reader.double($0, path: championPath + ".min_relative_improvement") })
            }
            if let node = bounds["baseline"] {
                let baselinePath = path + ".promotion.baseline"
                let entries = try reader.mapping(node, path: baselinePath, allowed: ["metric", "min_improvement"])
                guard let metricNode = entries["metric"] else {
                    throw reader.error(node, path: baselinePath, "missing required key 'metric' (e.g. balanced_accuracy or rmse)")
                }
                baseline = .init(metric: try reader.string(metricNode, path: baselinePath + ".metric"),
                                 minImprovement: try entries["min_improvement"].map { try reader.double($0, path: baselinePath + ".min_improvement") })
            }
            if let node = bounds["first_run"] {
                let text = try reader.string(node, path: path + ".promotion.first_run")
                guard let policy = PromotionRules.FirstRun(rawValue: text) else {
                    throw reader.error(node, path: path + ".promotion.first_run", "expected approve or reject, found '\(text)'")
                }
                firstRun = policy
            }
            for bound in [PromotionRules.Rule.Bound.min, .max] {
                guard let boundNode = bounds[bound.rawValue] else { continue }
                let boundPath = "\(path).promotion.\(bound.rawValue)"
                for (metric, _, value) in try reader.orderedMapping(boundNode, path: boundPath) {
                    rules.append(.init(metric: metric, bound: bound,
                                       threshold: try reader.double(value, path: "\(boundPath).\(metric)")))
                }
            }
        }
        var configuration = PipelineConfiguration(name: name, inbox: inbox, task: task, target: target, seed: seed,
                                                  holdoutFraction: holdout, stages: stages,
                                                  promotion: PromotionRules(rules: rules, champion: champion, baseline: baseline, firstRun: firstRun),
                                                  onDuplicate: onDuplicate, limits: limits, maxAttempts: maxAttempts)
        configuration.window = window
        configuration.retention = retention
        configuration.monitoring = monitoring
        configuration.monitor = monitor
        configuration.schema = schema
        return configuration
    }
}

extension String {
    func replacingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

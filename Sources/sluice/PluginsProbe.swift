import ArgumentParser
import Foundation
import SluiceConfig
import SluiceData
import SluiceFormats
import SluicePluginHost
import SluiceSystem

/// The child half of `sluice plugins check`: loads the plugin as a worker
/// does (limits set first), runs it, and reports on stdout, one line per
/// event — `log`, `progress`, `stage`, then `result` with a JSON
/// ``PluginCheckReport`` (or `error`). Not for people; hidden from --help.
struct PluginsProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "The child process of `sluice plugins check`.", shouldDisplay: false)

    @Argument var file: String
    @Option var data: String?
    @Option var task: String = "binary"
    @Option var target: String?
    @Option var seed: UInt64 = 42
    @Option var memoryMb: Int = 4096
    @Option(parsing: .singleValue) var param: [String] = []

    func run() throws {
        do {
            var limits = RunLimits()
            limits.memoryMB = memoryMb
            limits.cpuSeconds = 600
            try ResourceLimits.apply(limits)
            let report = try probe()
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            emit("result", String(decoding: try encoder.encode(report), as: UTF8.self))
        } catch {
            emit("error", MessageText.escaped("\(error)"))
            throw ExitCode(2)
        }
    }

    func emit(_ kind: String, _ fields: String...) {
        FileSystem.writeStandardOutput(([kind] + fields).joined(separator: "\t") + "\n")
    }

    func probe() throws -> PluginCheckReport {
        let loader = PluginLoader()
        let plugin = try loader.load(path: FileSystem.absolute(file))
        let (table, source, targetName) = try input()
        let roles = HoldoutSplit.roles(strata: HoldoutSplit.strata(for: table, target: targetName), fraction: 0.2, seed: seed)
        let settings = ["pipeline": "check", "task": task, "target": targetName, "seed": String(seed),
                        "drop_name": FileSystem.baseName(data ?? "built-in.csv"), "drop_sha256": "", "run_id": "check",
                        "holdout_fraction": "0.2"]
        let host = StageHost(table: table, roles: roles, settings: settings)
        let observer = ProbeObserver(emit: { emit($0, $1, $2) })
        // Stock stages a kind needs before it: train reads features, evaluate a model.
        let before = plugin.kind == .train ? ["features"] : plugin.kind == .evaluate ? ["features", "train"] : []
        for name in before {
            let stock = try loader.load(path: try loader.resolve(name, searchPath: PluginLoader.defaultSearchPath(), relativeTo: "/"))
            emit("stage", name)
            if case .failed(let message) = host.run(stock, params: [:], observer: observer).status {
                throw ValidationError("the stock \(name) stage, run first for a \(plugin.kind) stage, failed: \(message)")
            }
        }
        let params = try parameters(kind: plugin.kind)
        let tableBefore = host.table
        let shapeBefore = ColumnFingerprint.of(tableBefore)
        emit("stage", plugin.name)
        let result = host.run(plugin, params: params, observer: observer)
        let shapeAfter = ColumnFingerprint.of(host.table)
        let oldShape = Dictionary(shapeBefore.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newShape = Dictionary(shapeAfter.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let status: String = if case .failed(let message) = result.status { "failed: \(message)" } else { "ok" }
        let verdict: String? = switch result.verdict {
        case .approve(let reason)?: "approve: \(reason)"
        case .reject(let reason)?: "reject: \(reason)"
        case nil: nil
        }
        var report = PluginCheckReport(
            plugin: .init(name: plugin.name, version: plugin.version, kind: plugin.kind.description,
                          abiVersion: plugin.abiVersion, descriptorSize: plugin.descriptorSize, applies: plugin.applies,
                          file: plugin.path, sha256: plugin.sha256),
            data: source, task: task, target: targetName, rows: table.rowCount,
            trainRows: roles.filter { $0 == 0 }.count, holdoutRows: roles.filter { $0 == 1 }.count, before: before,
            status: status, durationMs: result.durationMs, rowsAfter: host.table.rowCount,
            added: shapeAfter.filter { oldShape[$0.name] == nil }.map(\.column),
            // With rows removed every column differs: only a change of type counts as a replacement then.
            replaced: shapeAfter.filter { column in
                guard let old = oldShape[column.name] else { return false }
                return host.table.rowCount == table.rowCount ? old != column : old.type != column.type
            }.map(\.column),
            removed: shapeBefore.filter { newShape[$0.name] == nil }.map(\.column),
            metrics: result.metrics.map { .init(name: $0.name, value: $0.value) },
            artifacts: host.artifactNames.compactMap { name in host.artifact(name).map { .init(name: name, bytes: $0.count) } },
            verdict: verdict)
        if plugin.kind == .train, status == "ok" {
            report.model = Self.describeModel(host.artifact("model.json"))
        }
        if plugin.applies, status == "ok" {
            report.apply = checkApply(plugin, params: params, before: tableBefore, roles: roles, settings: settings,
                                      run: host, changed: report.added + report.replaced, observer: observer)
        }
        return report
    }

    /// Runs `apply` on the holdout rows as they were before the stage and
    /// compares its output with what `run` made of the same rows.
    func checkApply(_ plugin: LoadedPlugin, params: [String: String], before: Table, roles: [UInt8],
                    settings: [String: String], run: StageHost, changed: [PluginCheckReport.Column],
                    observer: ProbeObserver) -> PluginCheckReport.Apply {
        let holdout = roles.indices.filter { roles[$0] == 1 }
        let fresh = StageHost(table: before.rows(holdout), roles: [UInt8](repeating: 1, count: holdout.count), settings: settings)
        for name in run.artifactNames { fresh.putArtifact(name, run.artifact(name) ?? []) }
        emit("stage", plugin.name + " (apply)")
        let result = fresh.apply(plugin, params: params, observer: observer)
        if case .failed(let message) = result.status {
            return .init(status: "failed: \(message)", durationMs: result.durationMs, rows: holdout.count, mismatched: [],
                         columnsChanged: [])
        }
        let applied = ColumnFingerprint.of(fresh.table)
        let original = ColumnFingerprint.of(before.rows(holdout))
        // run's output on the same rows (not comparable when run removed rows).
        let fromRun = run.table.rowCount == before.rowCount ? ColumnFingerprint.of(run.table.rows(holdout)) : nil
        let appliedByName = Dictionary(applied.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let runByName = fromRun.map { Dictionary($0.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }) }
        let mismatched = changed.map(\.name).filter { name in
            guard let runByName else { return false }
            return runByName[name] != appliedByName[name]
        }
        let originalSet = Set(original.map(\.sha256))
        let changedByApply = applied.filter { !originalSet.contains($0.sha256) }
        return .init(status: "ok", durationMs: result.durationMs, rows: holdout.count, mismatched: mismatched,
                     columnsChanged: changedByApply.map(\.name))
    }

    /// What a train stage's model.json is, or why evaluate and predict could not read it.
    static func describeModel(_ bytes: [UInt8]?) -> String {
        guard let bytes else { return "missing: a train stage must store model.json (docs/artifacts.md)" }
        do {
            let model = try LinearModel.decode(bytes)
            return "ok: \(model.task), \(model.features.count) features, \(model.intercepts.count) outputs, link \(model.link)"
        } catch {
            return "unreadable: \(error)"
        }
    }

    /// The table to run on: --data, or the built-in one.
    func input() throws -> (Table, String, String) {
        guard let data else {
            let (text, defaultTarget) = CheckTable.csv(task: task, seed: seed)
            let table = try CSVReader.read(Array(text.utf8), file: "built-in.csv")
            return (table, "built-in table (\(table.rowCount) rows, \(task) target '\(defaultTarget)')", target ?? defaultTarget)
        }
        let table = try DropReader.read(FileSystem.absolute(data)).table
        guard let target else {
            throw ValidationError("--data needs --target COLUMN (the column the stage should treat as the target)")
        }
        guard table[target] != nil else {
            throw ValidationError("\(data) has no column '\(target)' (columns: \(table.columns.map(\.name).joined(separator: ", ")))")
        }
        return (table, data, target)
    }

    /// --param k=v pairs; an evaluate stage also gets a permissive promotion rule, as a pipeline's would.
    func parameters(kind: PluginKind) throws -> [String: String] {
        var params: [String: String] = kind == .evaluate ? ["first_run": "approve"] : [:]
        for pair in param {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("--params: expected key=value, got '\(pair)'")
            }
            params[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return params
    }
}

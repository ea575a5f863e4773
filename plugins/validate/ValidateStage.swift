import Foundation
import SluicePluginSDK
import SluiceFormats

/// The stock `validate` stage: checks that a drop can be learned from and
/// matches the pipeline's pinned schema, measures drift against the
/// champion's training data, and rejects with every error finding listed.
///
/// Inputs from the host (artifacts): `reference/schema.json` (the pinned
/// schema: the first approved drop's profile) and `reference/profile.json`
/// (the current champion's training profile), when they exist.
/// Outputs: `profile.json`, `findings.json`, `drift.json`; metrics `rows`,
/// `nulls.<column>`, `findings.errors`, `findings.warnings`, `drift.share`.
///
/// Parameters (stage `params`; `<kind>` and `<column>` variants override per
/// finding kind or per column):
/// - `min_rows` (20), `max_rows` (none): row count bounds.
/// - `max_null_fraction` (0.5; per column `max_null_fraction.<column>`); with a
///   pinned schema the limit is also at most the pinned rate + `null_rate_slack` (0.1).
/// - `range_tolerance` (0.1): values may pass the pinned [min, max] by this share of its span.
/// - `max_out_of_range_fraction` (0.01), `max_unseen_fraction` (0.01): above these the
///   finding is an error, below a warning.
/// - `max_duplicate_fraction` (0.01): duplicate rows above it are a warning.
/// - `numeric_columns` (comma-separated): columns that must be numeric.
/// - `severity.<kind>` (`error` | `warning`): overrides a kind's severity.
/// - `psi_threshold` (0.2; per column `psi_threshold.<column>`), `js_threshold` (0.1):
///   a numeric / categorical feature has drifted above these.
/// - `drift_policy` (`warn` | `reject` | `retrain`, default `warn`), `max_drifted_share` (0.3):
///   once the share of drifted features reaches the limit, `reject` rejects the drop and
///   `retrain` has the host waive the champion comparison (the new model needs only the
///   absolute promotion rules); `warn` only records.
struct ValidateStage: Stage {
    static let name = "validate"
    static let version = "2.0.0"
    static let kind = StageKind.validate
    static let summary = "schema, types, nulls, ranges, categories, duplicates and drift; every finding recorded"

    func run(_ context: StageContext) throws {
        let rows = context.rowCount
        let columns = context.columns
        var findings = Findings(context: context)
        context.progress(0.05, "profiling \(rows) rows")
        let profile = Profiler.profile(context)
        // A reference the host handed over but that cannot be read fails the
        // stage: validating against nothing would pass what it should catch.
        let pinned = try context.artifact("reference/schema.json").map { try Profile.decode($0, file: "reference/schema.json") }
        let reference = try context.artifact("reference/profile.json").map { try Profile.decode($0, file: "reference/profile.json") }

        try context.putMetric("rows", Double(rows))
        let minRows = try context.param("min_rows", default: 20)
        if rows < minRows {
            findings.add("row_count", column: nil, measured: "\(rows) rows", expected: "at least \(minRows) (min_rows)",
                         message: "only \(rows) row\(rows == 1 ? "" : "s"), expected at least min_rows \(minRows)")
        }
        if let maxRows = context.param("max_rows").flatMap(Int.init), rows > maxRows {
            findings.add("row_count", column: nil, measured: "\(rows) rows", expected: "at most \(maxRows) (max_rows)",
                         message: "\(rows) rows, expected at most max_rows \(maxRows)")
        }
        if !columns.isEmpty, columns.allSatisfy({ Double($0.name) != nil }) {
            findings.add("header_is_data", column: nil, measured: columns.prefix(4).map(\.name).joined(separator: ", "),
                         expected: "column names",
                         message: "the header line holds numbers (\(columns.prefix(4).map(\.name).joined(separator: ", "))…), "
                            + "expected a header row of column names")
        }

        // Target.
        let target = context.target
        if let column = context.column(named: target) {
            targetFindings(context, column, into: &findings)
        } else {
            findings.add("target_missing", column: target, measured: "absent", expected: "a column named '\(target)'",
                         message: "target column '\(target)' not found; columns are: "
                            + columns.map(\.name).prefix(20).joined(separator: ", "))
        }

        // Columns on their own.
        let maxNullFraction = try context.param("max_null_fraction", default: 0.5)
        let nullSlack = try context.param("null_rate_slack", default: 0.1)
        let requiredNumeric = (context.param("numeric_columns") ?? "")
            .split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        let measuredByName = profile.byName, pinnedByName = pinned?.byName ?? [:]
        for column in columns {
            guard let measured = measuredByName[column.name] else { continue }
            try context.putMetric("nulls.\(column.name)", (measured.nullRate * Double(rows)).rounded())
            var limit = try context.param("max_null_fraction.\(column.name)", default: maxNullFraction)
            if context.param("max_null_fraction.\(column.name)") == nil, let pinnedColumn = pinnedByName[column.name] {
                if pinnedColumn.explicit == true {
                    if let configured = pinnedColumn.maxNullFraction { limit = configured }
                } else {
                    limit = min(limit, pinnedColumn.nullRate + nullSlack)
                }
            }
            if measured.nullRate > limit {
                findings.add("null_rate", column: column.name, measured: percent(measured.nullRate),
                             expected: "at most \(percent(limit))", count: Int((measured.nullRate * Double(rows)).rounded()),
                             message: "column '\(column.name)' (column \(column.index + 1)) is \(percent(measured.nullRate)) missing "
                                + "(\(Int((measured.nullRate * Double(rows)).rounded())) of \(rows) rows), the limit is \(percent(limit))")
            }
            if column.name != target, measured.distinct <= 1, rows > 1 {
                findings.add("constant_column", column: column.name, measured: "\(measured.distinct) distinct values",
                             expected: "at least 2", message: "column '\(column.name)' is constant, so it cannot help a model")
            }
            if column.type == .categorical {
                numericLookingFinding(context, column, required: requiredNumeric.contains(column.name), into: &findings)
            } else {
                nonFiniteFinding(context, column, into: &findings)
            }
        }
        for name in requiredNumeric where context.column(named: name) == nil {
            findings.add("missing_column", column: name, measured: "absent", expected: "a numeric column (numeric_columns)",
                         message: "numeric_columns names '\(name)', which is not in the file")
        }
        let duplicateShare = rows > 0 ? Double(profile.duplicateRows) / Double(rows) : 0
        let maxDuplicates = try context.param("max_duplicate_fraction", default: 0.01)
        if duplicateShare > maxDuplicates {
            findings.add("duplicate_rows", column: nil, severity: "warning", measured: percent(duplicateShare),
                         expected: "at most \(percent(maxDuplicates))", count: profile.duplicateRows,
                         message: "\(profile.duplicateRows) rows (\(percent(duplicateShare))) repeat an earlier row exactly")
        }

        // Against the pinned schema.
        if let pinned {
            context.progress(0.5, "checking against the pinned schema")
            try schemaFindings(context, pinned: pinned, into: &findings)
        }

        // Drift against the champion's training data.
        var driftShare = 0.0
        if let reference {
            context.progress(0.75, "drift against the champion's training data")
            driftShare = try drift(context, reference: reference, target: target, findings: &findings)
        }
        try context.putMetric("drift.share", driftShare)

        let errors = findings.items.filter { $0.severity == "error" }
        let warnings = findings.items.filter { $0.severity == "warning" }
        try context.putMetric("findings.errors", Double(errors.count))
        try context.putMetric("findings.warnings", Double(warnings.count))
        try context.putArtifact("profile.json", try profile.encoded())
        try context.putArtifact("findings.json", Array(try FormatCoding.compactEncoder().encode(findings.items)))
        for finding in warnings { context.log(.warning, "\(finding.kind): \(finding.message)") }
        if errors.isEmpty {
            context.log(.info, "\(rows) rows × \(columns.count) columns passed validation "
                        + "(\(warnings.count) warning\(warnings.count == 1 ? "" : "s"))")
        } else {
            for finding in errors { context.log(.error, "\(finding.kind): \(finding.message)") }
            context.reject(errors.map { "\($0.kind): \($0.message)" }.joined(separator: "; "))
        }
    }

    /// Missing / unexpected columns, type changes, out-of-range values, unseen categories.
    func schemaFindings(_ context: StageContext, pinned: Profile, into findings: inout Findings) throws {
        let tolerance = try context.param("range_tolerance", default: 0.1)
        let maxOutOfRange = try context.param("max_out_of_range_fraction", default: 0.01)
        let maxUnseen = try context.param("max_unseen_fraction", default: 0.01)
        let rows = context.rowCount
        for expected in pinned.columns where context.column(named: expected.name) == nil {
            findings.add("missing_column", column: expected.name, measured: "absent", expected: "a \(expected.type) column",
                         message: "column '\(expected.name)' of the \(expected.explicit == true ? "configured" : "pinned") schema is missing")
        }
        let pinnedByName = pinned.byName
        for column in context.columns {
            guard let expected = pinnedByName[column.name] else {
                findings.add("unexpected_column", column: column.name, severity: "warning", measured: "present",
                             expected: "only the pinned schema's columns",
                             message: "column '\(column.name)' is not in the pinned schema (kept)")
                continue
            }
            let type = column.type == .numeric ? "numeric" : "categorical"
            // A column with no value at all (an empty drop, or every field missing)
            // reads as numeric for want of evidence: not a type change (its null
            // rate is reported on its own).
            if type != expected.type, column.type == .numeric, context.numeric(column).allSatisfy(\.isNaN) { continue }
            if type != expected.type {
                findings.add("type_change", column: column.name, measured: type, expected: expected.type,
                             message: "column '\(column.name)' is \(type), the \(expected.explicit == true ? "configured" : "pinned") schema has it \(expected.type)")
                continue
            }
            if column.type == .numeric, expected.min != nil || expected.max != nil {
                let low = expected.min ?? -.infinity, high = expected.max ?? .infinity
                let explicit = expected.explicit == true
                let span = explicit ? 0 : max(high - low, abs(high), abs(low), 1e-12) * tolerance
                let values = context.numeric(column)
                var count = 0
                var examples: [String] = []
                for row in 0..<values.count {
                    let value = Double(values[row])
                    if value < low - span || value > high + span {
                        count += 1
                        if examples.count < 3 { examples.append("\(values[row]) (line \(context.line(ofRow: row)))") }
                    }
                }
                if count > 0 {
                    let share = Double(count) / Double(max(rows, 1))
                    findings.add("out_of_range", column: column.name, severity: share > maxOutOfRange ? "error" : "warning",
                                 measured: "\(count) values outside",
                                 expected: "within [\(fmt(low)), \(fmt(high))]" + (explicit ? "" : " ± \(percent(tolerance)) of the span"),
                                 count: count, examples: examples.joined(separator: ", "),
                                 message: "column '\(column.name)': \(count) values (\(percent(share))) outside the \(explicit ? "configured" : "pinned") range "
                                    + "[\(fmt(low)), \(fmt(high))], e.g. \(examples.joined(separator: ", "))")
                }
            }
            if column.type == .categorical, let known = expected.categories, expected.categoriesComplete == true {
                let dictionary = context.dictionary(column)
                let unseen = dictionary.map { known[$0] == nil }
                let codes = context.codes(column)
                var count = 0
                var examples: [String] = []
                for row in 0..<codes.count where codes[row] >= 0 && unseen[Int(codes[row])] {
                    count += 1
                    if examples.count < 3 { examples.append("\(quotedValue(dictionary[Int(codes[row])], limit: 30)) (line \(context.line(ofRow: row)))") }
                }
                if count > 0 {
                    let share = Double(count) / Double(max(rows, 1))
                    findings.add("unseen_category", column: column.name, severity: share > maxUnseen ? "error" : "warning",
                                 measured: "\(count) rows with unseen values", expected: "one of \(known.count) pinned values",
                                 count: count, examples: examples.joined(separator: ", "),
                                 message: "column '\(column.name)': \(count) rows (\(percent(share))) hold values the \(expected.explicit == true ? "configured" : "pinned") schema "
                                    + "never saw, e.g. \(examples.joined(separator: ", "))")
                }
            }
        }
    }

    /// PSI per numeric feature (bins from the reference deciles), Jensen-Shannon
    /// distance per categorical one; writes drift.json; returns the share drifted.
    func drift(_ context: StageContext, reference: Profile, target: String, findings: inout Findings) throws -> Double {
        let psiDefault = try context.param("psi_threshold", default: 0.2)
        let jsDefault = try context.param("js_threshold", default: 0.1)
        let stride = max(1, context.rowCount / Profiler.sampleSize)
        var scores: [DriftScore] = []
        let referenceByName = reference.byName
        for column in context.columns where column.name != target {
            guard let base = referenceByName[column.name] else { continue }
            switch column.type {
            case .numeric:
                guard base.type == "numeric", let edges = base.edges, let expected = base.binFractions, !expected.isEmpty else { continue }
                let actual = Profiler.binFractions(context.numeric(column), edges: edges, stride: stride)
                guard !actual.isEmpty else { continue }
                let threshold = try context.param("psi_threshold.\(column.name)", default: psiDefault)
                let score = DriftMeasures.psi(expected: expected, actual: actual)
                scores.append(DriftScore(column: column.name, measure: "psi", score: score, threshold: threshold,
                                         drifted: score > threshold))
            case .categorical:
                guard base.type == "categorical", let expected = base.categories else { continue }
                let dictionary = context.dictionary(column)
                var counts = [Int](repeating: 0, count: dictionary.count)
                var present = 0
                for code in context.codes(column) where code >= 0 { counts[Int(code)] += 1; present += 1 }
                guard present > 0 else { continue }
                var actual: [String: Double] = [:]
                for (index, count) in counts.enumerated() where count > 0 { actual[dictionary[index]] = Double(count) / Double(present) }
                let threshold = try context.param("js_threshold.\(column.name)", default: jsDefault)
                let score = DriftMeasures.jensenShannonDistance(expected, actual)
                scores.append(DriftScore(column: column.name, measure: "js", score: score, threshold: threshold,
                                         drifted: score > threshold))
            }
        }
        let drifted = scores.filter(\.drifted)
        let share = scores.isEmpty ? 0 : Double(drifted.count) / Double(scores.count)
        let policy = context.param("drift_policy") ?? "warn"
        guard ["warn", "reject", "retrain"].contains(policy) else {
            context.fail("drift_policy is '\(policy)'; expected warn, reject or retrain")
            return share
        }
        let maxShare = try context.param("max_drifted_share", default: 0.3)
        let report = DriftReport(scores: scores, driftedShare: share, policy: policy, maxDriftedShare: maxShare,
                                 waivesChampion: policy == "retrain" && share > 0 && share >= maxShare)
        try context.putArtifact("drift.json", Array(try FormatCoding.compactEncoder().encode(report)))
        for score in drifted {
            context.log(.warning, "drift: \(score.column) \(score.measure) \(fmt(score.score)) > \(fmt(score.threshold))")
        }
        if !drifted.isEmpty {
            let names = drifted.prefix(5).map { "\($0.column) \($0.measure) \(fmt($0.score))" }.joined(separator: ", ")
            let severity = policy == "reject" && share >= maxShare ? "error" : "warning"
            findings.add("drift", column: nil, severity: severity, measured: "\(drifted.count) of \(scores.count) features drifted (\(percent(share)))",
                         expected: "under \(percent(maxShare)) (max_drifted_share, drift_policy \(policy))", count: drifted.count,
                         examples: names, message: "\(drifted.count) of \(scores.count) features drifted from the champion's training data: \(names)")
        }
        return share
    }

    func targetFindings(_ context: StageContext, _ column: Column, into findings: inout Findings) {
        var missingRows: [Int] = []
        var classes = Set<String>()
        switch column.type {
        case .numeric:
            // Up to 11 distinct values, compared as numbers; only those are formatted.
            var seen: [Float] = []
            for (row, value) in context.numeric(column).enumerated() {
                if value.isNaN { missingRows.append(row) } else if seen.count <= 10, !seen.contains(value) { seen.append(value) }
            }
            classes = Set(seen.map { "\($0)" })
        case .categorical:
            let dictionary = context.dictionary(column)
            for (row, code) in context.codes(column).enumerated() {
                if code < 0 { missingRows.append(row) } else { classes.insert(dictionary[Int(code)]) }
            }
        }
        if let first = missingRows.first {
            findings.add("target_missing", column: column.name, measured: "\(missingRows.count) missing", expected: "a value in every row",
                         count: missingRows.count, examples: "row \(first + 1) (line \(context.line(ofRow: first)))",
                         message: "target '\(column.name)' is missing in \(missingRows.count) rows "
                            + "(first: row \(first + 1), line \(context.line(ofRow: first)))")
        }
        if context.setting("task") == "regression", column.type == .categorical {
            findings.add("target_type", column: column.name, measured: "text", expected: "numeric (task regression)",
                         message: "target '\(column.name)' holds text (e.g. \(quotedValue(classes.sorted().first ?? ""))); "
                            + "task regression needs a numeric target")
        } else if classes.count < 2 {
            findings.add("target_single_class", column: column.name, measured: "\(classes.count) classes", expected: "at least 2",
                         message: "target '\(column.name)' has \(classes.count) distinct value\(classes.count == 1 ? "" : "s")"
                            + " (\(classes.sorted().prefix(5).map { quotedValue($0) }.joined(separator: ", "))), a model needs at least 2")
        } else if context.setting("task") == "binary", classes.count != 2 {
            findings.add("target_classes", column: column.name, measured: "\(classes.count) classes", expected: "exactly 2 (task binary)",
                         message: "target '\(column.name)' has \(classes.count) distinct values "
                            + "(\(classes.sorted().prefix(5).map { quotedValue($0) }.joined(separator: ", "))), task binary needs exactly 2")
        }
    }

    /// A categorical column whose values are mostly numbers: the non-numbers are typos.
    /// ±inf in a numeric column (a number past Float32's range such as
    /// `1e400`): no model can use it, and no profile can hold it. (The text
    /// `inf` makes a column text; ``numericLookingFinding`` reports it.)
    func nonFiniteFinding(_ context: StageContext, _ column: Column, into findings: inout Findings) {
        let values = context.numeric(column)
        var count = 0
        var first: Int?
        for row in values.indices where values[row].isInfinite {
            count += 1
            if first == nil { first = row }
        }
        guard let row = first else { return }
        let shown = values[row] > 0 ? "+inf" : "-inf"
        findings.add("non_finite", column: column.name, measured: "\(count) infinite values", expected: "finite numbers",
                     count: count, examples: "\(shown) (line \(context.line(ofRow: row)))",
                     message: "column '\(column.name)' (column \(column.index + 1)), row \(row + 1) (line \(context.line(ofRow: row))): "
                        + "\(shown) is not a finite number (beyond Float32's ±3.4e38, such as 1e400), expected a finite number "
                        + "(\(count) value\(count == 1 ? "" : "s") in this column)")
    }

    func numericLookingFinding(_ context: StageContext, _ column: Column, required: Bool, into findings: inout Findings) {
        let codes = context.codes(column)
        let dictionary = context.dictionary(column)
        // `inf`, `nan` and numbers past Double's range parse as Doubles but are not data a model can use.
        let isNumber = dictionary.map { Double($0.trimmingSpaces())?.isFinite == true }
        var numeric = 0, present = 0
        var firstBad: Int?
        for (row, code) in codes.enumerated() where code >= 0 {
            present += 1
            if isNumber[Int(code)] { numeric += 1 } else if firstBad == nil { firstBad = row }
        }
        guard let row = firstBad, present > 0 else { return }
        guard required || Double(numeric) / Double(present) >= 0.9 else { return }
        let value = dictionary[Int(codes[row])]
        findings.add("not_numeric", column: column.name, measured: quotedValue(value), expected: "a number",
                     count: present - numeric, examples: "\(quotedValue(value)) (line \(context.line(ofRow: row)))",
                     message: "column '\(column.name)' (column \(column.index + 1)), row \(row + 1) (line \(context.line(ofRow: row))): "
                        + "\(quotedValue(value)) is not a number, expected a number "
                        + "(\(present - numeric) of \(present) values in this column are not numbers)")
    }

    func fmt(_ value: Double) -> String { String(format: "%.4g", value) }

    func percent(_ fraction: Double) -> String {
        let tenths = (fraction * 1000).rounded() / 10
        return "\(tenths)%"
    }
}

extension Substring {
    func trimmingSpaces() -> String { String(self).trimmingSpaces() }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}

@_cdecl("sluice_plugin_descriptor_v1")
public func sluicePluginDescriptor() -> UnsafeRawPointer { PluginExport.descriptor(for: ValidateStage.self) }

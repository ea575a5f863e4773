import SluicePluginSDK

/// The stock `validate` stage: checks that a drop can be learned from, and
/// rejects it with every failing rule listed (column, row, line, value).
///
/// Parameters:
/// - `min_rows` (default 20): fewest rows accepted.
/// - `max_null_fraction` (default 0.5): largest share of missing values in any column.
/// - `numeric_columns` (comma-separated, optional): columns that must be numeric.
///
/// Also rejects: a header that looks like data; a missing target, missing
/// target values, or a target without exactly two classes (task `binary`);
/// a column whose values are numbers except for a few that are not.
/// Records metrics `rows` and `nulls.<column>`.
struct ValidateStage: Stage {
    static let name = "validate"
    static let version = "1.0.0"
    static let kind = StageKind.validate
    static let summary = "checks header, target, types and missing values; rejects with column, row and value"

    func run(_ context: StageContext) throws {
        let minRows = try context.param("min_rows", default: 20)
        let maxNullFraction = try context.param("max_null_fraction", default: 0.5)
        let requiredNumeric = (context.param("numeric_columns") ?? "")
            .split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        let rows = context.rowCount
        let columns = context.columns
        var problems: [String] = []

        try context.putMetric("rows", Double(rows))
        if rows < minRows {
            problems.append("only \(rows) rows; expected at least min_rows \(minRows)")
        }
        if !columns.isEmpty, columns.allSatisfy({ Double($0.name) != nil }) {
            problems.append("the header line holds numbers (\(columns.prefix(4).map(\.name).joined(separator: ", "))…); "
                            + "expected a header row of column names")
        }

        // Target.
        let target = context.target
        if let column = context.column(named: target) {
            problems += targetProblems(context, column)
        } else {
            problems.append("target column '\(target)' not found; columns are: "
                            + columns.map(\.name).prefix(20).joined(separator: ", "))
        }

        // Types and missing values, column by column.
        for column in columns {
            let missing: Int
            switch column.type {
            case .numeric:
                missing = context.numeric(column).reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
            case .categorical:
                let codes = context.codes(column)
                missing = codes.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
                if let problem = numericLookingProblem(context, column, codes: codes,
                                                       required: requiredNumeric.contains(column.name)) {
                    problems.append(problem)
                }
            }
            try context.putMetric("nulls.\(column.name)", Double(missing))
            let fraction = rows > 0 ? Double(missing) / Double(rows) : 0
            if fraction > maxNullFraction {
                problems.append("column '\(column.name)' (column \(column.index + 1)) is \(percent(fraction)) missing "
                                + "(\(missing) of \(rows) rows); max_null_fraction is \(percent(maxNullFraction))")
            }
        }
        for name in requiredNumeric where context.column(named: name) == nil {
            problems.append("numeric_columns names '\(name)', which is not in the file")
        }

        if problems.isEmpty {
            context.log(.info, "\(rows) rows × \(columns.count) columns passed validation")
        } else {
            for problem in problems { context.log(.warning, problem) }
            context.reject(problems.joined(separator: "; "))
        }
    }

    func targetProblems(_ context: StageContext, _ column: Column) -> [String] {
        var problems: [String] = []
        var missingRows: [Int] = []
        var classes = Set<String>()
        switch column.type {
        case .numeric:
            for (row, value) in context.numeric(column).enumerated() {
                if value.isNaN { missingRows.append(row) } else if classes.count <= 10 { classes.insert("\(value)") }
            }
        case .categorical:
            let dictionary = context.dictionary(column)
            for (row, code) in context.codes(column).enumerated() {
                if code < 0 { missingRows.append(row) } else { classes.insert(dictionary[Int(code)]) }
            }
        }
        if let first = missingRows.first {
            problems.append("target '\(column.name)' is missing in \(missingRows.count) rows "
                            + "(first: row \(first + 1), line \(context.line(ofRow: first)))")
        }
        if context.setting("task") == "binary", classes.count != 2 {
            problems.append("target '\(column.name)' has \(classes.count) distinct values "
                            + "(\(classes.sorted().prefix(5).joined(separator: ", "))); task binary needs exactly 2")
        }
        return problems
    }

    /// A categorical column whose values are mostly numbers: the non-numbers are typos.
    func numericLookingProblem(_ context: StageContext, _ column: Column, codes: UnsafeBufferPointer<Int32>,
                               required: Bool) -> String? {
        let dictionary = context.dictionary(column)
        let isNumber = dictionary.map { Double($0.trimmingSpaces()) != nil }
        var numeric = 0, present = 0
        var firstBad: Int?
        for (row, code) in codes.enumerated() where code >= 0 {
            present += 1
            if isNumber[Int(code)] { numeric += 1 } else if firstBad == nil { firstBad = row }
        }
        guard let row = firstBad, present > 0 else { return nil }
        guard required || Double(numeric) / Double(present) >= 0.9 else { return nil }
        let value = dictionary[Int(codes[row])]
        return "column '\(column.name)' (column \(column.index + 1)), row \(row + 1) (line \(context.line(ofRow: row))): "
            + "'\(value.prefix(40))' is not a number; expected a number "
            + "(\(present - numeric) of \(present) values in this column are not numbers)"
    }

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

import Foundation
import SluicePluginSDK
import SluiceFormats

/// The findings of one run, with each kind's default severity (overridable by `severity.<kind>`).
struct Findings {
    let context: StageContext
    private(set) var items: [Finding] = []

    init(context: StageContext) { self.context = context }

    /// Default severities; kinds not listed are errors.
    static let defaultSeverity: [String: String] = [
        "unexpected_column": "warning", "constant_column": "warning", "duplicate_rows": "warning",
        "out_of_range": "warning", "unseen_category": "warning", "drift": "warning",
    ]

    mutating func add(_ kind: String, column: String?, severity: String? = nil, measured: String? = nil,
                      expected: String? = nil, count: Int? = nil, examples: String? = nil, message: String) {
        let configured = context.param("severity.\(kind)")
        let level = configured.flatMap { ["error", "warning"].contains($0) ? $0 : nil }
            ?? severity ?? Self.defaultSeverity[kind] ?? "error"
        items.append(Finding(kind: kind, severity: level, column: column, measured: measured, expected: expected,
                             count: count, examples: examples, message: message))
    }
}

import Foundation
import SluiceData
import SluiceLedger

/// Reads what a validate stage writes (`findings.json`, `drift.json`; formats
/// in docs/artifacts.md) for the run, `sluice inspect` and anything else on
/// the host side.
public enum ValidationArtifacts {
    public struct Drift: Decodable, Sendable {
        public var scores: [DriftRow]
        public var driftedShare: Double
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    public static func findings(_ bytes: [UInt8]) throws -> [FindingRow] {
        try decoder.decode([FindingRow].self, from: Data(bytes))
    }

    public static func drift(_ bytes: [UInt8]) throws -> Drift {
        try decoder.decode(Drift.self, from: Data(bytes))
    }

    /// A finding as one line: `error missing_column [sessions]: …`.
    /// One finding as one line (for the `.reason` file), whatever its plugin put in it.
    public static func line(_ finding: FindingRow) -> String {
        MessageText.escaped("\(finding.severity) \(finding.kind)\(finding.column.map { " [\($0)]" } ?? ""): \(finding.message)")
    }
}

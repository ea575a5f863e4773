import Foundation
import SluiceFormats
import SluiceData
import SluiceLedger

/// Reads what a validate stage writes (`findings.json`, `drift.json`; formats
/// in docs/artifacts.md) for the run, `sluice inspect` and anything else on
/// the host side.
public enum ValidationArtifacts {
    /// A finding as one line: `error missing_column [sessions]: …`.
    /// One finding as one line (for the `.reason` file), whatever its plugin put in it.
    public static func line(_ finding: Finding) -> String {
        MessageText.escaped("\(finding.severity) \(finding.kind)\(finding.column.map { " [\($0)]" } ?? ""): \(finding.message)")
    }
}

import Foundation
import SluiceFormats
import SluiceData
import SluiceLedger

/// How the host shows what a validate stage found (`findings.json`, read
/// with ``Finding/decodeList(_:)``; formats in docs/artifacts.md), for the
/// `.reason` file and `sluice inspect`.
public enum ValidationArtifacts {
    /// One finding as one line, `error missing_column [sessions]: …`, with
    /// control characters escaped whatever its plugin put in it.
    public static func line(_ finding: Finding) -> String {
        MessageText.escaped("\(finding.severity) \(finding.kind)\(finding.column.map { " [\($0)]" } ?? ""): \(finding.message)")
    }
}

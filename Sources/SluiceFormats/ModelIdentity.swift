import Foundation

/// A model's identity: everything that determined it (inputs) and the hash of
/// everything it is (outputs), without the facts of the run that made it
/// (times, run key, host). `digest`, the SHA-256 of ``canonicalBytes()``,
/// is the identity: the same inputs give the same outputs and digest in any
/// state folder. Stored in `manifest.json` as `identity`.
public struct ModelIdentity: Codable, Equatable, Sendable {
    public struct Plugin: Codable, Equatable, Sendable {
        public var stage: String
        public var name: String
        public var version: String
        public var sha256: String
        public var params: [String: String]

        public init(stage: String, name: String, version: String, sha256: String, params: [String: String]) {
            self.stage = stage
            self.name = name
            self.version = version
            self.sha256 = sha256
            self.params = params
        }
    }

    /// The model in service the run compared against, by its own identity
    /// (its archive's SHA-256 for a champion published before identities).
    public struct Champion: Codable, Equatable, Sendable {
        public var version: Int
        public var identity: String

        public init(version: Int, identity: String) {
            self.version = version
            self.identity = identity
        }
    }

    public struct Inputs: Codable, Equatable, Sendable {
        /// Content hashes of the drops trained on: the run's own, then the window's, newest first.
        public var drops: [String]
        /// SHA-256 of the configuration file.
        public var config: String
        public var pipeline: String
        public var task: String
        public var target: String
        public var seed: UInt64
        public var holdoutFraction: Double
        public var plugins: [Plugin]
        /// SHA-256 of each reference the stages were given (`reference/schema.json`, `reference/profile.json`).
        public var references: [String: String]
        public var champion: Champion?

        public init(drops: [String], config: String, pipeline: String, task: String, target: String, seed: UInt64,
                    holdoutFraction: Double, plugins: [Plugin], references: [String: String], champion: Champion?) {
            self.drops = drops
            self.config = config
            self.pipeline = pipeline
            self.task = task
            self.target = target
            self.seed = seed
            self.holdoutFraction = holdoutFraction
            self.plugins = plugins
            self.references = references
            self.champion = champion
        }
    }

    /// Members that are facts of the run, not of the model: left out of `outputs`.
    public static let runFactMembers: Set<String> = ["MODEL_CARD.md", "manifest.json", "manifest.sig"]

    public var inputs: Inputs
    /// Archive member → SHA-256, for every member but ``runFactMembers``.
    public var outputs: [String: String]
    /// SHA-256 of ``canonicalBytes()``.
    public var digest: String

    public init(inputs: Inputs, outputs: [String: String], digest: String) {
        self.inputs = inputs
        self.outputs = outputs
        self.digest = digest
    }

    /// Inputs and outputs as compact JSON with sorted keys: what `digest` hashes.
    public func canonicalBytes() throws -> [UInt8] {
        struct Canonical: Encodable { let inputs: Inputs; let outputs: [String: String] }
        return Array(try FormatCoding.compactEncoder().encode(Canonical(inputs: inputs, outputs: outputs)))
    }
}

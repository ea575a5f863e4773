import Foundation
import SluiceArchive

/// A published model archive, read for prediction: the model and the feature
/// transform, decoded from their documented formats (docs/artifacts.md) —
/// independently of the plugins that wrote them.
public struct ModelBundle: Sendable {
    /// `model.json` (format `sluice.model.logistic/1`).
    public struct Model: Decodable, Sendable {
        public let format: String
        public let task: String
        public let target: String
        public let classes: [String]
        public let features: [String]
        public let weights: [Double]
        public let intercept: Double
    }

    /// `transform.json` (format `sluice.transform/1` or `/2`).
    public struct Transform: Decodable, Sendable {
        public struct Numeric: Decodable, Sendable {
            public let column: String
            public let fill: Double
            /// Since sluice.transform/2: sign(x)·ln(1+|x|) after the fill.
            public let log: Bool?
            public let mean: Double
            public let scale: Double
        }
        public struct OneHot: Decodable, Sendable {
            public let column: String
            public let categories: [String]
            /// Since sluice.transform/2: a `column=(other)` feature for any other present value.
            public let other: Bool?
        }
        /// Since sluice.transform/2: `column#k` features, k = FNV-1a-64(value) mod buckets.
        public struct Hashed: Decodable, Sendable {
            public let column: String
            public let buckets: Int
        }
        public let format: String
        public let numeric: [Numeric]
        public let oneHot: [OneHot]
        public let hashed: [Hashed]?
    }

    public let path: String
    public let model: Model
    /// Absent when the pipeline had no features stage.
    public let transform: Transform?
    /// `pipeline` and `version` from the manifest, for messages.
    public let pipeline: String
    public let version: Int

    /// Reads `path` (a `.tar.gz` from the outbox; `current.tar.gz` works).
    /// - Throws: ``PredictError`` naming the archive and what is wrong with it.
    public static func load(_ path: String) throws -> ModelBundle {
        let members: [ArchiveMember]
        do {
            members = try ArchiveReader.members(of: path)
        } catch {
            throw PredictError("\(path): not a readable model archive: \(error)")
        }
        func member(_ name: String) -> Data? { members.first { $0.name == name }.map { Data($0.bytes) } }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let modelData = member("model.json") else {
            throw PredictError("\(path): no model.json in the archive (members: \(members.map(\.name).joined(separator: ", ")))")
        }
        let model: Model
        do { model = try decoder.decode(Model.self, from: modelData) } catch {
            throw PredictError("\(path): model.json: \(error)")
        }
        guard model.format == "sluice.model.logistic/1" else {
            throw PredictError("\(path): model.json has format '\(model.format)'; this sluice predicts with 'sluice.model.logistic/1'")
        }
        guard model.weights.count == model.features.count, model.classes.count == 2 else {
            throw PredictError("\(path): model.json has \(model.weights.count) weights for \(model.features.count) features and \(model.classes.count) classes")
        }
        var transform: Transform?
        if let data = member("transform.json") {
            do { transform = try decoder.decode(Transform.self, from: data) } catch {
                throw PredictError("\(path): transform.json: \(error)")
            }
            guard ["sluice.transform/1", "sluice.transform/2"].contains(transform?.format ?? "") else {
                throw PredictError("\(path): transform.json has format '\(transform?.format ?? "")'; expected 'sluice.transform/1' or '/2'")
            }
        }
        struct Manifest: Decodable { let pipeline: String; let version: Int }
        let manifest = member("manifest.json").flatMap { try? decoder.decode(Manifest.self, from: $0) }
        return ModelBundle(path: path, model: model, transform: transform,
                           pipeline: manifest?.pipeline ?? "?", version: manifest?.version ?? 0)
    }
}

/// A prediction problem, said for people.
public struct PredictError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

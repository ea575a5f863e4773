import Foundation
import SluiceArchive

/// A published model archive, read for prediction: the model and the feature
/// transform, decoded from their documented formats (docs/artifacts.md) —
/// independently of the plugins that wrote them.
public struct ModelBundle: Sendable {
    /// `model.json`: format `sluice.model.linear/2` (any task), or the older
    /// `sluice.model.logistic/1` (binary; `weights`, `intercept`) read into the same shape.
    public struct Model: Decodable, Sendable {
        public let format: String
        /// binary, multiclass or regression.
        public let task: String
        public let target: String
        public let classes: [String]
        public let features: [String]
        /// logistic, softmax or identity.
        public let link: String
        public let coefficients: [[Double]]
        public let intercepts: [Double]

        enum CodingKeys: String, CodingKey {
            case format, task, target, classes, features, link, coefficients, intercepts, weights, intercept
        }

        public init(from decoder: any Decoder) throws {
            let keys = try decoder.container(keyedBy: CodingKeys.self)
            format = try keys.decode(String.self, forKey: .format)
            task = try keys.decode(String.self, forKey: .task)
            target = try keys.decode(String.self, forKey: .target)
            classes = try keys.decodeIfPresent([String].self, forKey: .classes) ?? []
            features = try keys.decode([String].self, forKey: .features)
            if format == "sluice.model.logistic/1" {
                link = "logistic"
                coefficients = [try keys.decode([Double].self, forKey: .weights)]
                intercepts = [try keys.decode(Double.self, forKey: .intercept)]
            } else {
                link = try keys.decode(String.self, forKey: .link)
                coefficients = try keys.decode([[Double]].self, forKey: .coefficients)
                intercepts = try keys.decode([Double].self, forKey: .intercepts)
            }
        }

        /// Scores per row: 1 (P(classes[1]), or the prediction) or K (class probabilities).
        public var width: Int { link == "softmax" ? coefficients.count : 1 }
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
        guard ["sluice.model.linear/2", "sluice.model.logistic/1"].contains(model.format) else {
            throw PredictError("\(path): model.json has format '\(model.format)'; this sluice predicts with "
                               + "'sluice.model.linear/2' or 'sluice.model.logistic/1'")
        }
        let expectedOutputs: Int? = switch model.link {
        case "logistic", "identity": 1
        case "softmax": model.classes.count
        default: nil
        }
        guard let expectedOutputs else {
            throw PredictError("\(path): model.json has link '\(model.link)'; expected logistic, softmax or identity")
        }
        guard model.coefficients.count == expectedOutputs, model.intercepts.count == expectedOutputs,
              model.coefficients.allSatisfy({ $0.count == model.features.count }),
              model.link != "logistic" || model.classes.count == 2 else {
            throw PredictError("\(path): model.json has \(model.coefficients.count) coefficient rows of "
                               + "\(model.coefficients.map { String($0.count) }.joined(separator: "/")) for \(model.features.count) "
                               + "features, \(model.intercepts.count) intercepts and \(model.classes.count) classes (link \(model.link))")
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

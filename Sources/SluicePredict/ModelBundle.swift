import Foundation
import SluiceArchive
import SluiceFormats

/// A published model archive, read for prediction: the model and the feature
/// transform, decoded with the same format types the plugins wrote them with
/// (SluiceFormats; docs/artifacts.md).
public struct ModelBundle: Sendable {
    public let path: String
    /// `model.json`: `sluice.model.linear/2`, or the older `sluice.model.logistic/1` read into the same shape.
    public let model: LinearModel
    /// `transform.json`; absent when the pipeline had no features stage.
    public let transform: FeatureTransform?
    /// `pipeline` and `version` from the manifest, for messages.
    public let pipeline: String
    public let version: Int
    /// `schema.json`: the data the model was trained on (absent in archives without one).
    public let schema: DataSchema?
    /// `task` and `target` from the manifest (settings for a stage's `apply`).
    public let task: String?
    public let target: String?
    /// The stages that made the model, from the manifest (empty without one).
    public let plugins: [Manifest.Plugin]
    /// Every archive member by name: what the stages stored, which a stage's
    /// `apply` reads back.
    public let members: [String: [UInt8]]

    /// The stages whose fitted transform must be re-applied to new rows, in run order.
    public var applyingStages: [Manifest.Plugin] { plugins.filter { $0.applies == true } }

    /// Reads `path` (a `.tar.gz` from the outbox; `current.tar.gz` works).
    /// - Throws: ``PredictError`` naming the archive and what is wrong with it.
    public static func load(_ path: String) throws -> ModelBundle {
        let members: [ArchiveMember]
        do {
            members = try ArchiveReader.members(of: path)
        } catch {
            throw PredictError("\(path): not a readable model archive: \(error)")
        }
        func member(_ name: String) -> [UInt8]? { members.first { $0.name == name }?.bytes }
        guard let modelBytes = member("model.json") else {
            throw PredictError("\(path): no model.json in the archive (members: \(members.map(\.name).joined(separator: ", ")))")
        }
        do {
            let model = try LinearModel.decode(modelBytes)
            let transform = try member("transform.json").map { try FeatureTransform.decode($0) }
            let manifest = try member("manifest.json").map {
                try FormatCoding.decode(Manifest.self, from: $0, file: "manifest.json")
            }
            let schema = try member("schema.json").map { try FormatCoding.decode(DataSchema.self, from: $0, file: "schema.json") }
            return ModelBundle(path: path, model: model, transform: transform,
                               pipeline: manifest?.pipeline ?? "?", version: manifest?.version ?? 0, schema: schema,
                               task: manifest?.task, target: manifest?.target, plugins: manifest?.plugins ?? [],
                               members: Dictionary(members.map { ($0.name, $0.bytes) }, uniquingKeysWith: { first, _ in first }))
        } catch {
            throw PredictError("\(path): \(error)")
        }
    }
}

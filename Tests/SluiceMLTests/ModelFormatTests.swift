import Foundation
import SluiceML
import SluiceFormats
import Testing

/// `model.json` round-trips in `sluice.model.linear/2`, and archives written
/// before it (`sluice.model.logistic/1`) still score the same.
@Suite struct ModelFormatTests {
    @Test func theOldBinaryFormatReadsIntoTheNewShapeAndScoresTheSame() throws {
        let old = """
            {"format": "sluice.model.logistic/1", "task": "binary", "target": "churned", "classes": ["no", "yes"],
             "features": ["a", "b"], "weights": [0.5, -1.25], "intercept": 0.1, "c": 1, "iterations": 7,
             "converged": true, "objective": 0.4, "gradient_norm": 1e-6, "training_rows": 100, "seed": 42}
            """
        let model = try LinearModel.decode(Array(old.utf8))
        #expect(model.format == LinearModel.format && model.link == "logistic" && model.width == 1)
        #expect(model.coefficients == [[0.5, -1.25]] && model.intercepts == [0.1])
        let a: [Float] = [1, 2], b: [Float] = [0.5, .nan]
        let scores = a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in model.scores(columns: [a, b], rows: [0, 1]) }
        }
        #expect(scores == [1 / (1 + exp(-(0.1 + 0.5 - 0.625))), 1 / (1 + exp(-(0.1 + 1.0)))])
    }

    @Test func theNewFormatRoundTripsAndAnUnknownOneIsNamed() throws {
        let model = LinearModel(task: "multiclass", target: "tier", classes: ["a", "b", "c"], features: ["x"],
                                link: "softmax", coefficients: [[1], [0], [-1]], intercepts: [0, 0, 0], solver: "lbfgs",
                                penalty: "l2", c: 1, alpha: nil, l1Ratio: nil, classWeights: ["a": 2, "b": 1, "c": 1],
                                iterations: 3, converged: true, objective: 0.9, gradientNorm: 1e-6, trainingRows: 10, seed: 1)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        #expect(try LinearModel.decode(Array(try encoder.encode(model))) == model)
        #expect(throws: FormatError.self) { try LinearModel.decode(Array(#"{"format": "sluice.model.tree/1"}"#.utf8)) }
    }
}

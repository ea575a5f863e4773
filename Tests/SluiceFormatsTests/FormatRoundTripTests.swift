import Foundation
import Testing
@testable import SluiceFormats

/// The files host and plugins exchange read back to exactly the bytes that were written.
@Suite struct FormatRoundTripTests {
    static let transform = FeatureTransform(
        target: "churned",
        numeric: [.init(column: "tenure", impute: "median", fill: 12.5, log: true, mean: 2.3125, scale: 0.7071067811865476),
                  .init(column: "spend", fill: 0.1, mean: -3.0e-7, scale: 1)],
        oneHot: [.init(column: "plan", categories: ["basic", "pro/max", "é"], other: true)],
        hashed: [.init(column: "city", buckets: 7)])

    @Test func transformJSONRoundTripsByteIdentically() throws {
        let bytes = try Self.transform.encoded()
        let decoded = try FeatureTransform.decode(bytes)
        #expect(decoded == Self.transform)
        #expect(try decoded.encoded() == bytes)
    }

    @Test func modelJSONRoundTripsByteIdentically() throws {
        let model = LinearModel(task: "multiclass", target: "y", classes: ["a", "b", "c"], features: ["x1", "x2"],
                                link: "softmax", coefficients: [[0.1, -0.2], [1e-12, 3], [0, 0]],
                                intercepts: [0.5, -0.25, -0.25], solver: "lbfgs", penalty: "l2", c: 1, alpha: nil,
                                l1Ratio: nil, classWeights: ["a": 2], iterations: 17, converged: true,
                                objective: 0.6931471805599453, gradientNorm: 1e-9, trainingRows: 1000, seed: 42)
        let bytes = Array(try FormatCoding.prettyEncoder().encode(model))
        let decoded = try LinearModel.decode(bytes)
        #expect(decoded == model)
        #expect(Array(try FormatCoding.prettyEncoder().encode(decoded)) == bytes)
    }

    @Test func versionOneTransformReadsWithDefaults() throws {
        let text = #"{"format": "sluice.transform/1", "numeric": [{"column": "a", "fill": 1, "mean": 0, "scale": 2}], "one_hot": [{"column": "b", "categories": ["x"]}]}"#
        let transform = try FeatureTransform.decode(Array(text.utf8))
        #expect(transform.numeric[0].impute == "mean")
        #expect(transform.numeric[0].log == false)
        #expect(transform.oneHot[0].other == false)
        #expect(transform.hashed.isEmpty)
        #expect(transform.features == ["a", "b=x"])
    }

    @Test func unknownFormatsAndBadShapesAreNamed() throws {
        #expect(throws: FormatError.self) { try FeatureTransform.decode(Array(#"{"format": "sluice.transform/9", "numeric": [], "one_hot": []}"#.utf8)) }
        let error = #expect(throws: FormatError.self) {
            try LinearModel.decode(Array(#"{"format": "sluice.model.linear/2", "task": "binary", "target": "y", "classes": ["0", "1"], "features": ["a"], "link": "logistic", "coefficients": [[1, 2]], "intercepts": [0], "solver": "lbfgs", "penalty": "l2", "iterations": 1, "converged": true, "objective": 0, "gradient_norm": 0, "training_rows": 1, "seed": 1}"#.utf8))
        }
        #expect(error?.description.contains("coefficient rows of 2 for 1 features") == true)
        let missing = #expect(throws: FormatError.self) { try ChampionInfo.decode(Array(#"{"archive": "a"}"#.utf8)) }
        #expect(missing?.description.contains("champion/info.json: missing key 'version'") == true)
    }

    @Test func applyingTheTransformGivesTheFeaturesInOrder() throws {
        let tenure: [Float] = [1, .nan, 100], spend: [Float] = [0, 1, 2]
        let codes: [Int32] = [0, 1, -1], cityCodes: [Int32] = [0, 0, 1]
        let plan = ["basic", "enterprise"], city = ["Lyon", "Oslo"]
        let columns = try tenure.withUnsafeBufferPointer { t in
            try spend.withUnsafeBufferPointer { s in
                try codes.withUnsafeBufferPointer { c in
                    try cityCodes.withUnsafeBufferPointer { cc in
                        try Self.transform.apply(rows: 3) { name -> RawColumn? in
                            switch name {
                            case "tenure": .numeric(t)
                            case "spend": .numeric(s)
                            case "plan": .categorical(codes: c, dictionary: plan)
                            case "city": .categorical(codes: cc, dictionary: city)
                            default: nil
                            }
                        }
                    }
                }
            }
        }
        #expect(columns.count == Self.transform.features.count)
        let numeric = Self.transform.numeric[0]
        #expect(columns[0] == tenure.map(numeric.apply))
        // plan: basic, pro/max, é, (other): "enterprise" is other, missing is all zeros.
        #expect(columns[2] == [1, 0, 0])
        #expect(columns[5] == [0, 1, 0])
        let lyon = Self.transform.hashed[0].bucket("Lyon"), oslo = Self.transform.hashed[0].bucket("Oslo")
        #expect(columns[6 + lyon][0] == 1 && columns[6 + oslo][2] == 1)
        let missing = #expect(throws: FormatError.self) { try Self.transform.apply(rows: 3) { _ in nil } }
        #expect(missing?.description.contains("input lacks 4 columns") == true)
    }
}

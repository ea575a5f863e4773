import Foundation

/// The `model.json` artifact written by the train stage (format
/// `sluice.model.linear/2`, documented in docs/artifacts.md): a linear model
/// for any task. Scores are z = coefficients[o]·x + intercepts[o] per output
/// o, then the link: `logistic` (binary: one output, P(classes[1]) = σ(z)),
/// `softmax` (multiclass: one output per class), `identity` (regression).
public struct LinearModel: Codable, Sendable, Equatable {
    /// A true value as this model's label: the class index (binary: 1 for
    /// `classes[1]`), or the number for regression; nil for a class it does not know.
    public func label(of truth: String) -> Float? {
        link == "identity" ? Float(truth) : classes.firstIndex(of: truth).map(Float.init)
    }

    public static let format = "sluice.model.linear/2"
    public var format: String = LinearModel.format
    /// binary, multiclass or regression.
    public var task: String
    public var target: String
    /// Class labels (binary: `classes[1]` is the positive class); empty for regression.
    public var classes: [String]
    /// Feature columns in the order of each coefficient row.
    public var features: [String]
    /// logistic, softmax or identity.
    public var link: String
    public var coefficients: [[Double]]
    public var intercepts: [Double]
    /// How it was fitted: solver, penalty and its strength, class weights.
    public var solver: String
    public var penalty: String
    public var c: Double?
    public var alpha: Double?
    public var l1Ratio: Double?
    public var classWeights: [String: Double]?
    public var iterations: Int
    public var converged: Bool
    public var objective: Double
    public var gradientNorm: Double
    public var trainingRows: Int
    public var seed: UInt64

    public init(task: String, target: String, classes: [String], features: [String], link: String,
                coefficients: [[Double]], intercepts: [Double], solver: String, penalty: String, c: Double?,
                alpha: Double?, l1Ratio: Double?, classWeights: [String: Double]?, iterations: Int, converged: Bool,
                objective: Double, gradientNorm: Double, trainingRows: Int, seed: UInt64) {
        self.task = task
        self.target = target
        self.classes = classes
        self.features = features
        self.link = link
        self.coefficients = coefficients
        self.intercepts = intercepts
        self.solver = solver
        self.penalty = penalty
        self.c = c
        self.alpha = alpha
        self.l1Ratio = l1Ratio
        self.classWeights = classWeights
        self.iterations = iterations
        self.converged = converged
        self.objective = objective
        self.gradientNorm = gradientNorm
        self.trainingRows = trainingRows
        self.seed = seed
    }

    /// A `sluice.model.logistic/1` model (written by sluice before multiclass and regression) in this form.
    public init(_ old: LogisticModel) {
        self.init(task: "binary", target: old.target, classes: old.classes, features: old.features, link: "logistic",
                  coefficients: [old.weights], intercepts: [old.intercept], solver: "lbfgs", penalty: "l2", c: old.c,
                  alpha: nil, l1Ratio: nil, classWeights: nil, iterations: old.iterations, converged: old.converged,
                  objective: old.objective, gradientNorm: old.gradientNorm, trainingRows: old.trainingRows, seed: old.seed)
    }

    /// Reads `model.json` in either format (snake_case keys) and checks its shape.
    /// - Throws: ``FormatError`` naming `file`, the format or the shape that is wrong.
    public static func decode(_ bytes: [UInt8], file: String = "model.json") throws -> LinearModel {
        struct Head: Decodable { let format: String }
        let head = try FormatCoding.decode(Head.self, from: bytes, file: file)
        let model: LinearModel
        switch head.format {
        case LinearModel.format: model = try FormatCoding.decode(LinearModel.self, from: bytes, file: file)
        case LogisticModel.format: model = LinearModel(try FormatCoding.decode(LogisticModel.self, from: bytes, file: file))
        default:
            throw FormatError("\(file) has format '\(head.format)'; expected '\(LinearModel.format)' "
                              + "or '\(LogisticModel.format)'")
        }
        try model.checkShape(file: file)
        return model
    }

    /// Checks that the link is known and the coefficients, intercepts and classes fit it.
    /// - Throws: ``FormatError`` saying what does not fit.
    public func checkShape(file: String = "model.json") throws {
        let outputs: Int? = switch link {
        case "logistic", "identity": 1
        case "softmax": classes.count
        default: nil
        }
        guard let outputs else {
            throw FormatError("\(file) has link '\(link)'; expected logistic, softmax or identity")
        }
        guard coefficients.count == outputs, intercepts.count == outputs,
              coefficients.allSatisfy({ $0.count == features.count }), link != "logistic" || classes.count == 2 else {
            throw FormatError("\(file) has \(coefficients.count) coefficient rows of "
                              + "\(coefficients.map { String($0.count) }.joined(separator: "/")) for \(features.count) "
                              + "features, \(intercepts.count) intercepts and \(classes.count) classes (link \(link))")
        }
    }

    /// Outputs per row: 1 (binary, regression) or K (multiclass).
    public var width: Int { link == "softmax" ? coefficients.count : 1 }

    /// The one scoring function: scores for `rows` of the feature `columns` (in ``features`` order), row-major
    /// with ``width`` per row: P(classes[1]) for binary, the K class probabilities
    /// for multiclass, the prediction for regression. Missing (NaN) features count as 0.
    public func scores(columns: [UnsafeBufferPointer<Float>], rows: [Int]) -> [Double] {
        Self.scores(coefficients: coefficients, intercepts: intercepts, link: link, columns: columns, rows: rows)
    }

    /// The same scores for coefficients not (yet) in a model, e.g. a cross-validation fold's fit.
    public static func scores(coefficients: [[Double]], intercepts: [Double], link: String,
                              columns: [UnsafeBufferPointer<Float>], rows: [Int]) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(rows.count * (link == "softmax" ? coefficients.count : 1))
        var z = [Double](repeating: 0, count: coefficients.count)
        for row in rows {
            for o in coefficients.indices {
                var total = intercepts[o]
                let weights = coefficients[o]
                for (j, column) in columns.enumerated() {
                    let value = column[row]
                    total += weights[j] * Double(value.isNaN ? 0 : value)
                }
                z[o] = total
            }
            switch link {
            case "logistic": out.append(1 / (1 + exp(-z[0])))
            case "softmax": out.append(contentsOf: Self.softmax(z))
            default: out.append(z[0])
            }
        }
        return out
    }

    /// exp(z − max) / Σ exp(z − max): the softmax link, shared by training and every scorer.
    public static func softmax(_ z: [Double]) -> [Double] {
        let top = z.max() ?? 0
        let e = z.map { exp($0 - top) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }
}

import Foundation

/// The `model.json` artifact written by the train stage (format
/// `sluice.model.linear/2`, documented in docs/artifacts.md): a linear model
/// for any task. Scores are z = coefficients[o]·x + intercepts[o] per output
/// o, then the link: `logistic` (binary: one output, P(classes[1]) = σ(z)),
/// `softmax` (multiclass: one output per class), `identity` (regression).
public struct LinearModel: Codable, Sendable, Equatable {
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

    /// Reads `model.json` in either format (snake_case keys).
    public static func decode(_ bytes: [UInt8]) throws -> LinearModel {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        struct Head: Decodable { let format: String }
        let head = try decoder.decode(Head.self, from: Data(bytes))
        switch head.format {
        case LinearModel.format: return try decoder.decode(LinearModel.self, from: Data(bytes))
        case LogisticModel.format: return LinearModel(try decoder.decode(LogisticModel.self, from: Data(bytes)))
        default:
            throw ModelFormatError(description: "model.json has format '\(head.format)'; expected '\(LinearModel.format)' "
                                   + "or '\(LogisticModel.format)'")
        }
    }

    /// Outputs per row: 1 (binary, regression) or K (multiclass).
    public var width: Int { link == "softmax" ? coefficients.count : 1 }

    /// Scores for `rows` of the feature `columns` (in ``features`` order), row-major
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
            case "softmax": out.append(contentsOf: SoftmaxRegression.softmax(z))
            default: out.append(z[0])
            }
        }
        return out
    }
}

public struct ModelFormatError: Error, CustomStringConvertible {
    public let description: String
}

/// The `model.json` artifact of sluice before multiclass and regression
/// (format `sluice.model.logistic/1`): still read, no longer written.
public struct LogisticModel: Codable, Sendable, Equatable {
    public static let format = "sluice.model.logistic/1"
    public var format: String = LogisticModel.format
    public var task: String
    public var target: String
    /// Class labels; `classes[1]` is the positive class.
    public var classes: [String]
    /// Feature columns in the order of `weights`.
    public var features: [String]
    public var weights: [Double]
    public var intercept: Double
    public var c: Double
    public var iterations: Int
    public var converged: Bool
    public var objective: Double
    public var gradientNorm: Double
    public var trainingRows: Int
    public var seed: UInt64

    public init(task: String, target: String, classes: [String], features: [String], weights: [Double],
                intercept: Double, c: Double, iterations: Int, converged: Bool, objective: Double,
                gradientNorm: Double, trainingRows: Int, seed: UInt64) {
        self.task = task
        self.target = target
        self.classes = classes
        self.features = features
        self.weights = weights
        self.intercept = intercept
        self.c = c
        self.iterations = iterations
        self.converged = converged
        self.objective = objective
        self.gradientNorm = gradientNorm
        self.trainingRows = trainingRows
        self.seed = seed
    }
}

/// The `transform.json` artifact written by the features stage (format
/// `sluice.transform/2`, documented in docs/artifacts.md): how raw columns
/// become model features. `sluice predict` applies it with its own code; the
/// format is the contract.
public struct FeatureTransform: Codable, Sendable, Equatable {
    public static let format = "sluice.transform/2"

    /// A numeric column: missing → `fill` (chosen by `impute` on the training
    /// rows), then `signedLog1p` when `log`, then `(x − mean) / scale`.
    public struct Numeric: Codable, Sendable, Equatable {
        public var column: String
        /// mean, median, most_frequent or constant.
        public var impute: String
        public var fill: Double
        public var log: Bool
        public var mean: Double
        public var scale: Double
        public init(column: String, impute: String = "mean", fill: Double, log: Bool = false, mean: Double, scale: Double) {
            self.column = column
            self.impute = impute
            self.fill = fill
            self.log = log
            self.mean = mean
            self.scale = scale
        }

        /// The feature value of a raw value (NaN = missing), in Double; stored as Float.
        @inline(__always)
        public func apply(_ value: Float) -> Float {
            var x = value.isNaN ? fill : Double(value)
            if log { x = FeatureTransform.signedLog1p(x) }
            return Float((x - mean) / scale)
        }

        /// ``apply(_:)`` on every value of `values`, written to `out`: the same
        /// operations in the same order per value (so the same bits), four values
        /// at a time when there is no log.
        public func apply(_ values: UnsafeBufferPointer<Float>, into out: UnsafeMutablePointer<Float>) {
            var index = 0
            if !log, let base = values.baseAddress {
                let raw = UnsafeRawPointer(base)
                let fills = SIMD4<Double>(repeating: fill), means = SIMD4<Double>(repeating: mean)
                let scales = SIMD4<Double>(repeating: scale)
                while index + 4 <= values.count {
                    let v = SIMD4<Double>(raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD4<Float>.self))
                    let x = v.replacing(with: fills, where: v .!= v)
                    UnsafeMutableRawPointer(out + index).storeBytes(of: SIMD4<Float>((x - means) / scales), as: SIMD4<Float>.self)
                    index += 4
                }
            }
            while index < values.count {
                out[index] = apply(values[index])
                index += 1
            }
        }
    }

    /// A categorical column: one 0/1 feature `column=value` per kept category;
    /// with `other`, one more, `column=(other)`, for any other present value
    /// (also values unseen in training). Missing gives all zeros.
    public struct OneHot: Codable, Sendable, Equatable {
        public var column: String
        public var categories: [String]
        public var other: Bool
        public init(column: String, categories: [String], other: Bool = false) {
            self.column = column
            self.categories = categories
            self.other = other
        }
        /// Feature name for a category.
        public func feature(_ category: String) -> String { "\(column)=\(category)" }
        public var otherFeature: String { "\(column)=(other)" }
        public var features: [String] { categories.map(feature) + (other ? [otherFeature] : []) }
    }

    /// A high-cardinality categorical column hashed into `buckets` 0/1
    /// features `column#k`, k = FNV-1a-64(UTF-8 of the value) mod buckets.
    public struct Hashed: Codable, Sendable, Equatable {
        public var column: String
        public var buckets: Int
        public init(column: String, buckets: Int) {
            self.column = column
            self.buckets = buckets
        }
        public var features: [String] { (0..<buckets).map { "\(column)#\($0)" } }
        public func bucket(_ value: String) -> Int { Int(FeatureTransform.fnv1a64(value) % UInt64(buckets)) }
    }

    public var format: String = FeatureTransform.format
    public var target: String
    public var numeric: [Numeric]
    public var oneHot: [OneHot]
    public var hashed: [Hashed]

    public init(target: String, numeric: [Numeric], oneHot: [OneHot], hashed: [Hashed] = []) {
        self.target = target
        self.numeric = numeric
        self.oneHot = oneHot
        self.hashed = hashed
    }

    /// Output feature names in order.
    public var features: [String] {
        numeric.map(\.column) + oneHot.flatMap(\.features) + hashed.flatMap(\.features)
    }

    /// sign(x) · ln(1 + |x|): a log transform defined for every value.
    @inline(__always)
    public static func signedLog1p(_ x: Double) -> Double {
        x < 0 ? -log1p(-x) : log1p(x)
    }

    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return hash
    }
}

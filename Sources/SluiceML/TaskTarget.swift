import SluiceFormats

/// The target column as training labels for a task: 0/1 for binary, the class
/// index for multiclass, the value for regression; NaN where the target is
/// missing (or, when scoring against a model's classes, is a class the model
/// does not know).
public struct TaskTarget: Sendable {
    /// The task, shared with the host (metrics are computed the same way on both sides).
    public typealias Task = ModelTask

    public let task: Task
    /// Class names in label order (binary: `classes[1]` is the positive class); empty for regression.
    public let classes: [String]
    public let labels: [Float]
    /// Rows whose class is not one of `classes` (only when the classes were given).
    public let unknownClassRows: Int

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// From a categorical target column.
    /// - Parameter classes: the model's classes when scoring (labels follow them); nil when training.
    public init(task: Task, codes: UnsafeBufferPointer<Int32>, dictionary: [String], positiveClass: String? = nil,
                classes known: [String]? = nil) throws {
        self.task = task
        switch task {
        case .regression:
            throw Problem(description: "task regression needs a numeric target; this one holds text "
                          + "(e.g. '\(dictionary.first ?? "")')")
        case .binary where known == nil:
            let binary = try BinaryTarget(codes: codes, dictionary: dictionary, positiveClass: positiveClass)
            classes = binary.classes
            labels = binary.labels
            unknownClassRows = 0
        case .binary, .multiclass:
            var classes = known ?? {
                var used = Set<Int32>()
                for code in codes where code >= 0 { used.insert(code) }
                return used.map { dictionary[Int($0)] }.sorted()
            }()
            if known == nil, classes.count < 2 {
                throw Problem(description: "a \(task.rawValue) target needs at least 2 classes, found \(classes.count)")
            }
            if task == .binary, let positiveClass, known == nil, classes.first == positiveClass { classes.swapAt(0, 1) }
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Float($0)) })
            let byCode = dictionary.map { index[$0] ?? -1 }
            var unknown = 0
            labels = codes.map { code in
                guard code >= 0 else { return .nan }
                let label = byCode[Int(code)]
                if label < 0 { unknown += 1; return .nan }
                return label
            }
            unknownClassRows = unknown
            self.classes = classes
        }
    }

    /// From a numeric target column (classes named by their numbers, sorted numerically).
    public init(task: Task, values: UnsafeBufferPointer<Float>, positiveClass: String? = nil,
                classes known: [String]? = nil) throws {
        self.task = task
        switch task {
        case .regression:
            classes = []
            labels = Array(values)
            unknownClassRows = 0
        case .binary where known == nil:
            let binary = try BinaryTarget(values: values, positiveClass: positiveClass)
            classes = binary.classes
            labels = binary.labels
            unknownClassRows = 0
        case .binary, .multiclass:
            let classes = known ?? {
                var distinct = Set<Float>()
                for value in values where !value.isNaN { distinct.insert(value) }
                return distinct.sorted().map(BinaryTarget.name)
            }()
            if known == nil {
                guard classes.count >= 2 else {
                    throw Problem(description: "a \(task.rawValue) target needs at least 2 classes, found \(classes.count)")
                }
                guard classes.count <= 1000 else {
                    throw Problem(description: "the target has \(classes.count) distinct values; a \(task.rawValue) task takes at most 1000 classes (is this a regression target?)")
                }
            }
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Float($0)) })
            var unknown = 0
            // A class is found by the value's name, formatted once per distinct
            // value, not once per row: the first few values are compared in a
            // list (a class target has a few), any others found in a dictionary.
            var recent: [(value: Float, label: Float)] = []
            var others: [Float: Float] = [:]
            labels = values.map { value in
                guard !value.isNaN else { return .nan }
                let label = recent.first(where: { $0.value == value })?.label ?? others[value] ?? {
                    let label = index[BinaryTarget.name(value)] ?? -1
                    if recent.count < 8 { recent.append((value, label)) } else { others[value] = label }
                    return label
                }()
                if label < 0 { unknown += 1; return .nan }
                return label
            }
            unknownClassRows = unknown
            self.classes = classes
        }
    }

    /// Per-row weights for scikit-learn's `class_weight`: "balanced" (n / (K · n_class)),
    /// or explicit weights by class name (classes not named weigh 1). Nil when none.
    public func classWeights(balanced: Bool, explicit: [String: Double], rows: [Int]) throws -> (perRow: [Float], byClass: [String: Double])? {
        guard task != .regression else {
            if balanced || !explicit.isEmpty { throw Problem(description: "class weights apply to classification tasks, not regression") }
            return nil
        }
        guard balanced || !explicit.isEmpty else { return nil }
        for name in explicit.keys where !classes.contains(name) {
            throw Problem(description: "class_weight.\(name): '\(name)' is not a class of the target (classes: \(classes.joined(separator: ", ")))")
        }
        var counts = [Int](repeating: 0, count: classes.count)
        for row in rows { counts[Int(labels[row])] += 1 }
        let byClass: [Double] = classes.indices.map { k in
            balanced ? (counts[k] == 0 ? 0 : Double(rows.count) / (Double(classes.count) * Double(counts[k])))
                : explicit[classes[k]] ?? 1
        }
        return (rows.map { Float(byClass[Int(labels[$0])]) },
                Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, byClass[$0]) }))
    }
}

/// A binary target turned into 0/1 labels, with its two class names.
public struct BinaryTarget: Sendable {
    /// Class names; `classes[1]` is the positive class (label 1).
    public let classes: [String]
    /// One label per row: 0, 1, or NaN when the target is missing.
    public let labels: [Float]

    public enum Problem: Error, CustomStringConvertible {
        case classCount(found: [String])
        case unknownPositiveClass(String, classes: [String])

        public var description: String {
            switch self {
            case .classCount(let found):
                "a binary target needs exactly 2 classes, found \(found.count): \(found.prefix(10).joined(separator: ", "))"
            case .unknownPositiveClass(let name, let classes):
                "positive_class '\(name)' is not one of the target's classes (\(classes.joined(separator: ", ")))"
            }
        }
    }

    /// From a categorical target: classes sorted by name (like scikit-learn),
    /// or with `positiveClass` as class 1.
    public init(codes: UnsafeBufferPointer<Int32>, dictionary: [String], positiveClass: String? = nil) throws {
        var used = Set<Int32>()
        for code in codes where code >= 0 { used.insert(code) }
        var classes = used.map { dictionary[Int($0)] }.sorted()
        guard classes.count == 2 else { throw Problem.classCount(found: classes) }
        if let positiveClass {
            guard let index = classes.firstIndex(of: positiveClass) else {
                throw Problem.unknownPositiveClass(positiveClass, classes: classes)
            }
            if index == 0 { classes.swapAt(0, 1) }
        }
        let positive = classes[1]
        let positiveCode = Int32(dictionary.firstIndex(of: positive)!)
        self.classes = classes
        labels = codes.map { $0 < 0 ? .nan : ($0 == positiveCode ? 1 : 0) }
    }

    /// From a numeric target with two distinct values (the larger is class 1).
    public init(values: UnsafeBufferPointer<Float>, positiveClass: String? = nil) throws {
        // Compared with the (at most three) values seen so far, not hashed per row.
        var distinct: [Float] = []
        for value in values where !value.isNaN && !distinct.contains(value) {
            distinct.append(value)
            if distinct.count > 2 { break }
        }
        var sorted = distinct.sorted()
        let names = sorted.map { Self.name($0) }
        guard sorted.count == 2 else { throw Problem.classCount(found: names) }
        if let positiveClass {
            guard let index = names.firstIndex(of: positiveClass) else {
                throw Problem.unknownPositiveClass(positiveClass, classes: names)
            }
            if index == 0 { sorted.swapAt(0, 1) }
        }
        classes = sorted.map { Self.name($0) }
        let positive = sorted[1]
        labels = values.map { $0.isNaN ? .nan : ($0 == positive ? 1 : 0) }
    }

    static func name(_ value: Float) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }
}

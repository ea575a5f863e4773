import Yams

/// Typed, located access to a YAML node tree. Every failure is a
/// ``ConfigError`` pointing at the offending node.
struct NodeReader {
    let file: String

    func error(_ node: Node, path: String, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line, column: node.mark?.column, keyPath: path, message: message)
    }

    func yamlSyntaxError(_ error: YamlError) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text) " } ?? ""
            return ConfigError(file: file, line: mark.line, column: mark.column, keyPath: "",
                               message: "YAML syntax: \(detail)\(problem)")
        default:
            return ConfigError(file: file, line: nil, column: nil, keyPath: "", message: "YAML: \(error)")
        }
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// Key → value of a mapping with string keys, in file order; duplicate keys are errors.
    func orderedMapping(_ node: Node, path: String) throws -> [(String, Node, Node)] {
        guard case .mapping(let mapping) = node else {
            throw error(node, path: path, "expected a mapping (key: value), found \(describe(node))")
        }
        var out: [(String, Node, Node)] = []
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw error(keyNode, path: path, "expected a plain key, found \(describe(keyNode))")
            }
            if !seen.insert(scalar.string).inserted {
                throw error(keyNode, path: path, "key '\(scalar.string)' appears twice")
            }
            out.append((scalar.string, keyNode, value))
        }
        return out
    }

    /// A mapping whose keys must all be in `allowed`.
    func mapping(_ node: Node, path: String, allowed: [String]) throws -> [String: Node] {
        var out: [String: Node] = [:]
        for (key, keyNode, value) in try orderedMapping(node, path: path) {
            guard allowed.contains(key) else {
                let nearest = allowed.min { editDistance($0, key) < editDistance($1, key) }
                let hint = nearest.flatMap { editDistance($0, key) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
                throw error(keyNode, path: path.isEmpty ? key : "\(path).\(key)",
                            "unknown key '\(key)'\(hint); expected one of: \(allowed.joined(separator: ", "))")
            }
            out[key] = value
        }
        return out
    }

    func sequence(_ node: Node, path: String) throws -> [Node] {
        guard case .sequence(let sequence) = node else {
            throw error(node, path: path, "expected a list, found \(describe(node))")
        }
        return Array(sequence)
    }

    func string(_ node: Node, path: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw error(node, path: path, "expected a text value, found \(describe(node))")
        }
        if scalar.string.isEmpty || (scalar.style == .plain && ["~", "null", "Null", "NULL"].contains(scalar.string)) {
            throw error(node, path: path, "expected a text value, found nothing")
        }
        return scalar.string
    }

    /// A scalar's text, whatever its YAML type (for plugin params).
    func scalarText(_ node: Node, path: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw error(node, path: path, "expected a single value (text, number or boolean), found \(describe(node))")
        }
        return scalar.string
    }

    func bool(_ node: Node, path: String) throws -> Bool {
        guard case .scalar(let scalar) = node, ["true", "false"].contains(scalar.string) else {
            throw error(node, path: path, "expected true or false, found \(describe(node))")
        }
        return scalar.string == "true"
    }

    func double(_ node: Node, path: String) throws -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite else {
            throw error(node, path: path, "expected a number, found \(describe(node))")
        }
        return value
    }

    func positiveInt(_ node: Node, path: String) throws -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string), value > 0 else {
            throw error(node, path: path, "expected a positive integer, found \(describe(node))")
        }
        return value
    }

    func positiveDouble(_ node: Node, path: String) throws -> Double {
        let value = try double(node, path: path)
        guard value > 0 else { throw error(node, path: path, "expected a positive number, found \(value)") }
        return value
    }

    func unsigned(_ node: Node, path: String) throws -> UInt64 {
        guard case .scalar(let scalar) = node, let value = UInt64(scalar.string) else {
            throw error(node, path: path, "expected a non-negative integer, found \(describe(node))")
        }
        return value
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

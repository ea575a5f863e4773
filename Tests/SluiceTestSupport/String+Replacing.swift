extension String {
    /// Replaces every occurrence of `target` (without needing Foundation).
    public func replacingOccurrences(of target: String, with replacement: String) -> String {
        var result = "", rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

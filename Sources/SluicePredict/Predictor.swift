import SluiceData
#if canImport(Glibc)
import Glibc
#endif

/// Applies a ``ModelBundle`` to a table of raw rows: the training transform
/// exactly as the features stage applied it (same Float32 rounding), then the
/// model exactly as the evaluate stage scored it — so a row gets the same
/// probability here as it got during evaluation, to the bit.
public enum Predictor {
    /// Scores for every row of `table`, row-major with `bundle.model.width` per
    /// row: P(classes[1]) (binary), the K class probabilities (multiclass), or
    /// the prediction (regression).
    /// - Throws: ``PredictError`` when a column the model needs is missing or of the wrong type.
    public static func scores(_ bundle: ModelBundle, table: Table) throws -> [Double] {
        var features: [String: [Float]] = [:]
        if let transform = bundle.transform {
            // Every column the input lacks, in one message rather than one per attempt.
            let needed = transform.numeric.map { ($0.column, "numeric") } + transform.oneHot.map { ($0.column, "categorical") }
                + (transform.hashed ?? []).map { ($0.column, "hashed") }
            let absent = needed.filter { table[$0.0] == nil }
            if absent.count > 1 {
                throw PredictError("input lacks \(absent.count) columns the model needs: "
                                   + absent.prefix(10).map { "'\($0.0)' (\($0.1))" }.joined(separator: ", ")
                                   + (absent.count > 10 ? ", …" : ""))
            }
            for encoding in transform.numeric {
                guard let column = table[encoding.column] else {
                    throw PredictError("input has no column '\(encoding.column)', which the model needs (numeric)")
                }
                guard case .numeric(let storage) = column.values else {
                    throw PredictError("column '\(encoding.column)' must be numeric (it was at training), but holds text")
                }
                let log = encoding.log ?? false
                features[encoding.column] = storage.values.map { value in
                    var x = value.isNaN ? encoding.fill : Double(value)
                    if log { x = x < 0 ? -log1p(-x) : log1p(x) }
                    return Float((x - encoding.mean) / encoding.scale)
                }
            }
            for encoding in transform.oneHot {
                guard let column = table[encoding.column] else {
                    throw PredictError("input has no column '\(encoding.column)', which the model needs (categorical)")
                }
                let text = texts(column, rows: table.rowCount)
                for category in encoding.categories {
                    features["\(encoding.column)=\(category)"] = text.map { $0 == category ? 1 : 0 }
                }
                if encoding.other == true {
                    let kept = Set(encoding.categories)
                    features["\(encoding.column)=(other)"] = text.map { $0 != nil && !kept.contains($0!) ? 1 : 0 }
                }
            }
            for encoding in transform.hashed ?? [] {
                guard let column = table[encoding.column] else {
                    throw PredictError("input has no column '\(encoding.column)', which the model needs (hashed)")
                }
                let buckets = texts(column, rows: table.rowCount).map { $0.map { Int(fnv1a64($0) % UInt64(encoding.buckets)) } }
                for bucket in 0..<encoding.buckets {
                    features["\(encoding.column)#\(bucket)"] = buckets.map { $0 == bucket ? 1 : 0 }
                }
            }
        } else {
            for name in bundle.model.features {
                guard case .numeric(let storage)? = table[name]?.values else {
                    throw PredictError("input has no numeric column '\(name)', which the model needs")
                }
                features[name] = Array(storage.values)
            }
        }
        let columns = try bundle.model.features.map { name -> [Float] in
            guard let values = features[name] else {
                throw PredictError("the model uses feature '\(name)', which the transform does not make")
            }
            return values
        }
        let model = bundle.model
        var out = [Double]()
        out.reserveCapacity(table.rowCount * model.width)
        var z = [Double](repeating: 0, count: model.coefficients.count)
        for row in 0..<table.rowCount {
            for o in model.coefficients.indices {
                var total = model.intercepts[o]
                let weights = model.coefficients[o]
                for (j, column) in columns.enumerated() {
                    let value = column[row]
                    total += weights[j] * Double(value.isNaN ? 0 : value)
                }
                z[o] = total
            }
            switch model.link {
            case "logistic": out.append(1 / (1 + exp(-z[0])))
            case "softmax":
                let top = z.max()!
                let e = z.map { exp($0 - top) }
                let sum = e.reduce(0, +)
                out.append(contentsOf: e.map { $0 / sum })
            default: out.append(z[0])
            }
        }
        return out
    }

    static func texts(_ column: TableColumn, rows: Int) -> [String?] {
        switch column.values {
        case .categorical(let storage): (0..<rows).map { storage.value(at: $0) }
        case .numeric(let storage): storage.values.map { $0.isNaN ? nil : numberText($0) }
        }
    }

    static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return hash
    }

    static func numberText(_ value: Float) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }
}

import SluiceData
import SluiceFormats
import SluicePluginHost

/// Applies a ``ModelBundle`` to a table of raw rows with the same code the
/// stages use: ``FeatureTransform/apply(rows:column:)`` (as the features stage
/// applied it) and ``LinearModel/scores(columns:rows:)`` (as the evaluate stage
/// scored it) — so a row gets the same probability here as it got during
/// evaluation, to the bit.
public enum Predictor {
    /// Scores for every row of `table` (or only `rows`), row-major with
    /// `bundle.model.width` per row: P(classes[1]) (binary), the K class
    /// probabilities (multiclass), or the prediction (regression).
    /// - Throws: ``PredictError`` when a column the model needs is missing or of the wrong type.
    /// A stage of the model with an `apply` entry is re-applied first
    /// (``FittedStages``), its plugin found in `searchPath`.
    public static func scores(_ bundle: ModelBundle, table raw: Table, rows: [Int]? = nil,
                              searchPath: [String] = PluginLoader.defaultSearchPath()) throws -> [Double] {
        let model = bundle.model
        let table = try FittedStages.apply(bundle, to: raw, searchPath: searchPath)
        var named: [String: [Float]] = [:]
        if let transform = bundle.transform {
            let categorical = Set(transform.oneHot.map(\.column) + transform.hashed.map(\.column))
            let columns = try withRawColumns(table, categorical: categorical) { column in
                do { return try transform.apply(rows: table.rowCount, column: column) } catch {
                    throw PredictError("\(error)")
                }
            }
            named = Dictionary(zip(transform.features, columns), uniquingKeysWith: { first, _ in first })
        } else {
            for name in model.features {
                guard case .numeric(let storage)? = table[name]?.values else {
                    throw PredictError("input has no numeric column '\(name)', which the model needs")
                }
                named[name] = Array(storage.values)
            }
        }
        let columns = try model.features.map { name -> [Float] in
            guard let values = named[name] else {
                throw PredictError("the model uses feature '\(name)', which the transform does not make")
            }
            return values
        }
        return score(model, columns: columns, rows: rows ?? Array(0..<table.rowCount))
    }

    /// The model's scores over feature columns held in arrays (copied into
    /// buffers that live for the call, as the stages' columns do).
    static func score(_ model: LinearModel, columns: [[Float]], rows: [Int]) -> [Double] {
        let buffers = columns.map { column -> UnsafeMutableBufferPointer<Float> in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: column.count)
            _ = buffer.initialize(from: column)
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        return model.scores(columns: buffers.map { UnsafeBufferPointer($0) }, rows: rows)
    }

    /// Calls `body` with a lookup from column name to ``RawColumn`` over
    /// `table`'s storage (stable memory, kept alive for the call). A
    /// categorical feature whose column reads as numeric here (its values all
    /// look like numbers) is looked up by its values' text.
    static func withRawColumns<Result>(_ table: Table, categorical: Set<String>,
                                       _ body: ((String) -> RawColumn?) throws -> Result) throws -> Result {
        var asText: [String: CategoricalStorage] = [:]
        for name in categorical {
            if case .numeric(let storage)? = table[name]?.values { asText[name] = textStorage(storage) }
        }
        return try withExtendedLifetime((table, asText)) {
            try body { name in
                if let text = asText[name] {
                    return .categorical(codes: UnsafeBufferPointer(text.codes), dictionary: text.dictionary)
                }
                return switch table[name]?.values {
                case .numeric(let storage)?: .numeric(UnsafeBufferPointer(storage.values))
                case .categorical(let storage)?: .categorical(codes: UnsafeBufferPointer(storage.codes),
                                                              dictionary: storage.dictionary)
                case nil: nil
                }
            }
        }
    }

    /// A numeric column as text values (whole numbers without a decimal point), dictionary-encoded.
    static func textStorage(_ storage: NumericStorage) -> CategoricalStorage {
        var lookup: [Float: Int32] = [:]
        var dictionary: [String] = []
        let codes = storage.values.map { value -> Int32 in
            guard !value.isNaN else { return -1 }
            if let code = lookup[value] { return code }
            let code = Int32(dictionary.count)
            lookup[value] = code
            dictionary.append(value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value))
            return code
        }
        return CategoricalStorage(codes: codes, dictionary: dictionary)
    }
}

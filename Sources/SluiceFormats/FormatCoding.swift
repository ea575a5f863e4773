import Foundation

/// The JSON conventions every sluice file format shares: snake_case keys,
/// sorted keys (so the same value always gives the same bytes), slashes not
/// escaped. Host and plugins encode and decode through these, so a file one
/// side writes is read by the other exactly as written.
public enum FormatCoding {
    /// Pretty-printed, sorted, snake_case: the files people read (model, transform, gate, manifest).
    public static func prettyEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    /// One line, sorted, snake_case: files kept in the ledger (profiles, findings, drift).
    public static func compactEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    /// Reads any of the formats (snake_case keys).
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// Decodes `bytes` as `type`, naming the file in the error.
    /// - Throws: ``FormatError`` with the file name and the decoder's reason.
    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8], file: String) throws -> Value {
        do {
            return try decoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw FormatError("\(file): \(FormatError.describe(error))")
        } catch {
            throw FormatError("\(file): \(error)")
        }
    }
}

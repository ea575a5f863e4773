import Dispatch
import Synchronization
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Options for reading delimited text.
public struct CSVOptions: Sendable {
    /// Field delimiter; nil sniffs it from the header line (`,` `\t` `;` `|`).
    public var delimiter: UInt8?
    /// Field texts that mean "missing" (compared after trimming spaces).
    public var missingTokens: Set<String>
    /// Longest field accepted, in bytes.
    public var maxFieldLength: Int
    /// Most data rows accepted; nil for no limit.
    public var maxRows: Int?
    /// Most bytes of text accepted (after decompression); nil for no limit.
    public var maxBytes: Int64?
    /// Parsing threads; nil uses every online core.
    public var threads: Int?
    /// Bytes each thread parses per round (the read window is this × threads).
    public var chunkBytes: Int

    public init(delimiter: UInt8? = nil,
                missingTokens: Set<String> = CSVOptions.defaultMissingTokens,
                maxFieldLength: Int = 1 << 20, maxRows: Int? = nil, maxBytes: Int64? = nil,
                threads: Int? = nil, chunkBytes: Int = 4 << 20) {
        self.delimiter = delimiter
        self.missingTokens = missingTokens
        self.maxFieldLength = maxFieldLength
        self.maxRows = maxRows
        self.maxBytes = maxBytes
        self.threads = threads
        self.chunkBytes = chunkBytes
    }

    public static let defaultMissingTokens: Set<String> = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"]
}

/// How a parse went, for `sluice inspect` and the run log.
public struct ParseStatistics: Sendable {
    /// Bytes of text parsed (after decompression).
    public var textBytes: Int64
    /// Bytes as dropped (compressed size for compressed drops).
    public var rawBytes: Int64
    public var seconds: Double
    public var threads: Int
    /// Times the file was read again because a column guessed numeric held text.
    public var rereads: Int

    /// Text throughput in MB/s (10^6 bytes).
    public var megabytesPerSecond: Double { seconds > 0 ? Double(textBytes) / seconds / 1e6 : 0 }
}

/// A parsed drop: the table, the SHA-256 of the raw bytes (computed in the
/// same read) and how the parse went.
public struct ParsedTable: Sendable {
    public let table: Table
    public let sha256: String
    public let statistics: ParseStatistics
}

/// Reads RFC 4180 delimited text (quoted fields, doubled quotes, delimiters and
/// newlines inside quotes, CRLF or LF, optional UTF-8 BOM) with a header row
/// into a ``Table``.
///
/// The bytes stream through a window of `chunkBytes × threads` bytes: a reader
/// thread fills (and hashes) the next window while the current one, cut into
/// one chunk per thread at quote-aware row boundaries, is parsed on all
/// threads. Each chunk writes its own column pieces (reused every window);
/// after each window the pieces are appended in order onto the table's
/// columns, so the result is the same for any thread count and window size.
/// Memory stays near the size of the table plus the windows and pieces.
///
/// Column types are guessed from the first rows (numeric when every
/// non-missing field is a number). When a column guessed numeric later holds
/// text, the file is read again with that column categorical, so the result
/// equals the "numeric iff every non-missing field parses" rule.
public enum CSVReader {
    /// Parses `bytes` (already decompressed). `file` names the drop in errors.
    /// - Throws: ``IngestError`` with file, line, column and what was expected.
    public static func read(_ bytes: [UInt8], file: String, options: CSVOptions = CSVOptions()) throws -> Table {
        try read(file: file, options: options) { MemoryByteSource(bytes) }.table
    }

    /// Parses the text `makeSource` streams; it is called again for a re-read.
    public static func read(file: String, options: CSVOptions = CSVOptions(),
                            makeSource: () throws -> ByteSource) throws -> ParsedTable {
        let started = Timestamp.monotonic()
        var forced: [Int: ColumnKind] = [:]
        var rereads = 0
        while true {
            let source = try makeSource()
            let pass = try StreamingParse(source: source, file: file, options: options, forced: forced)
            switch try pass.run() {
            case .table(let table, let textBytes, let threads):
                let statistics = ParseStatistics(textBytes: textBytes, rawBytes: source.rawBytes,
                                                 seconds: Timestamp.monotonic() - started,
                                                 threads: threads, rereads: rereads)
                return ParsedTable(table: table, sha256: source.sha256, statistics: statistics)
            case .reread(let column):
                forced[column] = .categorical
                rereads += 1
            }
        }
    }

    /// Picks the delimiter that appears most often in the first line (outside quotes).
    static func sniffDelimiter(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")]
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
            if !inQuotes {
                if byte == UInt8(ascii: "\n") { break }
                if let slot = candidates.firstIndex(of: byte) { counts[slot] += 1 }
            }
            index += 1
        }
        let best = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        return counts[best] > 0 ? candidates[best] : UInt8(ascii: ",")
    }
}

/// A window buffer: raw memory, so neither Swift arrays nor copies are
/// involved. One byte past `filled` is always a NUL sentinel.
final class WindowBuffer: @unchecked Sendable {
    private(set) var memory: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var filled = 0 {
        didSet { memory.storeBytes(of: 0, toByteOffset: filled, as: UInt8.self); quoteFree = false }
    }
    /// No quote anywhere in the filled bytes, so every newline ends a row (set by
    /// ``scanForQuotes()``; any change to the contents clears it).
    private(set) var quoteFree = false

    init(capacity: Int) {
        self.capacity = capacity
        memory = malloc(capacity + 1)!
        memory.storeBytes(of: 0, as: UInt8.self)
    }

    deinit { free(memory) }

    var bytes: UnsafePointer<UInt8> { UnsafePointer(memory.assumingMemoryBound(to: UInt8.self)) }

    func grow(to newCapacity: Int) {
        memory = realloc(memory, newCapacity + 1)!
        capacity = newCapacity
    }

    /// Looks for a quote in the filled bytes, once per window: the reader thread
    /// does it while the previous window is parsed, so the parse loop can cut
    /// rows at plain newlines instead of scanning the window for quotes twice.
    func scanForQuotes() {
        quoteFree = memchr(memory, Int32(UInt8(ascii: "\"")), filled) == nil
    }

    /// Reads from `source` until full or the source ends; returns whether it ended.
    func fill(from source: ByteSource) throws -> Bool {
        while filled < capacity {
            let count = try source.read(into: UnsafeMutableRawBufferPointer(start: memory + filled, count: capacity - filled))
            if count == 0 { return true }
            filled += count
        }
        return false
    }
}

/// One pass over a source.
private final class StreamingParse {
    enum Outcome {
        case table(Table, textBytes: Int64, threads: Int)
        case reread(column: Int)
    }

    let source: ByteSource
    let file: String
    let options: CSVOptions
    let forced: [Int: ColumnKind]
    let threads: Int

    init(source: ByteSource, file: String, options: CSVOptions, forced: [Int: ColumnKind]) throws {
        self.source = source
        self.file = file
        self.options = options
        self.forced = forced
        let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        threads = max(1, options.threads ?? (online > 0 ? online : 1))
    }

    /// Chunks each window is cut into per parse thread (see the parse loop).
    static let chunksPerThread = 4

    func run() throws -> Outcome {
        let windowBytes = max(options.chunkBytes, 64) * threads
        var current = WindowBuffer(capacity: windowBytes)
        var next = WindowBuffer(capacity: windowBytes)
        var ended = try current.fill(from: source)
        current.scanForQuotes()
        var consumedText = Int64(current.filled)
        try checkSize(consumedText)

        // BOM, delimiter, header.
        let head = UnsafeBufferPointer(start: current.bytes, count: current.filled)
        var start = 0
        if head.count >= 3, head[0] == 0xEF, head[1] == 0xBB, head[2] == 0xBF { start = 3 }
        let delimiter = options.delimiter ?? CSVReader.sniffDelimiter(head, from: start)
        var tokenizer = CSVTokenizer(buffer: head, start: start, delimiter: delimiter,
                                     maxFieldLength: options.maxFieldLength, file: file)
        guard let headerLine = try tokenizer.nextRow() else {
            throw IngestError(file: file, line: 1, expected: "a header row naming the columns, found an empty file")
        }
        if !ended && tokenizer.position >= current.filled {
            throw IngestError(file: file, line: headerLine,
                              expected: "a header row shorter than \(windowBytes) bytes")
        }
        let names = tokenizer.fields.map { tokenizer.text($0) }
        try checkNames(names, line: headerLine)
        let width = names.count
        let bodyStart = tokenizer.position
        var lineBase = tokenizer.line
        let missing = MissingTokens(options.missingTokens)

        // Guess column kinds from the first rows.
        var kinds = [ColumnKind](repeating: .numeric, count: width)
        var sampled = 0
        while sampled < 2000, let _ = try? tokenizer.nextRow(), tokenizer.fields.count == width {
            if !ended && tokenizer.position >= current.filled { break }  // a possibly cut-off last row
            for column in 0..<width where kinds[column] == .numeric {
                let field = tokenizer.fields[column]
                if isMissing(field, tokenizer, missing) { continue }
                if field.escapedQuotes || FloatParser.parse(tokenizer.text(field)) == nil { kinds[column] = .categorical }
            }
            sampled += 1
        }
        for (column, kind) in forced { kinds[column] = kind }
        let parser = ChunkParser(delimiter: delimiter, kinds: kinds, missing: missing,
                                 maxFieldLength: options.maxFieldLength)

        // Chunk slots, reused every window; rows are copied out into `builder`.
        let slots = (0..<(threads == 1 ? 1 : threads * Self.chunksPerThread)).map { _ in ChunkOutput(width: width) }
        let builder = TableBuilder()
        var dictionaries = [[String]](repeating: [], count: width)
        var lookups = [[String: Int32]](repeating: [:], count: width)
        var position = bodyStart
        while true {
            // The rows that are complete in this window.
            let stop: Int
            if ended {
                stop = current.filled
            } else if let boundary = current.quoteFree ? lastNewline(current.bytes, from: position, to: current.filled)
                        : lastRowBoundary(current.bytes, from: position, to: current.filled) {
                stop = boundary
            } else {
                // Not one whole row in the window: make it larger (up to the longest row allowed).
                let longest = options.maxFieldLength * width + width * 3 + 2
                if current.capacity >= longest + windowBytes {
                    throw IngestError(file: file, line: lineBase,
                                      expected: "rows of at most \(longest) bytes (limits.max_field_bytes × columns)")
                }
                current.grow(to: current.capacity * 2)
                next.grow(to: current.capacity)
                let before = current.filled
                ended = try current.fill(from: source)
                consumedText += Int64(current.filled - before)
                try checkSize(consumedText)
                continue
            }
            let cuts = current.quoteFree ? newlineSplitPoints(current.bytes, from: position, to: stop, parts: slots.count)
                : splitPoints(current.bytes, from: position, to: stop, parts: slots.count)
            let outputs = Array(slots.prefix(cuts.count - 1))

            // Read the next window while this one is parsed.
            let reader = NextWindow(source: source, from: current, tail: stop, into: next, ended: ended)
            // Own threads, not Dispatch's pool: on a 2-core machine the pool has two
            // threads, and a reader on one of them would serialize the parse.
            let readerThread = ended ? nil : JoinableThread { reader.run() }
            // Each parse thread takes the next chunk until none is left: with several
            // chunks per thread, a thread slowed by sharing its core with the reader
            // does fewer of them, and no core idles long at the window's end.
            let window = SendablePointer(current.bytes)
            let nextChunk = ChunkCounter()
            let parseChunks: @Sendable () -> Void = {
                while true {
                    let index = nextChunk.take()
                    if index >= outputs.count { return }
                    parser.parse(window.pointer, start: cuts[index], stop: cuts[index + 1], into: outputs[index])
                }
            }
            let workers = (1..<min(threads, outputs.count)).map { _ in JoinableThread(parseChunks) }
            parseChunks()
            for worker in workers { worker.join() }
            readerThread?.join()
            if let error = reader.error { throw error }

            // Failures, in file order.
            var chunkLine = lineBase
            for output in outputs {
                if let failure = output.failure {
                    switch failure.kind {
                    case .notNumeric(let found):
                        if forced[failure.column! - 1] == nil { return .reread(column: failure.column! - 1) }
                        throw IngestError(file: file, line: chunkLine + failure.relativeLine, column: failure.column,
                                          columnName: names[failure.column! - 1], found: found, expected: "a number")
                    case .malformed(let found, let expected):
                        throw IngestError(file: file, line: chunkLine + failure.relativeLine, column: failure.column,
                                          columnName: failure.column.map { names[$0 - 1] }, found: found,
                                          expected: expected)
                    }
                }
                chunkLine += output.lines
            }
            // Categorical codes: chunk dictionaries into the file's, in order of first appearance.
            if builder.columns.isEmpty {
                builder.start(width: width, capacity: estimatedRows(firstWindowRows: outputs.reduce(0) { $0 + $1.rows },
                                                                   parsedBytes: stop - bodyStart))
            }
            for output in outputs {
                for row in 0..<output.rows {
                    builder.rowLines.append(Int64(lineBase + Int(output.rowLines![row])))
                }
                lineBase += output.lines
                for column in 0..<width where kinds[column] == .categorical {
                    if let bad = output.dictionaries[column].firstInvalidUTF8() {
                        let codes = output.codes[column]!
                        let row = (0..<output.rows).first { codes[$0] == Int32(bad.code) } ?? 0
                        let shown = bad.bytes.map { $0 < 0x80 && $0 >= 0x20 ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }
                        throw IngestError(file: file, line: Int(builder.rowLines[builder.rowLines.count - output.rows + row]),
                                          column: column + 1, columnName: names[column],
                                          found: "bytes that are not UTF-8 ('\(shown.joined())')", expected: "UTF-8 text")
                    }
                    let local = output.dictionaries[column].strings()
                    var map = [Int32](repeating: -1, count: local.count)
                    for (code, text) in local.enumerated() {
                        if let global = lookups[column][text] { map[code] = global } else {
                            let global = Int32(dictionaries[column].count)
                            dictionaries[column].append(text)
                            lookups[column][text] = global
                            map[code] = global
                        }
                    }
                    let codes = output.codes[column]!
                    for row in 0..<output.rows where codes[row] >= 0 { codes[row] = map[Int(codes[row])] }
                }
            }
            builder.append(outputs, kinds: kinds)
            if let maxRows = options.maxRows, builder.rowLines.count > maxRows {
                throw IngestError(file: file, found: "more than \(maxRows) rows",
                                  expected: "at most \(maxRows) rows (limits.max_rows)")
            }
            if ended { break }
            consumedText += Int64(reader.added)
            try checkSize(consumedText)
            ended = reader.ended
            swap(&current, &next)
            next.filled = 0
            position = 0
        }
        if builder.columns.isEmpty { builder.start(width: width, capacity: 1) }
        return .table(builder.finish(names: names, kinds: kinds, dictionaries: dictionaries),
                      textBytes: consumedText, threads: threads)
    }

    func checkNames(_ names: [String], line: Int) throws {
        var seen: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            if name.isEmpty {
                throw IngestError(file: file, line: line, column: index + 1,
                                  expected: "a column name in the header, found an empty one")
            }
            if let first = seen[name] {
                throw IngestError(file: file, line: line, column: index + 1, columnName: name,
                                  expected: "unique column names (also column \(first + 1))")
            }
            seen[name] = index
        }
    }

    func checkSize(_ bytes: Int64) throws {
        if let maxBytes = options.maxBytes, bytes > maxBytes {
            throw IngestError(file: file, found: "more than \(maxBytes) bytes of text",
                              expected: "at most \(maxBytes) bytes (limits.max_drop_bytes)")
        }
    }

    func isMissing(_ field: CSVField, _ tokenizer: CSVTokenizer, _ missing: MissingTokens) -> Bool {
        if field.quoted && field.length > 0 { return false }
        let range = tokenizer.trimmedRange(field)
        return range.isEmpty || missing.tokens.contains(Array(tokenizer.buffer[range]))
    }

    /// Rows to make room for, from the first window: its rows per byte times
    /// the source's size when known (a little over, so growing is rare), or
    /// four windows' worth for a stream of unknown length (columns double as needed).
    func estimatedRows(firstWindowRows rows: Int, parsedBytes: Int) -> Int {
        guard rows > 0, parsedBytes > 0 else { return 1 << 16 }
        if let expected = source.expectedBytes, expected > 0 {
            return Int(Double(rows) / Double(parsedBytes) * Double(expected) * 1.02) + 1024
        }
        return max(rows * 4, 1 << 16)
    }

    /// The offset just past the last row ending in `bytes[from..<to]`, outside quotes; nil when none.
    func lastRowBoundary(_ bytes: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        var position = from
        var inQuotes = false
        var last: Int? = nil
        while position < to {
            let quote = memchr(bytes + position, Int32(UInt8(ascii: "\"")), to - position)
                .map { UnsafeRawPointer($0) - UnsafeRawPointer(bytes) } ?? to
            if inQuotes {
                guard quote < to else { break }
                inQuotes = false
                position = quote + 1
                continue
            }
            // Outside quotes up to `quote`: the last newline before it is a row boundary.
            var back = quote - 1
            while back >= position, bytes[back] != UInt8(ascii: "\n") { back -= 1 }
            if back >= position { last = back + 1 }
            if quote >= to { break }
            inQuotes = true
            position = quote + 1
        }
        return last
    }

    /// The offset just past the last newline in `bytes[from..<to]` (a window
    /// without quotes, where every newline ends a row); nil when none.
    func lastNewline(_ bytes: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        var back = to - 1
        while back >= from, bytes[back] != UInt8(ascii: "\n") { back -= 1 }
        return back >= from ? back + 1 : nil
    }

    /// ``splitPoints(_:from:to:parts:)`` for a window without quotes: each cut
    /// is just past the first newline at or after its target.
    func newlineSplitPoints(_ bytes: UnsafePointer<UInt8>, from: Int, to: Int, parts: Int) -> [Int] {
        var cuts = [from]
        for part in 1..<max(parts, 1) {
            let target = max(from + (to - from) * part / parts, cuts.last!)
            guard target < to, let newline = memchr(bytes + target, Int32(UInt8(ascii: "\n")), to - target) else { break }
            let cut = UnsafeRawPointer(newline) - UnsafeRawPointer(bytes) + 1
            if cut >= to { break }
            if cut > cuts.last! { cuts.append(cut) }
        }
        cuts.append(to)
        return cuts
    }

    /// Cuts `[from, to)` into about `parts` ranges at row boundaries
    /// outside quotes; returns the cut offsets including both ends.
    func splitPoints(_ bytes: UnsafePointer<UInt8>, from: Int, to: Int, parts: Int) -> [Int] {
        var cuts = [from]
        let length = to - from
        if length <= 0 { return [from, to] }
        var position = from
        var inQuotes = false
        for part in 1..<max(parts, 1) {
            let target = from + length * part / parts
            if target <= cuts.last! { continue }
            // Quote state at `target`, counting quotes from where we are.
            while true {
                guard let quote = memchr(bytes + position, Int32(UInt8(ascii: "\"")), target - position) else { break }
                inQuotes.toggle()
                position = UnsafeRawPointer(quote) - UnsafeRawPointer(bytes) + 1
            }
            position = target
            // The next newline outside quotes.
            var cut: Int? = nil
            while position < to {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") { inQuotes.toggle() } else if byte == UInt8(ascii: "\n"), !inQuotes {
                    cut = position + 1
                    break
                }
                position += 1
            }
            guard let cut, cut < to else { break }
            position = cut
            cuts.append(cut)
        }
        cuts.append(to)
        return cuts
    }
}

/// The table as it is read: one ``ColumnAccumulator`` per column and the
/// file line of every row. Frees what it holds unless ``finish`` handed it over.
private final class TableBuilder {
    var columns: [ColumnAccumulator] = []
    var rowLines: [Int64] = []
    private var handedOver = false

    func start(width: Int, capacity: Int) {
        columns = (0..<width).map { _ in ColumnAccumulator(capacity: capacity) }
        rowLines.reserveCapacity(capacity)
    }

    /// Copies one window's chunks, in order, onto the columns: each column on its own, on all cores.
    func append(_ outputs: [ChunkOutput], kinds: [ColumnKind]) {
        columns.withUnsafeMutableBufferPointer { buffer in
            let target = UncheckedColumns(pointer: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: buffer.count) { column in
                for output in outputs where output.rows > 0 {
                    let piece: UnsafeRawPointer = kinds[column] == .numeric
                        ? UnsafeRawPointer(output.numeric[column]!) : UnsafeRawPointer(output.codes[column]!)
                    target.pointer[column].append(piece, count: output.rows)
                }
            }
        }
    }

    func finish(names: [String], kinds: [ColumnKind], dictionaries: [[String]]) -> Table {
        handedOver = true
        let built = names.indices.map { column -> TableColumn in
            let values: ColumnValues = kinds[column] == .numeric
                ? .numeric(NumericStorage(adoptingLarge: columns[column].handOver(as: Float.self)))
                : .categorical(CategoricalStorage(adoptingLarge: columns[column].handOver(as: Int32.self),
                                                  dictionary: dictionaries[column]))
            return TableColumn(name: names[column], values: values)
        }
        return Table(rowCount: rowLines.count, columns: built, rowLines: rowLines)
    }

    deinit {
        if !handedOver { for column in columns { column.discard() } }
    }
}

/// Column accumulators, each appended to by one thread.
private struct UncheckedColumns: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<ColumnAccumulator>
}

/// Copies the unparsed tail of one window to the start of the other and fills
/// the rest from the source (hashing as it reads), on a reader thread.
private final class NextWindow: @unchecked Sendable {
    let source: ByteSource
    let into: WindowBuffer
    var added = 0
    var ended: Bool
    var error: Error?

    init(source: ByteSource, from: WindowBuffer, tail: Int, into: WindowBuffer, ended: Bool) {
        self.source = source
        self.into = into
        self.ended = ended
        let count = from.filled - tail
        into.filled = 0
        if count > 0 { into.memory.copyMemory(from: from.memory + tail, byteCount: count) }
        into.filled = count
    }

    func run() {
        do {
            let before = into.filled
            ended = try into.fill(from: source)
            added = into.filled - before
            into.scanForQuotes()
        } catch {
            self.error = error
        }
    }
}

/// A thread running one closure, joined by the caller.
final class JoinableThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: () -> Void

    init(_ body: @escaping () -> Void) {
        self.body = body
        let box = Unmanaged.passRetained(self)
        let status = pthread_create(&thread, nil, { raw in
            let me = Unmanaged<JoinableThread>.fromOpaque(raw!).takeRetainedValue()
            me.body()
            return nil
        }, box.toOpaque())
        if status != 0 {
            // No thread to be had: run here, so the work is still done.
            box.release()
            body()
            thread = pthread_t()
        }
    }

    func join() {
        if thread != pthread_t() { pthread_join(thread, nil) }
    }
}

/// Hands out chunk indexes 0, 1, 2… to parse threads.
final class ChunkCounter: Sendable {
    private let next = Atomic<Int>(0)

    func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}

struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafePointer<UInt8>
    init(_ pointer: UnsafePointer<UInt8>) { self.pointer = pointer }
}


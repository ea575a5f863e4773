import Foundation
@testable import SluiceData
import SluiceTestSupport
import Testing

/// The streaming parallel reader and the float parser, checked against
/// independent references: glibc's strtof, a single-threaded parse of the
/// same bytes, and the system's gzip and sha256sum.
@Suite struct FloatParserTests {
    func reference(_ text: String) -> Float { strtof(text, nil) }

    func check(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let parsed = FloatParser.parse(text)
        let expected = reference(text)
        #expect(parsed?.bitPattern == expected.bitPattern, "\(text): \(String(describing: parsed)) vs strtof \(expected)",
                sourceLocation: sourceLocation)
    }

    @Test func handPickedCasesMatchStrtof() {
        for text in ["0", "-0", "1", "-1", "0.1", ".5", "5.", "3.4028235e38", "3.4028236e38", "1e39", "-1e39",
                     "1.17549435e-38", "1.4e-45", "7e-46", "7.1e-46", "1e-50", "16777217", "16777219", "33554434",
                     "0.000000000000000000000000000000000000000000001", "123456789012345678901234567890",
                     "1.00000005960464477539062500", "1.000000059604644775390625", "1.0000000596046447753906250001",
                     "2.5e-7", "9999999999999999999", "18446744073709551615", "18446744073709551616",
                     "+7.25E+02", "1e0", "1E-0", "0.0000001", "123456.789e-3"] {
            check(text)
        }
    }

    @Test func rejectsWhatIsNotANumber() {
        for text in ["", "-", "+", ".", "e5", "1e", "1e+", "inf", "nan", "0x10", "1,5", "1 ", " 1", "--1", "1.2.3"] {
            #expect(FloatParser.parse(text) == nil, "\(text)")
        }
    }

    /// A large seeded set of decimal strings: short and long mantissas, every
    /// exponent in the float range and past it, subnormals, and integers
    /// above 2^24 (many exactly halfway between two floats).
    @Test func randomDecimalStringsRoundLikeStrtof() {
        var random = TestRandom(seed: 20261123)
        var mismatches: [String] = []
        for case_ in 0..<400_000 {
            var text = ""
            switch case_ % 4 {
            case 0:  // 1-9 digits with a point somewhere and an exponent
                let digits = Int(random.next() % 9) + 1
                var mantissa = (0..<digits).map { _ in String(random.next() % 10) }.joined()
                let point = Int(random.next() % UInt64(digits + 1))
                mantissa.insert(".", at: mantissa.index(mantissa.startIndex, offsetBy: point))
                text = mantissa + "e" + String(Int(random.next() % 100) - 55)
            case 1:  // up to 22 digits, exponents anywhere from subnormal to overflow
                let digits = Int(random.next() % 22) + 1
                text = "0." + (0..<digits).map { _ in String(random.next() % 10) }.joined()
                    + "e" + String(Int(random.next() % 100) - 60)
            case 2:  // integers above 2^24: ties to even
                text = String(16_777_216 + random.next() % (1 << 30))
            default:  // printed floats of every magnitude, as data files hold them
                let bits = UInt32(truncatingIfNeeded: random.next()) & 0x7F7F_FFFF
                let value = Float(bitPattern: bits)
                text = String(format: ["%.9g", "%.6g", "%.3e", "%.12f"][Int(random.next() % 4)], Double(value))
            }
            if random.next() % 2 == 0 { text = "-" + text }
            let parsed = FloatParser.parse(text)
            if parsed?.bitPattern != reference(text).bitPattern { mismatches.append(text) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, e.g. \(mismatches.prefix(5))")
    }
}

@Suite struct StreamingReaderTests {
    /// A CSV with everything that makes row boundaries hard: quoted newlines,
    /// delimiters and doubled quotes, CRLF, blank lines, missing tokens.
    func awkwardCSV(seed: UInt64, rows: Int) -> String {
        var random = TestRandom(seed: seed)
        var text = "id,x,note,y,flag\n"
        let notes = ["plain", "\"with, comma\"", "\"two\nlines\"", "\"say \"\"hi\"\"\"", "\"\"", "NA",
                     "\"a\r\nb\"", "\"\n\n\"", "x y"]
        for row in 0..<rows {
            let x = random.uniform() < 0.05 ? "" : String(format: "%.5g", (random.uniform() - 0.5) * pow(10, Double(Int(random.next() % 12)) - 4))
            let y = random.uniform() < 0.05 ? "NaN" : "\"\(Int(random.next() % 1000))\""
            let note = notes[Int(random.next() % UInt64(notes.count))]
            let flag = random.next() % 2 == 0 ? "yes" : "no"
            text += "\(row),\(x),\(note),\(y),\(flag)"
            text += random.uniform() < 0.1 ? "\r\n" : "\n"
            if random.uniform() < 0.03 { text += "\n" }
        }
        return text
    }

    func parse(_ text: String, threads: Int, chunkBytes: Int) throws -> Table {
        try CSVReader.read(Array(text.utf8), file: "t.csv",
                           options: CSVOptions(threads: threads, chunkBytes: chunkBytes))
    }

    func expectSame(_ a: Table, _ b: Table, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.rowCount == b.rowCount, sourceLocation: sourceLocation)
        #expect(a.rowLines == b.rowLines, sourceLocation: sourceLocation)
        #expect(a.columns.map(\.name) == b.columns.map(\.name), sourceLocation: sourceLocation)
        for (left, right) in zip(a.columns, b.columns) {
            switch (left.values, right.values) {
            case (.numeric(let l), .numeric(let r)):
                #expect(l.values.map(\.bitPattern) == r.values.map(\.bitPattern), "\(left.name)", sourceLocation: sourceLocation)
            case (.categorical(let l), .categorical(let r)):
                #expect(l.dictionary == r.dictionary, "\(left.name)", sourceLocation: sourceLocation)
                #expect(Array(l.codes) == Array(r.codes), "\(left.name)", sourceLocation: sourceLocation)
            default:
                Issue.record("column \(left.name): \(left.values.typeName) vs \(right.values.typeName)",
                             sourceLocation: sourceLocation)
            }
        }
    }

    @Test func parallelParseEqualsSerialParseOnManySeeds() throws {
        for seed in UInt64(1)...40 {
            let text = awkwardCSV(seed: seed, rows: 300)
            let serial = try parse(text, threads: 1, chunkBytes: 1 << 22)
            #expect(serial.rowCount == 300)
            var random = TestRandom(seed: seed &* 7919)
            for _ in 0..<3 {
                let threads = Int(random.next() % 4) + 2
                let chunk = Int(random.next() % 400) + 64  // windows far smaller than the file
                expectSame(try parse(text, threads: threads, chunkBytes: chunk), serial)
            }
        }
    }

    /// A source that does not say how long it is (like a gzip stream).
    final class UnsizedSource: ByteSource {
        let inner: MemoryByteSource
        init(_ bytes: [UInt8]) { inner = MemoryByteSource(bytes) }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try inner.read(into: buffer) }
        var sha256: String { inner.sha256 }
        var rawBytes: Int64 { inner.rawBytes }
    }

    @Test func columnsGrowPastTheirEstimateWithoutChangingTheTable() throws {
        // Long rows first, so the first window's rows per byte underestimates the
        // file; then 70,000 short rows: the columns must grow, several times when
        // the source's size is unknown.
        let long = String(repeating: "p", count: 1500)
        var text = "id,note,x\n"
        for row in 0..<200 { text += "\(row),\(long),\(row % 7).5\n" }
        for row in 200..<70_200 { text += "\(row),n\(row % 3),\(Double(row % 1000) / 8)\n" }
        let bytes = Array(text.utf8)
        let whole = try parse(text, threads: 1, chunkBytes: 1 << 24)
        #expect(whole.rowCount == 70_200)
        let options = CSVOptions(threads: 2, chunkBytes: 16 << 10)
        let sized = try CSVReader.read(file: "t.csv", options: options) { MemoryByteSource(bytes) }
        let unsized = try CSVReader.read(file: "t.csv", options: options) { UnsizedSource(bytes) }
        expectSame(sized.table, whole)
        expectSame(unsized.table, whole)
        #expect(unsized.sha256 == sized.sha256)
    }

    @Test func windowsWithoutQuotesAreCutAtNewlinesLikeTheQuoteAwareCut() throws {
        // No quote anywhere: every window takes the plain-newline cut (CRLF rows,
        // blank lines, one quoted row at the very end so the last windows do not).
        var random = TestRandom(seed: 42)
        var text = "id,name,x\r\n"
        for row in 0..<2_000 {
            text += "\(row),n\(random.next() % 5),\(Double(random.next() % 100_000) / 64)" + (row % 3 == 0 ? "\r\n" : "\n")
            if row % 97 == 0 { text += "\n" }
        }
        text += "2000,\"quoted, at the end\",1.5\n"
        let serial = try parse(text, threads: 1, chunkBytes: 1 << 22)
        #expect(serial.rowCount == 2_001)
        for (threads, chunk) in [(2, 64), (3, 200), (4, 1_000), (2, 4_096)] {
            expectSame(try parse(text, threads: threads, chunkBytes: chunk), serial)
        }
    }

    @Test func quotedNewlinesStraddlingEveryCutStillParse() throws {
        // Every row's quoted field spans lines; with 64-byte chunks cuts fall inside quotes all the time.
        let text = "k,v\n" + (0..<500).map { "\($0),\"line one\nline two, \"\"quoted\"\"\nthree\"" }.joined(separator: "\n") + "\n"
        let serial = try parse(text, threads: 1, chunkBytes: 1 << 20)
        #expect(serial.rowCount == 500)
        #expect(serial.rowLines[1] == 5)
        expectSame(try parse(text, threads: 3, chunkBytes: 64), serial)
    }

    @Test func aColumnThatTurnsToTextLateIsReadAgainAsCategorical() throws {
        var text = "a,b\n"
        for row in 0..<5000 { text += "\(row),\(row % 7)\n" }
        text += "5000,seven\n"
        let parsed = try CSVReader.read(file: "late.csv", options: CSVOptions(threads: 2, chunkBytes: 1024)) {
            MemoryByteSource(Array(text.utf8))
        }
        #expect(parsed.statistics.rereads == 1)
        #expect(parsed.table["a"]?.values.typeName == "numeric")
        guard case .categorical(let b)? = parsed.table["b"]?.values else { Issue.record("b not categorical"); return }
        #expect(b.value(at: 0) == "0" && b.value(at: 5000) == "seven")
        #expect(b.dictionary.count == 8)
    }

    @Test func errorsInLaterChunksNameTheAbsoluteLine() throws {
        var text = "a,b,c\n"
        for row in 0..<2000 { text += "\(row),\"q\nq\",\(row)\n" }  // each row is two lines
        text += "1,2\n"
        for threads in [1, 3] {
            let error = #expect(throws: IngestError.self) { try parse(text, threads: threads, chunkBytes: 256) }
            #expect(error?.line == 2 + 2000 * 2)
            #expect(error?.description.contains("expected 3 fields as in the header, found 2 fields") == true)
        }
        let bad = "a,b\n1,2\n3,\"4\"x\n"
        let quoteError = #expect(throws: IngestError.self) { try parse(bad, threads: 2, chunkBytes: 64) }
        #expect(quoteError?.line == 3)
    }

    @Test func limitsRefuseClearlyInsteadOfRunningOutOfMemory() throws {
        let text = "a,b\n" + String(repeating: "1,2\n", count: 1000)
        let rows = #expect(throws: IngestError.self) {
            try CSVReader.read(Array(text.utf8), file: "big.csv", options: CSVOptions(maxRows: 999, threads: 2, chunkBytes: 100))
        }
        #expect(rows?.description.contains("at most 999 rows (limits.max_rows)") == true)
        let bytes = #expect(throws: IngestError.self) {
            try CSVReader.read(Array(text.utf8), file: "big.csv", options: CSVOptions(maxBytes: 1000, chunkBytes: 100))
        }
        #expect(bytes?.description.contains("limits.max_drop_bytes") == true)
        let long = "a,b\n1,\(String(repeating: "z", count: 5000))\n"
        let field = #expect(throws: IngestError.self) {
            try CSVReader.read(Array(long.utf8), file: "wide.csv", options: CSVOptions(maxFieldLength: 100))
        }
        #expect(field?.line == 2 && field?.column == 2 && field?.columnName == "b")
        #expect(field?.description.contains("fields of at most 100 bytes") == true)
    }

    @Test func hashAndGzipStreamingMatchTheSystemTools() throws {
        let directory = TemporaryDirectory()
        let text = awkwardCSV(seed: 99, rows: 20_000)
        let path = try directory.write("drop.csv", text)
        let plain = try DropReader.read(path, options: CSVOptions(threads: 2, chunkBytes: 4096))
        let sum = try Command.run("/usr/bin/sha256sum", [path]).stdout.prefix(64)
        #expect(plain.sha256 == String(sum))
        #expect(plain.statistics.textBytes == Int64(text.utf8.count))

        // Two gzip members concatenated (what `cat a.gz b.gz` makes) stream as one text.
        let half = text.utf8.count / 2
        let cut = text.utf8.index(text.utf8.startIndex, offsetBy: half)
        let first = try directory.write("part1", String(text[..<cut]))
        let second = try directory.write("part2", String(text[cut...]))
        #expect(try Command.run("/bin/gzip", ["-6", first, second]).status == 0)
        let joined = directory.path + "/drop.csv.gz"
        let data = try Data(contentsOf: URL(fileURLWithPath: first + ".gz")) + Data(contentsOf: URL(fileURLWithPath: second + ".gz"))
        try data.write(to: URL(fileURLWithPath: joined))
        let compressed = try DropReader.read(joined, options: CSVOptions(threads: 2, chunkBytes: 4096))
        expectSame(compressed.table, plain.table)
        #expect(compressed.sha256 == String(try Command.run("/usr/bin/sha256sum", [joined]).stdout.prefix(64)))
        #expect(compressed.sizeBytes == Int64(data.count))
    }
}

import Foundation
import SluiceData
import SluiceTestSupport
import Testing

@Suite struct CSVReaderTests {
    func read(_ text: String, file: String = "drop.csv", options: CSVOptions = CSVOptions()) throws -> Table {
        try CSVReader.read(Array(text.utf8), file: file, options: options)
    }

    func strings(_ table: Table, _ name: String) -> [String?] {
        guard case .categorical(let storage)? = table[name]?.values else { return [] }
        return (0..<table.rowCount).map { storage.value(at: $0) }
    }

    func numbers(_ table: Table, _ name: String) -> [Float] {
        guard case .numeric(let storage)? = table[name]?.values else { return [] }
        return Array(storage.values)
    }

    @Test func quotedFieldsHoldDelimitersQuotesAndNewlines() throws {
        let table = try read("id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,plain\n")
        #expect(table.rowCount == 4)
        #expect(strings(table, "text") == ["a, b", "say \"hi\"", "two\nlines", "plain"])
        #expect(numbers(table, "id") == [1, 2, 3, 4])
        // Row 4 starts on line 6 because row 3 spans lines 4–5.
        #expect(table.rowLines == [2, 3, 4, 6])
    }

    @Test func crlfBomAndBlankLinesAreHandled() throws {
        let table = try read("\u{FEFF}a,b\r\n1,x\r\n\r\n2,y\r\n")
        #expect(table.columns.map(\.name) == ["a", "b"])
        #expect(numbers(table, "a") == [1, 2])
        #expect(strings(table, "b") == ["x", "y"])
        #expect(table.rowLines == [2, 4])
    }

    @Test func typesAreInferredAndMissingTokensAreMissing() throws {
        let table = try read("x,y,z\n1.5,NA,a\n-2e3,,b\n,7,\n")
        #expect(table["x"]?.values.typeName == "numeric")
        #expect(table["y"]?.values.typeName == "numeric")
        #expect(table["z"]?.values.typeName == "categorical")
        let x = numbers(table, "x")
        #expect(x[0] == 1.5 && x[1] == -2000 && x[2].isNaN)
        #expect(numbers(table, "y")[0].isNaN)
        #expect(strings(table, "z") == ["a", "b", nil])
    }

    @Test func tabDelimiterIsSniffed() throws {
        let table = try read("a\tb\n1\t2\n")
        #expect(table.columns.map(\.name) == ["a", "b"])
        #expect(numbers(table, "b") == [2])
    }

    @Test func aShortRowNamesFileLineAndCounts() throws {
        let error = #expect(throws: IngestError.self) {
            try read("a,b,c\n1,2,3\n4,5\n", file: "day.csv")
        }
        #expect(error?.line == 3)
        #expect(error?.description == "day.csv:3: expected 3 fields as in the header, found 2 fields")
    }

    @Test func anUnclosedQuoteNamesWhereItOpened() throws {
        let error = #expect(throws: IngestError.self) { try read("a,b\n1,\"open\n2,3\n") }
        #expect(error?.line == 2)
        #expect(error?.column == 2)
        #expect(error?.description.contains("closing quote") == true)
    }

    @Test func duplicateAndEmptyHeaderNamesAreRefused() throws {
        let duplicate = #expect(throws: IngestError.self) { try read("a,b,a\n1,2,3\n") }
        #expect(duplicate?.description.contains("unique column names") == true)
        let empty = #expect(throws: IngestError.self) { try read("a,,c\n1,2,3\n") }
        #expect(empty?.column == 2)
    }

    @Test func emptyFileIsRefused() throws {
        #expect(throws: IngestError.self) { try read("") }
    }

    @Test func gzipDropsAreReadAndHashedAsDropped() throws {
        let text = "a,b\n1,x\n2,y\n"
        let plain = try read(text)
        // Compress with the system gzip so the test does not trust our own zlib code.
        let directory = TemporaryDirectory()
        let path = try directory.write("drop.csv", text)
        #expect(try Command.run("/bin/gzip", ["-9", path]).status == 0)
        let result = try DropReader.read(path + ".gz")
        #expect(result.table.rowCount == plain.rowCount)
        #expect(strings(result.table, "b") == ["x", "y"])
        let raw = try Data(contentsOf: URL(fileURLWithPath: path + ".gz"))
        #expect(result.sizeBytes == Int64(raw.count))
        #expect(result.sha256.count == 64)
    }

    @Test func corruptGzipIsAClearError() throws {
        let bytes: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef]
        let directory = TemporaryDirectory()
        let path = directory.path + "/x.csv.gz"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: IngestError.self) { try DropReader.read(path) }
        #expect(error?.description.hasPrefix("x.csv.gz: expected a complete gzip stream") == true)
    }

    @Test func aTruncatedGzipIsAClearError() throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("t.csv", "a,b\n" + String(repeating: "1,2\n", count: 5000))
        #expect(try Command.run("/bin/gzip", ["-9", path]).status == 0)
        var raw = try Data(contentsOf: URL(fileURLWithPath: path + ".gz"))
        raw.removeLast(raw.count / 2)
        try raw.write(to: URL(fileURLWithPath: path + ".gz"))
        let error = #expect(throws: IngestError.self) { try DropReader.read(path + ".gz") }
        #expect(error?.description.contains("gzip") == true)
    }
}


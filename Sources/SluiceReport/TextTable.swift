/// Aligned plain-text columns that fit a terminal width: the last column is
/// truncated with "…" when a row would be too wide.
struct TextTable {
    enum Alignment { case left, right }

    let headers: [String]
    let alignments: [Alignment]
    var rows: [[String]] = []

    init(_ headers: [String], alignments: [Alignment]) {
        self.headers = headers
        self.alignments = alignments
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    func render(width: Int, indent: String = "  ") -> String {
        let all = [headers] + rows
        var widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        let fixed = widths.dropLast().reduce(0, +) + 2 * (widths.count - 1) + indent.count
        widths[widths.count - 1] = max(8, min(widths[widths.count - 1], width - fixed))
        var out = ""
        for (index, row) in all.enumerated() {
            var line = indent
            for column in row.indices {
                var cell = row[column]
                if cell.count > widths[column] { cell = String(cell.prefix(widths[column] - 1)) + "…" }
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                line += alignments[column] == .left ? cell + pad : pad + cell
                if column < row.count - 1 { line += "  " }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
            if index == 0 {
                out += indent + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
            }
        }
        return out
    }
}

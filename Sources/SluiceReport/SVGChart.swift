import Foundation

/// Small inline SVG charts for the HTML report: no scripts, no fonts, no
/// fetches; every mark also carries a text label, so nothing depends on colour alone.
enum SVGChart {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    struct Point {
        let x: Double
        let y: Double
        let label: String
    }

    /// Points over time (x: seconds), optional horizontal threshold lines and vertical markers.
    static func timeSeries(_ points: [Point], title: String, thresholds: [(Double, String)] = [],
                           markers: [(Double, String)] = [], width: Int = 720, height: Int = 220) -> String {
        guard !points.isEmpty else { return "<p class=\"empty\">\(escape(title)): nothing measured yet.</p>" }
        let left = 56.0, right = 48.0, top = 28.0, bottom = 36.0
        let xs = points.map(\.x) + markers.map(\.0), ys = points.map(\.y) + thresholds.map(\.0)
        var (minX, maxX) = (xs.min()!, xs.max()!), (minY, maxY) = (ys.min()!, ys.max()!)
        if maxX == minX { minX -= 1; maxX += 1 }
        if maxY == minY { minY -= 0.05; maxY += 0.05 }
        let pad = (maxY - minY) * 0.1
        (minY, maxY) = (minY - pad, maxY + pad)
        let w = Double(width) - left - right, h = Double(height) - top - bottom
        func px(_ x: Double) -> Double { left + (x - minX) / (maxX - minX) * w }
        func py(_ y: Double) -> Double { top + (1 - (y - minY) / (maxY - minY)) * h }
        var svg = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\">"
        svg += "<title>\(escape(title))</title><text x=\"\(left)\" y=\"16\" class=\"t\">\(escape(title))</text>"
        svg += "<line x1=\"\(left)\" y1=\"\(top + h)\" x2=\"\(left + w)\" y2=\"\(top + h)\" class=\"axis\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + h)\" class=\"axis\"/>"
        for tick in [minY + pad, (minY + maxY) / 2, maxY - pad] {
            svg += "<text x=\"\(left - 4)\" y=\"\(f(py(tick) + 4))\" class=\"tick\" text-anchor=\"end\">\(String(format: "%.3g", tick))</text>"
        }
        for (value, label) in thresholds {
            svg += "<line x1=\"\(left)\" y1=\"\(f(py(value)))\" x2=\"\(left + w)\" y2=\"\(f(py(value)))\" class=\"threshold\"/>"
            svg += "<text x=\"\(left + w)\" y=\"\(f(py(value) - 3))\" class=\"tick\" text-anchor=\"end\">\(escape(label))</text>"
        }
        for (x, label) in markers {
            svg += "<line x1=\"\(f(px(x)))\" y1=\"\(top)\" x2=\"\(f(px(x)))\" y2=\"\(top + h)\" class=\"marker\"/>"
            svg += "<text x=\"\(f(px(x) + 2))\" y=\"\(top + 10)\" class=\"tick\">\(escape(label))</text>"
        }
        let path = points.sorted { $0.x < $1.x }.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
        svg += "<polyline points=\"\(path)\" class=\"line\"/>"
        for point in points {
            svg += "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"3.5\" class=\"dot\"><title>\(escape(point.label))</title></circle>"
            svg += "<text x=\"\(f(px(point.x)))\" y=\"\(f(py(point.y) - 7))\" class=\"tick\" text-anchor=\"middle\">\(escape(point.label))</text>"
        }
        return svg + "</svg>"
    }

    /// Rows × columns of scores against their thresholds: shaded by score/threshold, the value written in each cell.
    static func heatMap(rows: [String], columns: [String], cell: (Int, Int) -> (score: Double, threshold: Double)?,
                        title: String) -> String {
        guard !rows.isEmpty, !columns.isEmpty else { return "<p class=\"empty\">\(escape(title)): no drift recorded yet.</p>" }
        let labelWidth = 150.0, cellWidth = 64.0, cellHeight = 22.0, top = 44.0
        let width = Int(labelWidth + cellWidth * Double(columns.count) + 8), height = Int(top + cellHeight * Double(rows.count) + 8)
        var svg = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\">"
        svg += "<title>\(escape(title))</title><text x=\"4\" y=\"14\" class=\"t\">\(escape(title))</text>"
        for (c, name) in columns.enumerated() {
            svg += "<text x=\"\(f(labelWidth + cellWidth * Double(c) + cellWidth / 2))\" y=\"\(top - 6)\" class=\"tick\" text-anchor=\"middle\">\(escape(String(name.prefix(9))))</text>"
        }
        for (r, name) in rows.enumerated() {
            let y = top + cellHeight * Double(r)
            svg += "<text x=\"4\" y=\"\(f(y + 15))\" class=\"tick\">\(escape(name))</text>"
            for c in columns.indices {
                let x = labelWidth + cellWidth * Double(c)
                guard let value = cell(r, c) else {
                    svg += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(cellWidth - 2)\" height=\"\(cellHeight - 2)\" class=\"none\"/>"
                    continue
                }
                let level = min(1, value.score / max(value.threshold, 1e-12))
                let drifted = value.score > value.threshold
                svg += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(cellWidth - 2)\" height=\"\(cellHeight - 2)\" "
                    + "class=\"\(drifted ? "drifted" : "cell")\" fill-opacity=\"\(f(0.15 + 0.75 * level))\"><title>\(escape("\(columns[c]): \(String(format: "%.3f", value.score)) (threshold \(value.threshold))"))</title></rect>"
                svg += "<text x=\"\(f(x + cellWidth / 2 - 1))\" y=\"\(f(y + 15))\" class=\"tick\" text-anchor=\"middle\">"
                    + "\(String(format: "%.2f", value.score))\(drifted ? "!" : "")</text>"
            }
        }
        return svg + "</svg>"
    }

    /// One horizontal stacked bar per row (e.g. a run's stage durations), each part labelled.
    static func stackedBars(_ bars: [(label: String, parts: [(String, Double)])], title: String, unit: String) -> String {
        guard !bars.isEmpty else { return "<p class=\"empty\">\(escape(title)): no runs yet.</p>" }
        let labelWidth = 120.0, width = 720.0, barHeight = 22.0, top = 28.0
        let maxTotal = max(bars.map { $0.parts.reduce(0) { $0 + $1.1 } }.max() ?? 1, 1e-9)
        let height = Int(top + barHeight * Double(bars.count) + 8)
        var svg = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(Int(width)) \(height)\" width=\"\(Int(width))\" height=\"\(height)\">"
        svg += "<title>\(escape(title))</title><text x=\"4\" y=\"16\" class=\"t\">\(escape(title))</text>"
        for (index, bar) in bars.enumerated() {
            let y = top + barHeight * Double(index)
            svg += "<text x=\"4\" y=\"\(f(y + 15))\" class=\"tick\">\(escape(bar.label))</text>"
            var x = labelWidth
            for (part, (name, value)) in bar.parts.enumerated() {
                let w = value / maxTotal * (width - labelWidth - 60)
                svg += "<rect x=\"\(f(x))\" y=\"\(f(y + 2))\" width=\"\(f(max(w, 0.5)))\" height=\"\(barHeight - 6)\" class=\"part\(part % 4)\"><title>\(escape("\(name) \(String(format: "%.0f", value)) \(unit)"))</title></rect>"
                if w > 34 { svg += "<text x=\"\(f(x + 3))\" y=\"\(f(y + 15))\" class=\"inbar\">\(escape(String(name.prefix(Int(w / 7)))))</text>" }
                x += w
            }
            svg += "<text x=\"\(f(x + 4))\" y=\"\(f(y + 15))\" class=\"tick\">\(String(format: "%.0f", bar.parts.reduce(0) { $0 + $1.1 })) \(unit)</text>"
        }
        return svg + "</svg>"
    }

    /// Reference (outlined) and current (solid) shares per bin, each bar labelled with its share.
    static func pairedBars(_ bins: [String], reference: [Double], current: [Double], title: String) -> String {
        let top = 28.0, height = 150.0, bottom = 30.0, left = 8.0
        let group = min(70.0, 700.0 / Double(max(bins.count, 1)))
        let width = Int(left + group * Double(bins.count) + 8)
        let maximum = max((reference + current).max() ?? 1, 1e-9)
        var svg = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(max(width, 720)) \(Int(top + height + bottom))\" width=\"\(max(width, 720))\" height=\"\(Int(top + height + bottom))\">"
        svg += "<title>\(escape(title))</title><text x=\"4\" y=\"16\" class=\"t\">\(escape(title))</text>"
        for (index, name) in bins.enumerated() {
            let x = left + group * Double(index)
            for (side, value) in [(0, reference[index]), (1, current[index])] {
                let h = value / maximum * (height - 14)
                let bx = x + 4 + Double(side) * (group / 2 - 4)
                svg += "<rect x=\"\(f(bx))\" y=\"\(f(top + height - h))\" width=\"\(f(group / 2 - 6))\" height=\"\(f(max(h, 0.5)))\" class=\"\(side == 0 ? "ref" : "cur")\"><title>\(escape("\(name) \(side == 0 ? "training" : "drop") \(String(format: "%.1f%%", value * 100))"))</title></rect>"
                svg += "<text x=\"\(f(bx + (group / 2 - 6) / 2))\" y=\"\(f(top + height - h - 3))\" class=\"tick\" text-anchor=\"middle\">\(String(format: "%.0f", value * 100))</text>"
            }
            svg += "<text x=\"\(f(x + group / 2))\" y=\"\(f(top + height + 14))\" class=\"tick\" text-anchor=\"middle\">\(escape(String(name.prefix(10))))</text>"
        }
        return svg + "</svg>"
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}

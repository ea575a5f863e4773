import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// The HTML report: one self-contained page, opened in a real headless Chromium.
@Suite struct HTMLReportTests {
    /// Chromium on this machine, if installed (`.ci/run` and `make test` install Debian's `chromium`).
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileSystem.isRegularFile($0) }

    static func page() throws -> (Workspace, String) {
        let space = try Workspace(promotion: "min: {auc: 0.5}\n      champion: {metric: auc, min_improvement: -1}",
                                  pipelineExtra: ScoringTests.monitoring)
        // Two good drops, a bad one, a good one: the latest drift is a drop that passed, so its profile is kept.
        for index in 0..<3 {
            if index == 2 {
                try space.drop("bad.csv", "tenure,charges\n1,x\n")
                #expect(try space.serve().status == 0)
            }
            try space.drop("d\(index).csv", ChurnData.csv(rows: 500, seed: 2700 + UInt64(index)))
            #expect(try space.serve().status == 0)
        }
        #expect(try Command.sluice(["rollback", "churn", "--reason", "test", "--config", space.config]).status == 0)
        let path = space.root + "/report.html"
        let result = try Command.sluice(["report", "--config", space.config, "--format", "html", "--output", path], in: space.root)
        #expect(result.status == 0, "\(result.output)")
        return (space, try FileSystem.readText(path))
    }

    @Test func thePageIsSelfContainedAndShowsEveryPart() throws {
        let (_, html) = try Self.page()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.utf8.count < 2 << 20)
        #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("@import"))
        #expect(!html.contains("http://") && !html.contains("https://"), "nothing to fetch")
        // metric, realized, drift heat map, stage durations, and the most drifted features' distributions.
        let charts = html.components(separatedBy: "<svg").count - 1
        #expect(charts >= 5 && charts <= 7, "\(charts) charts")
        #expect(html.contains("the champion's training data (outline) vs this drop (solid)"))
        #expect(html.contains("auc of each model"))
        #expect(html.contains("rollback v2"), "champion changes are marked")
        #expect(html.contains("drift vs the champion's training data"))
        #expect(html.contains("quarantined drops") && html.contains("bad.csv"))
        #expect(html.contains("stage durations per run"))
        #expect(html.contains("<dt>drops received (all time)</dt><dd>4: 3 archived, 1 quarantined, 0 claimed</dd>"), "overview counts")
        #expect(html.contains("<dt>runs (all time)</dt><dd>3 approved, "))
        // Every chart has a size and a title, and marks carry labels, not colour alone.
        #expect(!html.contains("width=\"0\"") && !html.contains("height=\"0\""))
        #expect(html.components(separatedBy: "<title>").count - 1 > 10)
    }

    @Test(.enabled(if: chromium != nil, "Chromium is not installed here (Debian package chromium); the page was not opened in a browser"))
    func thePageOpensInHeadlessChromiumWithoutErrors() throws {
        let (space, _) = try Self.page()
        let screenshot = FileSystem.directory(of: FileSystem.directory(of: BuildProducts.directory)) + "/report-screenshot.png"
        try? FileSystem.remove(screenshot)
        let result = try Command.run(Self.chromium!, [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
            "--enable-logging=stderr", "--v=0", "--window-size=1100,2400",
            "--screenshot=\(screenshot)", "file://\(space.root)/report.html",
        ], in: space.root, environment: ["HOME": space.root])
        #expect(result.status == 0, "\(result.output)")
        #expect(FileSystem.isRegularFile(screenshot))
        #expect((try? FileSystem.size(screenshot)) ?? 0 > 20_000, "a blank page is smaller")
        #expect(!result.stderr.contains("CONSOLE("), "console messages: \(result.stderr)")
        #expect(!result.stderr.contains("Uncaught"))

        // Every chart as the browser lays it out: a copy of the page with a probe
        // that writes each SVG's rendered size into the DOM, read back with --dump-dom.
        let html = try FileSystem.readText(space.root + "/report.html")
        let probe = "<script>window.addEventListener('load',()=>{document.body.setAttribute('data-svg-sizes',"
            + "[...document.querySelectorAll('svg')].map(s=>{const b=s.getBoundingClientRect();"
            + "return Math.round(b.width)+'x'+Math.round(b.height)}).join(' '))})</script>"
        try FileSystem.writeAtomically(html.replacingOccurrences(of: "</body>", with: probe + "</body>"), to: space.root + "/probe.html")
        let dom = try Command.run(Self.chromium!, [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--virtual-time-budget=3000", "--window-size=1100,2400", "--dump-dom", "file://\(space.root)/probe.html",
        ], in: space.root, environment: ["HOME": space.root])
        let sizes = dom.stdout.range(of: #"data-svg-sizes="[^"]*""#, options: .regularExpression).map { String(dom.stdout[$0]) } ?? ""
        let charts = sizes.dropFirst("data-svg-sizes=\"".count).dropLast().split(separator: " ")
        #expect(charts.count == html.components(separatedBy: "<svg").count - 1, "\(sizes)")
        #expect(charts.allSatisfy { size in size.split(separator: "x").allSatisfy { (Int($0) ?? 0) > 20 } }, "\(sizes)")
    }
}

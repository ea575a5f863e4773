import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// `sluice report` as JSON and CSV, `--since`, people's numbers in the log,
/// and a report in a loop never disturbing a busy daemon.
@Suite struct ReportFormatTests {
    func report(_ space: Workspace, _ arguments: [String]) throws -> CommandResult {
        try Command.sluice(["report", "--config", space.config] + arguments, in: space.root)
    }

    @Test func csvTablesJSONFormatAndSince() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        try space.drop("a.csv", ChurnData.csv(rows: 1200, seed: 2500))
        let served = try space.serve()
        #expect(served.status == 0)
        #expect(served.stderr.contains("rows 1,200"), "\(served.stderr)")   // not 1200 or 1.2e+03
        let headers = [
            "runs": "run_id,pipeline,run_key,status,started_at,ended_at,duration_ms,file_name,drop_sha256,rows,decision,version,message,host",
            "models": "pipeline,version,decision,publication,identity,archive_path,archive_sha256,created_at,deleted_at,run_key,drop_id,reasons,in_service",
            "drops": "drop_id,pipeline,kind,file_name,sha256,size_bytes,rows,received_at,finished_at,outcome,outcome_reason,final_path,deleted_at",
            "findings": "run_id,pipeline,started_at,kind,severity,column_name,measured,expected,count,message",
            "drift": "pipeline,drop_id,file_name,received_at,run_id,reference_drop_id,column_name,measure,score,threshold,drifted",
        ]
        for (table, header) in headers {
            let result = try report(space, ["--format", "csv", "--table", table])
            #expect(result.status == 0, "\(table): \(result.output)")
            #expect(result.stdout.split(separator: "\n").first.map(String.init) == header, "\(table)")
        }
        let runs = try report(space, ["--format", "csv", "--table", "runs"]).stdout.split(separator: "\n")
        #expect(runs.count == 2 && runs[1].contains(",approved,1,"))
        #expect(try report(space, ["--format", "csv", "--table", "runs", "--since", "2999-01-01"]).stdout.split(separator: "\n").count == 1)
        #expect(try report(space, ["--format", "csv", "--table", "runs", "--since", "1d"]).stdout.split(separator: "\n").count == 2)
        let unknown = try report(space, ["--format", "csv", "--table", "nope"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no report table 'nope'; there are: drift, drops, findings, models, runs"))
        #expect(try report(space, ["--format", "csv"]).stderr.contains("--format csv needs --table"))
        let json = try report(space, ["--format", "json"])
        #expect(json.stdout.contains("\"format\" : \"sluice.report/1\""))
        let future = try report(space, ["--since", "2999-01-01"])
        #expect(future.stdout.contains("since: 2999-01-01 00:00:00 UTC"))
        #expect(future.stdout.contains("recent drops\n  none"), "\(future.stdout)")
        // The views are a supported way in.
        #expect(try space.count("SELECT count(*) FROM model_versions WHERE in_service = 1") == 1)
        #expect(try space.count("SELECT count(*) FROM runs_overview") == 1)
    }

    @Test func aReportInALoopNeverDisturbsTheDaemon() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        let daemon = try space.startDaemon()
        for index in 0..<12 { try space.drop("d\(index).csv", ChurnData.csv(rows: 300, seed: 2600 + UInt64(index))) }
        var reports = 0, failures: [String] = []
        let deadline = Date().addingTimeInterval(120)
        while (try? space.count("SELECT count(*) FROM drops WHERE outcome != 'claimed'")) ?? 0 < 12, Date() < deadline {
            for arguments in [[], ["--format", "json"], ["--format", "csv", "--table", "runs"]] {
                let result = try report(space, arguments)
                reports += 1
                if result.status != 0 { failures.append(result.output) }
            }
            guard daemon.process.isRunning else { break }
        }
        #expect(daemon.stop() == 0)
        #expect(failures.isEmpty, "\(failures)")
        #expect(reports >= 3)
        #expect(try space.count("SELECT count(*) FROM drops WHERE outcome = 'archived'") == 12)
    }

    /// Colour only on a terminal (a real pty, through script(1)), never with NO_COLOR or into a pipe.
    @Test func colourOnlyOnATerminalAndNeverWithNoColor() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        try space.drop("a.csv", ChurnData.csv(rows: 600, seed: 2800))
        #expect(try space.serve().status == 0)
        let command = "\(BuildProducts.sluice) report --config \(space.config)"
        // NO_COLOR empty counts as unset (the test runner may have set it).
        let tty = try Command.run("/usr/bin/script", ["-qec", command, "/dev/null"], in: space.root, environment: ["NO_COLOR": ""])
        #expect(tty.stdout.contains("\u{1b}[32mpass\u{1b}[0m"), "\(tty.output)")
        let noColor = try Command.run("/usr/bin/script", ["-qec", command, "/dev/null"], in: space.root, environment: ["NO_COLOR": "1"])
        #expect(noColor.stdout.contains("pass") && !noColor.stdout.contains("\u{1b}["), "\(noColor.output)")
        let piped = try report(space, [])
        #expect(!piped.stdout.contains("\u{1b}["))
    }
}

import Foundation
import SluiceArchive
import SluiceSystem
import SluiceTestSupport
import Testing

/// Schema pinning, validation findings and drift, through the real binary,
/// the real validate plugin and the real ledger.
@Suite struct ValidationTests {
    /// Rewrites ChurnData rows: `edit(fields)` changes each row's fields (header excluded).
    func churn(rows: Int, seed: UInt64, header: String? = nil, edit: (inout [String], Int) -> Void = { _, _ in }) -> String {
        var lines = ChurnData.csv(rows: rows, seed: seed).split(separator: "\n").map(String.init)
        if let header { lines[0] = header }
        for index in 1..<lines.count {
            var fields = lines[index].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            edit(&fields, index)
            lines[index] = fields.joined(separator: ",")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func reason(_ workspace: Workspace) throws -> String {
        let name = workspace.files("quarantine/churn").first { $0.hasSuffix(".reason") } ?? ""
        return try String(contentsOfFile: workspace.root + "/quarantine/churn/" + name, encoding: .utf8)
    }

    @Test func theFirstApprovedDropPinsTheSchemaAndLaterDropsAreCheckedAgainstIt() throws {
        let workspace = try Workspace()
        try workspace.drop("a.csv", ChurnData.csv(rows: 800, seed: 1))
        #expect(try workspace.serve().status == 0)
        #expect(try workspace.count("SELECT count(*) FROM schemas WHERE pipeline = 'churn' AND source = 'pinned'") == 1)
        let archive = try ArchiveReader.members(of: workspace.root + "/outbox/churn/current.tar.gz")
        #expect(archive.contains { $0.name == "schema/pinned.json" })
        #expect(archive.contains { $0.name == "profile.json" })

        // Column `sessions` gone, `coupon` new, `calls` text, `tenure` far out of range in 5% of
        // rows, `plan` with an unseen value in 5% of rows.
        let broken = churn(rows: 400, seed: 2, header: "tenure,charges,calls,coupon,plan,region,churned") { fields, row in
            fields[2] = "c\(fields[2])"
            fields[3] = "x"
            if row % 20 == 0 { fields[0] = "5000"; fields[4] = "platinum" }
        }
        try workspace.drop("b.csv", broken)
        #expect(try workspace.serve().status == 0)
        #expect(workspace.files("quarantine/churn").contains { $0.hasSuffix("-b.csv") })
        let kinds = try workspace.strings("SELECT kind || ':' || severity || ':' || coalesce(column_name, '') FROM findings")
        for expected in ["missing_column:error:sessions", "unexpected_column:warning:coupon", "type_change:error:calls",
                         "out_of_range:error:tenure", "unseen_category:error:plan", "constant_column:warning:coupon"] {
            #expect(kinds.contains(expected), "\(expected) not in \(kinds)")
        }
        let text = try reason(workspace)
        #expect(text.contains("column 'sessions' of the pinned schema is missing"))
        #expect(text.contains("column 'calls' is categorical, the pinned schema has it numeric"))
        #expect(text.contains("column 'tenure': 20 values (5.0%) outside the pinned range"))
        #expect(text.contains("'platinum' (line 21)"))
        #expect(text.contains("warning unexpected_column [coupon]: column 'coupon' is not in the pinned schema (kept)"))
        let report = try workspace.report().stdout
        #expect(report.contains("schema pinned from drop 1"))
        #expect(report.contains("ERROR missing_column [sessions]"))
        // The schema stays the first drop's.
        #expect(try workspace.count("SELECT count(*) FROM schemas") == 1)
    }

    @Test func anEntirelyMissingColumnIsNotATypeChange() throws {
        let workspace = try Workspace()
        try workspace.drop("a.csv", ChurnData.csv(rows: 800, seed: 1))
        #expect(try workspace.serve().status == 0)
        // `plan` (categorical when pinned) is empty in every row: it reads as numeric
        // for want of evidence, which is a null rate, not a type change.
        try workspace.drop("b.csv", churn(rows: 400, seed: 4) { fields, _ in fields[4] = "" })
        #expect(try workspace.serve().status == 0)
        let kinds = try workspace.strings("SELECT kind || ':' || coalesce(column_name, '') FROM findings")
        #expect(!kinds.contains("type_change:plan"), "\(kinds)")
        #expect(kinds.contains("null_rate:plan"), "\(kinds)")
    }

    @Test func aValueWithALineBreakStaysOnTheLineOfItsFinding() throws {
        let workspace = try Workspace()
        try workspace.drop("a.csv", ChurnData.csv(rows: 800, seed: 1))
        #expect(try workspace.serve().status == 0)
        // An unseen `plan` that holds a quoted newline, a doubled quote and a tab.
        let odd = churn(rows: 400, seed: 3) { fields, row in
            if row % 20 == 0 { fields[4] = "\"gold\nplus \"\"x\"\"\tend\"" }
        }
        try workspace.drop("b.csv", odd)
        let run = try workspace.serve()
        #expect(run.status == 0)
        let shown = #"'gold\nplus "x"\tend'"#
        let text = try reason(workspace)
        let finding = try #require(text.split(separator: "\n").first { $0.contains("unseen_category [plan]") }, "\(text)")
        #expect(finding.contains(shown + " (line 21)"), "\(finding)")
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("plus") })
        // The log keeps one event per line too.
        #expect(run.stderr.split(separator: "\n").contains { $0.contains("unseen_category") && $0.contains(shown) })
        #expect(!run.stderr.split(separator: "\n").contains { $0.hasPrefix("plus") })
    }

    @Test func everyDropLevelFindingKindIsRecordedWithItsMessage() throws {
        let workspace = try Workspace(stages: """
                  - plugin: validate
                    params: {min_rows: 50, max_null_fraction: 0.2}
                  - plugin: features
                  - plugin: train
                  - plugin: evaluate
            """)
        // 40 rows: too few; `region` constant; every row twice; `sessions` 50% missing;
        // `charges` a number column with one typo; target one class.
        var text = "tenure,charges,calls,sessions,plan,region,churned\n"
        for row in 0..<20 {
            let charges = row == 7 ? "12,5x" : "\(20 + row)"
            let line = "\(row),\(charges),1,\(row % 2 == 0 ? "" : "3"),basic,north,no\n"
            text += line + line
        }
        try workspace.drop("many.csv", text.replacingOccurrences(of: "12,5x", with: "\"12.5x\""))
        #expect(try workspace.serve().status == 0)
        let rows = try workspace.strings("SELECT kind || '|' || message FROM findings ORDER BY id")
        func message(_ kind: String) -> String? { rows.first { $0.hasPrefix(kind + "|") } }
        #expect(message("row_count")?.contains("only 40 rows, expected at least min_rows 50") == true)
        #expect(rows.contains { $0.hasPrefix("constant_column|column 'region' is constant") })
        #expect(message("duplicate_rows")?.contains("20 rows (50.0%) repeat an earlier row exactly") == true)
        #expect(message("null_rate")?.contains("column 'sessions' (column 4) is 50.0% missing (20 of 40 rows), the limit is 20.0%") == true)
        #expect(message("not_numeric")?.contains("'12.5x' is not a number") == true)
        #expect(message("target_single_class")?.contains("target 'churned' has 1 distinct value ('no')") == true)
        let text2 = try reason(workspace)
        for kind in ["row_count", "duplicate_rows", "null_rate", "not_numeric", "target_single_class", "constant_column"] {
            #expect(text2.contains(kind), "\(kind) missing from .reason")
        }

        let other = try Workspace()
        try other.drop("numbers.csv", "1,2,3\n4,5,6\n")
        #expect(try other.serve().status == 0)
        let kinds = try other.strings("SELECT kind FROM findings")
        #expect(kinds.contains("header_is_data") && kinds.contains("target_missing"))
    }

    @Test func driftIsScoredAgainstTheChampionsTrainingData() throws {
        let workspace = try Workspace(stages: """
                  - plugin: validate
                    params: {drift_policy: reject, max_drifted_share: 0.1}
                  - plugin: features
                  - plugin: train
                  - plugin: evaluate
            """)
        try workspace.drop("a.csv", ChurnData.csv(rows: 2000, seed: 11))
        #expect(try workspace.serve().status == 0)
        // Same distribution, other seed: scored, nothing drifts.
        try workspace.drop("b.csv", ChurnData.csv(rows: 2000, seed: 12))
        #expect(try workspace.serve().status == 0)
        let quiet = try workspace.strings("""
            SELECT column_name || ' ' || measure || ' ' || score FROM drift_scores
            WHERE run_id = (SELECT max(run_id) FROM drift_scores) AND drifted = 1
            """)
        #expect(quiet.isEmpty, "\(quiet)")
        #expect(try workspace.count("SELECT count(*) FROM drift_scores WHERE measure = 'psi'") >= 4)
        #expect(try workspace.count("SELECT count(*) FROM drift_scores WHERE measure = 'js'") >= 2)
        #expect((try workspace.double("SELECT max(score) FROM drift_scores")) ?? 1 < 0.1)

        // Charges squeezed into the top of their range and every region 'north': inside the
        // pinned ranges and categories, but the distributions moved.
        let shifted = churn(rows: 2000, seed: 13) { fields, row in
            fields[1] = String(format: "%.2f", 90 + Double(row % 100) / 10)
            fields[5] = "north"
        }
        try workspace.drop("c.csv", shifted)
        #expect(try workspace.serve().status == 0)
        let charges = try workspace.double("SELECT score FROM drift_scores WHERE column_name = 'charges' ORDER BY id DESC LIMIT 1")
        #expect((charges ?? 0) > 0.2)
        let region = try workspace.double("SELECT score FROM drift_scores WHERE column_name = 'region' ORDER BY id DESC LIMIT 1")
        #expect((region ?? 0) > 0.1)
        #expect(workspace.files("quarantine/churn").contains { $0.hasSuffix("-c.csv") })
        #expect(try reason(workspace).contains("error drift"))
        let report = try workspace.report().stdout
        #expect(report.contains("vs the champion's training data: 2 of 6 features drifted"), "\(report)")
        #expect(report.split(separator: "\n").contains { $0.contains("charges") && $0.hasSuffix("DRIFTED") })
        #expect(report.contains("ERROR drift"))
    }
}

/// `sluice inspect`: the schema sluice infers, and validation without a run.
@Suite struct InspectTests {
    @Test func inspectShowsTheSchemaAndSpeedOfAGzippedFile() throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("d.csv", ChurnData.csv(rows: 500, seed: 5) + "1,,2,3,basic,north,yes\n")
        #expect(try Command.run("/bin/gzip", [path]).status == 0)
        let result = try Command.sluice(["inspect", path + ".gz"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("501 rows × 7 columns"))
        #expect(result.stdout.contains("MB/s on"))
        #expect(result.stdout.contains("sha256 "))
        let charges = result.stdout.split(separator: "\n").first { $0.contains("charges") } ?? ""
        #expect(charges.contains("numeric") && charges.contains("1 (0.2%)"))
        let plan = result.stdout.split(separator: "\n").first { $0.contains(" plan ") } ?? ""
        #expect(plan.contains("categorical") && plan.hasSuffix("3"))
    }

    /// Distinct counts: exact up to 1,024 values, then a HyperLogLog estimate
    /// marked ≈, within 4 standard errors (4 × 0.41%) of the truth.
    @Test func inspectCountsDistinctValuesExactlyThenWithinTheEstimatesBound() throws {
        let directory = TemporaryDirectory()
        var random = TestRandom(seed: 17)
        var text = "seq,small,wide\n"
        var wide = Set<Int>()
        for row in 0..<150_000 {
            let value = Int(random.next() % 60_000)
            wide.insert(value)
            text += "\(row),\(row % 700),\(value)\n"
        }
        let path = try directory.write("n.csv", text)
        let result = try Command.sluice(["inspect", path])
        #expect(result.status == 0, "\(result.output)")
        func distinct(_ column: String) throws -> String {
            let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("  \(column) ") })
            return String(line.split(separator: " ").last ?? "")
        }
        #expect(try distinct("small") == "700")
        for (column, truth) in [("seq", 150_000), ("wide", wide.count)] {
            let shown = try distinct(column)
            #expect(shown.hasPrefix("≈"), "\(column): \(shown)")
            let estimate = try #require(Double(shown.dropFirst()))
            #expect(abs(estimate - Double(truth)) / Double(truth) < 4 * 0.0041, "\(column): \(estimate) for \(truth)")
        }
        #expect(result.stdout.contains("≈: a HyperLogLog estimate (standard error 0.41%)"))
    }

    @Test func inspectKeepsOneLinePerColumnWhenValuesHoldLineBreaks() throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("q.csv", "a,b\n1,\"x\ny\"\n2,\"a category longer than sixteen\"\n3,\"tab\there\"\n")
        let result = try Command.sluice(["inspect", path])
        #expect(result.status == 0, "\(result.output)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let b = try #require(lines.first { $0.hasPrefix("  b ") }, "\(result.stdout)")
        #expect(b.contains("categorical") && b.contains("a category long…") && b.contains("x\\ny") && b.hasSuffix("3"))
        #expect(!lines.contains { $0.hasPrefix("y") })   // nothing spills onto a line of its own
    }

    @Test func inspectWithAPipelineListsFindingsWithoutRecordingAnything() throws {
        let workspace = try Workspace()
        try workspace.drop("a.csv", ChurnData.csv(rows: 800, seed: 1))
        #expect(try workspace.serve().status == 0)
        let runs = try workspace.count("SELECT count(*) FROM runs")
        let odd = try workspace.directory.write("odd.csv", ChurnData.csv(rows: 300, seed: 9)
            .replacingOccurrences(of: ",north,", with: ",atlantis,"))
        let result = try Command.sluice(["inspect", odd, "--config", workspace.config, "--pipeline", "churn"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("against the schema pinned from drop 1"))
        #expect(result.stdout.contains("unseen_category [region]"))
        #expect(result.stdout.contains("'atlantis'"))
        #expect(result.stdout.contains("region") && result.stdout.contains("DRIFTED"))
        #expect(result.stdout.contains("verdict: this drop would be REJECTED"))
        #expect(try workspace.count("SELECT count(*) FROM runs") == runs)
        #expect(FileSystem.exists(odd))
    }
}

/// `window:` — a run trains on its drop and earlier archived ones, and the ledger lists them all.
@Suite struct TrainingWindowTests {
    @Test func aDropsWindowTrainsOnTheNewDropAndThePreviousOnes() throws {
        let workspace = try Workspace(pipelineExtra: "    window: {drops: 2}")
        try workspace.drop("a.csv", ChurnData.csv(rows: 300, seed: 31))
        #expect(try workspace.serve().status == 0)
        try workspace.drop("b.csv", ChurnData.csv(rows: 400, seed: 32))
        #expect(try workspace.serve().status == 0)
        try workspace.drop("c.csv", ChurnData.csv(rows: 500, seed: 33))
        #expect(try workspace.serve().status == 0)
        let inputs = try workspace.strings("""
            SELECT group_concat(x, ' ') FROM (SELECT i.run_id AS run, d.file_name || ':' || i.rows AS x
                FROM run_inputs i JOIN drops d ON d.id = i.drop_id ORDER BY i.run_id, i.position)
            GROUP BY run ORDER BY run
            """)
        #expect(inputs == ["a.csv:300", "b.csv:400 a.csv:300", "c.csv:500 b.csv:400"])
        let messages = try workspace.strings("SELECT message FROM events WHERE kind = 'window'")
        #expect(messages.last?.contains("training window: 2 drops, 900 rows") == true)
        // The drop keeps its own row count; the model saw the window's training rows.
        #expect(try workspace.count("SELECT rows FROM drops WHERE file_name = 'c.csv'") == 500)
    }

    /// Archived drops keep their parsed columns (docs/ingest.md); a window
    /// reads them, and a model trained from the cache is the model trained
    /// from the CSVs parsed again. A damaged cache is rebuilt, not trusted.
    @Test func aWindowReadsTheColumnCacheAndADamagedOneIsRebuilt() throws {
        func run(_ prepare: (Workspace) throws -> Void) throws -> (Workspace, String) {
            let workspace = try Workspace(promotion: "min: {auc: 0.0}", pipelineExtra: "    window: {drops: 3}")
            try workspace.drop("a.csv", ChurnData.csv(rows: 300, seed: 51))
            #expect(try workspace.serve().status == 0)
            try workspace.drop("b.csv", ChurnData.csv(rows: 300, seed: 52))
            #expect(try workspace.serve().status == 0)
            try prepare(workspace)
            try workspace.drop("c.csv", ChurnData.csv(rows: 300, seed: 53))
            #expect(try workspace.serve().status == 0)
            let identity = try workspace.strings("SELECT identity FROM models m JOIN runs r ON r.id = m.run_id "
                                                 + "JOIN drops d ON d.id = r.drop_id WHERE d.file_name = 'c.csv'")
            return (workspace, identity.first ?? "none")
        }
        let caches = { (workspace: Workspace) in workspace.files("archive/churn/.columns") }
        let (intact, fromCache) = try run { workspace in #expect(caches(workspace).count == 2) }
        #expect(caches(intact).count == 3)
        // The ledger names each drop's cache: its adler-32 and length, as its trailer says.
        let sizes = try caches(intact).map { try FileSystem.size(intact.root + "/archive/churn/.columns/" + $0) }
        let recorded = try intact.strings("SELECT columns_checksum FROM drops WHERE columns_checksum IS NOT NULL ORDER BY id")
        #expect(recorded.count == 3 && recorded.allSatisfy { $0.hasPrefix("adler32:") }, "\(recorded)")
        #expect(Set(recorded.compactMap { $0.split(separator: ":").last.flatMap { Int64($0) } }) == Set(sizes))
        #expect(try intact.strings("SELECT message FROM events WHERE kind LIKE 'columns.%'").isEmpty)
        let (reparsed, fromCSV) = try run { workspace in
            for name in caches(workspace) { try FileSystem.remove(workspace.root + "/archive/churn/.columns/" + name) }
        }
        #expect(fromCache == fromCSV)
        #expect(caches(reparsed).count == 3)   // written again while reading
        let (damaged, fromDamaged) = try run { workspace in
            let path = workspace.root + "/archive/churn/.columns/" + caches(workspace)[0]
            var bytes = try FileSystem.read(path)
            bytes[bytes.count / 2] ^= 0xFF
            try FileSystem.writeAtomically(bytes, to: path)
        }
        #expect(fromDamaged == fromCache)
        let rebuilt = try damaged.strings("SELECT message FROM events WHERE kind = 'columns.rebuilt'")
        #expect(rebuilt.count == 1 && rebuilt[0].contains("fails its checksum"), "\(rebuilt)")
    }

    @Test func aWindowWithOtherColumnsLeavesTheOldDropOutWithAWarning() throws {
        let workspace = try Workspace(pipelineExtra: "    window: {days: 30}")
        try workspace.drop("a.csv", ChurnData.csv(rows: 300, seed: 41).replacingOccurrences(of: "region", with: "area"))
        #expect(try workspace.serve().status == 0)
        try workspace.drop("b.csv", ChurnData.csv(rows: 300, seed: 42))
        #expect(try workspace.serve().status == 0)
        let warnings = try workspace.strings("SELECT message FROM events WHERE kind = 'window.skipped'")
        #expect(warnings.first?.contains("left out: columns differ (missing: region; extra: area)") == true, "\(warnings)")
        #expect(try workspace.count("SELECT count(*) FROM run_inputs WHERE run_id = 2") == 1)
    }

    @Test func aBadWindowIsAConfigErrorWithItsLine() throws {
        let workspace = try Workspace(pipelineExtra: "    window: {weeks: 2}")
        let result = try workspace.serve()
        #expect(result.status != 0)
        #expect(result.output.contains("pipelines.churn.window.weeks: unknown key 'weeks'"), "\(result.output)")
    }
}

/// `schema:` in the pipeline config wins over the pinned one, from the first drop on.
@Suite struct ExplicitSchemaTests {
    @Test func aConfiguredSchemaChecksTheFirstDropExactly() throws {
        let workspace = try Workspace(pipelineExtra: """
                schema:
                  columns:
                    tenure: {type: numeric, min: 1, max: 50}
                    plan: {type: categorical, categories: [basic, standard]}
                    churned: {type: categorical}
                    missing_one: {type: numeric, max_null_fraction: 0.1}
            """)
        try workspace.drop("a.csv", ChurnData.csv(rows: 600, seed: 51))
        #expect(try workspace.serve().status == 0)
        let kinds = try workspace.strings("SELECT kind || ':' || severity || ':' || coalesce(column_name, '') FROM findings")
        #expect(kinds.contains("out_of_range:error:tenure"), "\(kinds)")
        #expect(kinds.contains("unseen_category:error:plan"))
        #expect(kinds.contains("missing_column:error:missing_one"))
        #expect(kinds.contains("unexpected_column:warning:charges"))
        let messages = try workspace.strings("SELECT message FROM findings WHERE kind = 'out_of_range'")
        #expect(messages.first?.contains("outside the configured range [1, 50]") == true, "\(messages)")
        #expect(workspace.files("quarantine/churn").contains { $0.hasSuffix("-a.csv") })
    }

    @Test func configuredSchemaMistakesNameTheirLine() throws {
        let workspace = try Workspace(pipelineExtra: """
                schema:
                  columns:
                    plan: {type: text}
            """)
        let result = try workspace.serve()
        #expect(result.status != 0)
        #expect(result.output.contains("pipelines.churn.schema.columns.plan.type: expected numeric or categorical, found 'text'"),
                "\(result.output)")
    }
}

/// `drift_policy: retrain`: a drifted drop's model replaces the champion on the absolute rules alone.
@Suite struct DriftRetrainTests {
    @Test func driftWaivesTheChampionComparisonOnlyWhenTheDataMoved() throws {
        let workspace = try Workspace(stages: """
                  - plugin: validate
                    params: {drift_policy: retrain, max_drifted_share: 0.1}
                  - plugin: features
                  - plugin: train
                  - plugin: evaluate
            """, promotion: "min: {auc: 0.55}\n      champion: {metric: auc, min_improvement: 0.5}")
        try workspace.drop("a.csv", ChurnData.csv(rows: 1500, seed: 61))
        #expect(try workspace.serve().status == 0)
        // Same distribution: the (impossible) champion margin applies and rejects.
        try workspace.drop("b.csv", ChurnData.csv(rows: 1500, seed: 62))
        #expect(try workspace.serve().status == 0)
        #expect(try workspace.count("SELECT count(*) FROM models WHERE version IS NOT NULL") == 1)
        // Moved data: the comparison is waived and recorded.
        let shifted = ChurnData.csv(rows: 1500, seed: 63).replacingOccurrences(of: ",south,", with: ",north,")
            .replacingOccurrences(of: ",east,", with: ",north,")
        try workspace.drop("c.csv", shifted)
        #expect(try workspace.serve().status == 0)
        #expect(try workspace.count("SELECT count(*) FROM models WHERE version = 2") == 1)
        let reasons = try workspace.strings("SELECT reasons FROM models WHERE version = 2")
        #expect(reasons.first?.contains("champion comparison waived") == true, "\(reasons)")
        #expect(try workspace.count("SELECT count(*) FROM events WHERE kind = 'champion.waived'") == 1)
    }
}

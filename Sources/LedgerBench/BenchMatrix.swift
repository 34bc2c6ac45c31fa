import LedgerCLI
import Posix

#if canImport(Glibc)
    import Glibc
#endif

/// `ledger bench --matrix` (what `make bench` runs): a fixed set of loads, each on a fresh
/// spawned group (with `--spawn`) or on the given group, and one Markdown table of the results.
/// With `--limits`, the machine's limits are measured once, before the first cell.
struct BenchMatrix {
    let options: BenchOptions

    /// One row of the matrix.
    struct Cell: Sendable, Hashable {
        var producers: Int
        var inflight: Int
        var size: Int
        var batch: Int
        /// Paced at this many messages/s (the row at a quarter of the peak); nil: unpaced.
        var rate: Int? = nil

        var mode: BenchOptions.Mode { inflight > 1 ? .async : .sync }
    }

    /// The last row: 1 KiB messages, batch 1, 4 × 64 in flight, paced at a quarter of the best
    /// 1 KiB batch-1 throughput the fixed cells measured (issue 7's "p99 at 25% of peak").
    static func quarterPeakCell(after rows: [(Cell, BenchReport)]) -> Cell? {
        let peak = rows.filter { $0.0.size == 1024 && $0.0.batch == 1 && $0.0.rate == nil }
            .map(\.1.messagesPerSecond).max()
        guard let peak, peak >= 4 else { return nil }
        return Cell(producers: 4, inflight: 64, size: 1024, batch: 1, rate: Int(peak / 4))
    }

    /// 1 producer sequential, 16 in flight on one connection, 256 in flight on four; 128 B and
    /// 1 KiB messages; batches of 1 and 32.
    static let cells: [Cell] = [(1, 1), (1, 16), (4, 64)].flatMap { shape in
        [128, 1024].flatMap { size in
            [1, 32].map { batch in Cell(producers: shape.0, inflight: shape.1, size: size, batch: batch) }
        }
    }

    func run() -> Int32 {
        let binary: String
        let scratch: String
        do {
            binary = try currentExecutablePath()
            scratch = try makeTemporaryDirectory(prefix: "ledger-bench-matrix")
        } catch {
            Console.error("ledger bench: \(error)")
            return ExitCode.failure
        }
        var external: BenchTarget?
        if !options.spawn {
            external = Bench.externalTarget(options.client.peers, scratchDirectory: scratch)
            if external == nil { return ExitCode.usage }
        }
        var limits: MachineLimits?
        if options.limits {
            Console.error("measuring this machine's limits in \(scratch) ...")
            do {
                limits = try MachineLimits.measure(in: scratch)
            } catch {
                Console.error("ledger bench: measuring this machine's limits: \(error)")
                return ExitCode.failure
            }
        }
        var rows: [(Cell, BenchReport)] = []
        var code = ExitCode.success
        var cells = BenchMatrix.cells
        var number = 0
        while true {
            if number == cells.count {
                // The fixed cells are done: add the paced one, once.
                guard cells.count == BenchMatrix.cells.count, let last = BenchMatrix.quarterPeakCell(after: rows)
                else { break }
                cells.append(last)
            }
            let cell = cells[number]
            number += 1
            let load = BenchLoad(
                operation: options.operation(size: cell.size, batch: cell.batch), producers: cell.producers,
                inflight: cell.inflight, mode: cell.mode, duration: options.duration, timeout: options.client.timeout,
                rate: cell.rate)
            Console.error("cell \(number)/\(BenchMatrix.cells.count + 1): \(load.description)")
            let outcome: Result<BenchReport, Bench.RunError>
            if let external {
                outcome = Result { () throws(Bench.RunError) in try Bench.measure(load, on: external) }
            } else {
                let directory = "\(scratch)/cell-\(number)"
                do {
                    try makeDirectories(directory)
                    outcome = try Bench.withSpawnedGroup(binary: binary, directory: directory) { target in
                        Result { () throws(Bench.RunError) in try Bench.measure(load, on: target) }
                    }
                    try removeTree(directory)
                } catch {
                    Console.error("ledger bench: cell \(number): \(error) (kept in \(directory))")
                    code = ExitCode.failure
                    continue
                }
            }
            switch outcome {
            case .success(var report):
                report.limits = limits
                Console.error(report.text.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
                rows.append((cell, report))
                if report.messages == 0 { code = ExitCode.failure }
            case .failure(let error):
                Console.error("ledger bench: cell \(number): \(error)")
                code = ExitCode.failure
            }
        }
        Console.out(BenchMatrix.markdown(rows, limits: limits, options: options))
        if code == ExitCode.success {
            do {
                try removeTree(scratch)
            } catch {
                Console.error("ledger bench: cannot remove \(scratch): \(error)")
            }
        } else {
            Console.error("ledger bench: some cells failed; their files are in \(scratch)")
        }
        return code
    }

    /// The table and the lines above it: date, command, limits, setup.
    static func markdown(_ rows: [(Cell, BenchReport)], limits: MachineLimits?, options: BenchOptions) -> String {
        var command = "ledger bench --matrix"
        if options.spawn { command += " --spawn" }
        if options.limits { command += " --limits" }
        if options.raw { command += " --raw" }
        if !options.raw && options.topic != BenchOptions.defaultTopic { command += " --topic \(options.topic)" }
        if options.duration != BenchOptions.matrixCellDuration {
            command += " --duration \(fixed(options.duration.seconds, 1))s"
        }
        var lines = [
            "Measured \(utcTimestamp()) with `\(command)` (`make bench`): "
                + (options.spawn
                    ? "each row on a fresh three-node group on this host (SYNC_FLUSH: acknowledged once durable on a majority), "
                    : "on the group given, ")
                + (options.raw
                    ? "raw appends, \(fixed(options.duration.seconds, 1)) s per row; latency from writing a request "
                        + "to its acknowledgement (a batch of 32 is 32 append frames in one write, acknowledged by the last)."
                    : "messages to topic \(options.topic), \(fixed(options.duration.seconds, 1)) s per row; latency from "
                        + "writing a send request to its acknowledgement (a batch of 32 is one send of 32 messages)."),
            "",
        ]
        if let limits {
            lines += ["Machine limits, measured in the same run: \(BenchReport.describe(limits)).", ""]
        }
        var header = [
            "producers × in flight", "size", "batch", "msg/s", "MB/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms",
            "max ms", "errors",
        ]
        if limits != nil { header += ["msg/s ÷ fdatasync/s", "MB/s ÷ seq. MB/s", "p50 ÷ floor"] }
        header += ["CPU s leader / followers", "client CPU s", "peak RSS MiB (max node)"]
        lines.append("| " + header.joined(separator: " | ") + " |")
        lines.append("|" + header.map { _ in " ---: " }.joined(separator: "|") + "|")
        for (cell, report) in rows {
            var columns = [
                "\(cell.producers) × \(cell.inflight) (\(cell.mode.rawValue))"
                    + (cell.rate.map { ", paced at \($0) msg/s (¼ of peak)" } ?? ""),
                cell.size >= 1024 ? "\(cell.size / 1024) KiB" : "\(cell.size) B",
                "\(cell.batch)", fixed(report.messagesPerSecond, 0), fixed(report.megabytesPerSecond, 2),
            ]
            columns += [50.0, 90, 99, 99.9, 100].map { fixed(report.latencyMs($0), 2) }
            columns.append("\(report.errors)")
            if let limits {
                columns += [
                    fixed(report.messagesPerSecond / limits.fdatasyncPerSecond, 2),
                    fixed(report.megabytesPerSecond / limits.sequentialWriteMBps, 3),
                    fixed(report.latencyMs(50) / limits.sequentialFloorMs, 1),
                ]
            }
            let leader = report.nodes.first(where: \.isLeader)
            let followers = report.nodes.filter { !$0.isLeader }
            let cpu = { (usage: NodeUsage?) in usage?.cpuSeconds.map { fixed($0, 1) } ?? "?" }
            columns.append("\(cpu(leader)) / " + followers.map { cpu($0) }.joined(separator: ", "))
            columns.append(cpu(report.client))
            let peak = report.nodes.compactMap(\.peakRssBytes).max()
            columns.append(peak.map { fixed(Double($0) / 1_048_576, 0) } ?? "?")
            lines.append("| " + columns.joined(separator: " | ") + " |")
        }
        if limits != nil {
            lines += [
                "",
                "Ratios: msg/s per raw 1 KiB fdatasync/s (above 1 means group commit shares fsyncs); MB/s of "
                    + "message bodies per raw sequential MB/s; p50 per the floor of one sequential request "
                    + "(2 loopback round trips + 1 fdatasync).",
            ]
        }
        return lines.joined(separator: "\n")
    }

    /// Now in UTC: `2025-01-31 14:05 UTC`. `gmtime_r(3)`, `strftime(3)`.
    static func utcTimestamp() -> String {
        var now = time_t(WallClock.now().seconds)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M UTC", &parts)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

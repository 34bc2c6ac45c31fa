import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import Posix
import Raft

/// The rows `ledger soak` prints at every sample.
enum SoakTable {
    static let header = row(["TIME", "NODE", "DISK", "DATA", "FDS", "RSS", "FIRST"])

    /// One row per node of `sample`, then the load's row: sends acknowledged in all, per second
    /// and their p99 latency over the interval, sends not acknowledged in it, faults so far.
    static func rows(_ sample: SoakSample, peers: [Peer]) -> String {
        let time = clock(sample.at)
        var lines = zip(peers, sample.nodes).map { peer, result in
            switch result {
            case .success(let node):
                row([
                    time, peer.name, mebibytes(node.diskBytes), mebibytes(node.dataBytes), String(node.descriptors),
                    mebibytes(node.residentBytes), node.firstIndex.map { "\($0)" } ?? "?",
                ])
            case .failure(let error):
                row([time, peer.name, "not sampled: \(error)"])
            }
        }
        let load = sample.load
        lines.append(
            row([
                time, "load",
                "\(load.total) acknowledged, \(load.perSecond)/s, p99 \(load.p99.map(milliseconds) ?? "-"), "
                    + "\(load.unacknowledged) not acknowledged; \(load.faults) faults so far",
            ]))
        return lines.joined(separator: "\n")
    }

    /// `4.2 ms`: a latency with one decimal.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let tenths = (seconds * 1_000_000 + attoseconds / 1_000_000_000_000 + 50) / 100
        return "\(tenths / 10).\(tenths % 10) ms"
    }

    private static func row(_ cells: [String]) -> String {
        let widths = [8, 6, 11, 11, 6, 11]
        return zip(cells, widths + Array(repeating: 0, count: max(0, cells.count - widths.count))).map { cell, width in
            cell.count >= width
                ? cell + (width > 0 ? " " : "") : cell + String(repeating: " ", count: width - cell.count)
        }.joined().trimmingSuffixSpaces
    }
}

/// The growth checks and the summary lines of `ledger soak`.
enum SoakVerdict {
    /// Where the growth rule's window starts: one `fileReservedTime` after the first retention
    /// pass of the last node to make one; nil while some node made none.
    static func windowStart(firstPass: [Duration?], options: SoakOptions) -> Duration? {
        guard !firstPass.isEmpty, firstPass.allSatisfy({ $0 != nil }) else { return nil }
        return firstPass.compactMap { $0 }.max()! + options.reserved
    }

    /// Every node sampled each time; a first retention pass on every node; each node's figures
    /// judged by their ``SoakGrowthRule``; each node's first index moving on within the window.
    static func growth(samples: [SoakSample], peers: [Peer], firstPass: [Duration?], options: SoakOptions)
        -> [SoakCheck]
    {
        var checks: [SoakCheck] = []
        let missed = samples.flatMap { sample in
            zip(peers, sample.nodes).compactMap { peer, result in
                if case .failure(let error) = result { "\(peer.name) at \(clock(sample.at)): \(error)" } else { nil }
            }
        }
        checks.append(
            SoakCheck(
                name: "sampled", passed: missed.isEmpty && !samples.isEmpty,
                detail: missed.isEmpty
                    ? "\(samples.count) samples of every node" : "\(missed.count) missed, the first: \(missed[0])"))
        guard let start = windowStart(firstPass: firstPass, options: options) else {
            let none = zip(peers, firstPass).filter { $0.1 == nil }.map(\.0.name)
            checks.append(
                SoakCheck(
                    name: "retention", passed: false,
                    detail:
                        "no retention pass on \(none.joined(separator: ", ")) within the run (first index stayed 1): "
                        + "growth not judged; run longer or with a smaller --file-size"))
            return checks
        }
        let inWindow = samples.filter { $0.at >= start }.count
        guard inWindow >= SoakGrowthRule.minimumSamples else {
            checks.append(
                SoakCheck(
                    name: "growth", passed: false,
                    detail:
                        "only \(inWindow) samples from \(clock(start)) on (the first retention pass on every node + "
                        + "fileReservedTime), at least \(SoakGrowthRule.minimumSamples) are needed: run longer"))
            return checks
        }
        for (position, peer) in peers.enumerated() {
            for figure in SoakFigure.allCases {
                let points = samples.compactMap { sample -> SoakPoint? in
                    guard case .success(let node) = sample.nodes[position] else { return nil }
                    return SoakPoint(at: sample.at, value: node.value(figure))
                }
                let rule = SoakFigure.rule(for: figure, dataFileSize: options.dataFileSize)
                checks.append(check(rule.judge(points, from: start), rule: rule, node: peer.name, figure: figure))
            }
        }
        var moved: [String] = []
        var stalled: [String] = []
        for (position, peer) in peers.enumerated() {
            let indexes = samples.filter { $0.at >= start }.compactMap { sample -> LogIndex? in
                if case .success(let node) = sample.nodes[position] { node.firstIndex } else { nil }
            }
            guard let first = indexes.first, let last = indexes.last, last > first else {
                stalled.append("\(peer.name) stayed at \(indexes.first.map { "\($0)" } ?? "?")")
                continue
            }
            moved.append("\(peer.name) \(first) → \(last)")
        }
        checks.append(
            SoakCheck(
                name: "retention-continues", passed: stalled.isEmpty,
                detail: stalled.isEmpty
                    ? "every node's first index moved on within the window: \(moved.joined(separator: ", "))"
                    : "the first index did not move within the window: \(stalled.joined(separator: ", "))"))
        return checks
    }

    private static func check(_ verdict: SoakGrowthVerdict, rule: SoakGrowthRule, node: String, figure: SoakFigure)
        -> SoakCheck
    {
        let name = "\(node) \(figure.rawValue)"
        let margin = "\(figure.text(rule.absoluteMargin)) + \(Int(rule.relativeMargin * 100)) %"
        switch verdict {
        case .tooFewSamples(let count):
            return SoakCheck(name: name, passed: false, detail: "only \(count) samples in the window: not judged")
        case .steady(let window):
            return SoakCheck(
                name: name, passed: true,
                detail:
                    "at most \(figure.text(window.tailMax)) in the last third (from \(clock(window.tailFrom))), "
                    + "\(figure.text(window.baselineMax)) before (limit \(figure.text(window.limit)): \(margin))")
        case .grew(let window):
            return SoakCheck(
                name: name, passed: false,
                detail:
                    "grew: \(figure.text(window.tailMax)) at \(clock(window.tailMaxAt)), "
                    + "above the limit \(figure.text(window.limit)) (largest from \(clock(window.baselineFrom)) to "
                    + "before \(clock(window.tailFrom)): \(figure.text(window.baselineMax)), + \(margin))")
        }
    }

    /// When each node's log first started above index 1, and how many retention passes its log shows.
    static func retentionLine(cluster: LocalGroup, firstPass: [Duration?]) -> String {
        let passes = zip(cluster.peers, firstPass).map { peer, at in
            "\(peer.name) \(at.map(clock) ?? "never")"
        }
        let logged = cluster.peers.map { peer -> String in
            do {
                let log = String(decoding: try readFile(cluster.logPath(peer.id)), as: UTF8.self)
                let count = log.split(separator: "\n").filter {
                    $0.contains("retention (") && $0.contains("deleted the log's entries")
                }.count
                return "\(peer.name) \(count)"
            } catch {
                return "\(peer.name) ? (\(error))"
            }
        }
        return "first retention pass (first index above 1): \(passes.joined(separator: ", ")); "
            + "retention passes logged: \(logged.joined(separator: ", "))"
    }

    /// Which samples the growth rule judged.
    static func windowLine(samples: [SoakSample], firstPass: [Duration?], options: SoakOptions) -> String {
        guard let start = windowStart(firstPass: firstPass, options: options) else {
            return "growth not judged: no retention pass on every node"
        }
        let count = samples.filter { $0.at >= start }.count
        return "growth judged from \(clock(start)) (every node's first retention pass + fileReservedTime): "
            + "\(count) samples, the last \((count + 2) / 3) of them the last third"
    }

    /// How each node's store changed, by directory, from the window's first sample (the run's
    /// first without a window) to the last.
    static func breakdown(samples: [SoakSample], peers: [Peer], firstPass: [Duration?], options: SoakOptions)
        -> String
    {
        let start = windowStart(firstPass: firstPass, options: options) ?? .zero
        var lines: [String] = []
        for (position, peer) in peers.enumerated() {
            let sampled = samples.filter { $0.at >= start }.compactMap { sample -> (Duration, SoakNodeSample)? in
                if case .success(let node) = sample.nodes[position] { (sample.at, node) } else { nil }
            }
            guard let first = sampled.first, let last = sampled.last else { continue }
            let names = Set(first.1.breakdown.keys).union(last.1.breakdown.keys).sorted()
            let parts = names.compactMap { name -> String? in
                let (old, new) = (first.1.breakdown[name] ?? 0, last.1.breakdown[name] ?? 0)
                guard old >= 64 << 10 || new >= 64 << 10 else { return nil }
                return "\(name) \(mebibytes(old)) → \(mebibytes(new)) (\(mebibytesChange(from: old, to: new)))"
            }
            lines.append(
                "  \(peer.name), \(clock(first.0)) → \(clock(last.0)): \(parts.joined(separator: ", "))")
        }
        return "store by directory (entries of 64 KiB or more):\n" + lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate var trimmingSuffixSpaces: String {
        String(reversed().drop { $0 == " " }.reversed())
    }
}

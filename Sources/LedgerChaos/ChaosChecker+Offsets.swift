import LedgerCLI

/// The consumer-offset checks: committed offsets lie within their queues and never go back.
extension ChaosChecker {
    static func offsetsInLog(_ history: ChaosHistory) -> [ChaosViolation] {
        var found: [ChaosViolation] = []
        for contents in history.finalContents {
            for committed in contents.committedOffsets {
                let what =
                    "group \(committed.group) committed offset \(committed.offset) of \(committed.queue) on \(committed.node)"
                found += outside(what, committed.queue, committed.offset, contents, cut: history.retention != nil)
            }
        }
        // A queue only grows, so what consumers saw during the run must lie within its final bounds too.
        guard let reference = history.finalContents.first else { return found }
        for observation in history.offsetObservations {
            let what =
                "group \(observation.group) committed offset \(observation.offset) of \(observation.queue) "
                + "(\(describe(observation)))"
            found += outside(what, observation.queue, observation.offset, reference, cut: history.retention != nil)
        }
        return found
    }

    /// A violation when `offset` lies outside `queue` as `contents` holds it. A committed offset
    /// names the next message to consume, so the queue's end is allowed; when retention `cut`
    /// the queues, so is any offset below their start (a group that committed before retention
    /// moved the start goes on from the min offset).
    private static func outside(
        _ what: String, _ queue: String, _ offset: Int64, _ contents: ChaosNodeContents, cut: Bool
    ) -> [ChaosViolation] {
        guard let bounds = contents.queueBounds[queue] else {
            return [ChaosViolation(.offsetsInLog, "\(what), a queue \(contents.node) does not have")]
        }
        guard (offset < bounds.lowerBound && !cut) || offset > bounds.upperBound else { return [] }
        return [
            ChaosViolation(
                .offsetsInLog, "\(what), outside the queue's \(bounds.lowerBound)...\(bounds.upperBound)")
        ]
    }

    /// Consumers commit only increasing offsets, one consumer per (group, queue), and every commit
    /// after the previous one ended; Raft applies them in that order. So once an offset was seen
    /// (committed and acknowledged, or read from the leader), every observation that starts
    /// later, and every node's offset after the heal, must be at least as high.
    static func offsetsMonotonic(_ history: ChaosHistory) -> [ChaosViolation] {
        var byQueue: [String: [ChaosOffsetObservation]] = [:]
        for observation in history.offsetObservations {
            byQueue["\(observation.group) \(observation.queue)", default: []].append(observation)
        }
        var found: [ChaosViolation] = []
        for key in byQueue.keys.sorted() {
            let observations = byQueue[key]!
            let byEnd = observations.sorted { $0.ended < $1.ended }
            // highest[k]: the highest offset among the first k observations to end.
            var highest: [ChaosOffsetObservation?] = [nil]
            for observation in byEnd {
                let best = highest.last!
                highest.append(best.map { $0.offset >= observation.offset ? $0 : observation } ?? observation)
            }
            for later in observations.sorted(by: { $0.started < $1.started }) {
                let endedBefore = partition(byEnd) { $0.ended < later.started }
                guard let earlier = highest[endedBefore], earlier.offset > later.offset else { continue }
                found.append(
                    ChaosViolation(
                        .offsetsMonotonic,
                        "group \(later.group) offset of \(later.queue) went back: \(earlier.offset) "
                            + "\(describe(earlier)), then \(later.offset) \(describe(later))"))
            }
        }
        found += finalOffsetsKeepUp(history, byQueue)
        return found
    }

    /// Every node's committed offsets after the heal against the highest offset seen per queue.
    private static func finalOffsetsKeepUp(
        _ history: ChaosHistory, _ byQueue: [String: [ChaosOffsetObservation]]
    ) -> [ChaosViolation] {
        var found: [ChaosViolation] = []
        for contents in history.finalContents {
            let held = Dictionary(
                contents.committedOffsets.map { ("\($0.group) \($0.queue)", $0.offset) },
                uniquingKeysWith: { first, _ in first })
            for key in byQueue.keys.sorted() {
                let seen = byQueue[key]!.max { $0.offset < $1.offset }!
                guard let offset = held[key] else {
                    found.append(
                        ChaosViolation(
                            .offsetsMonotonic,
                            "group \(seen.group) offset of \(seen.queue) was \(seen.offset) \(describe(seen)), "
                                + "but \(contents.node) holds none after the heal"))
                    continue
                }
                if offset < seen.offset {
                    found.append(
                        ChaosViolation(
                            .offsetsMonotonic,
                            "group \(seen.group) offset of \(seen.queue) went back: \(seen.offset) \(describe(seen)), "
                                + "then \(offset) on \(contents.node) after the heal"))
                }
            }
        }
        return found
    }

    /// How many leading elements of `sorted` satisfy `isBefore` (which holds for a prefix).
    private static func partition(
        _ sorted: [ChaosOffsetObservation], _ isBefore: (ChaosOffsetObservation) -> Bool
    ) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if isBefore(sorted[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// `committed by g0/c1 (acknowledged at 1234 ms)` or `read by g0/c0 (2000-2010 ms)`.
    static func describe(_ observation: ChaosOffsetObservation) -> String {
        switch observation.source {
        case .committed:
            "committed by \(observation.consumer) (acknowledged at \(observation.ended.millisecondsText) ms)"
        case .queried:
            "read by \(observation.consumer) (\(observation.started.millisecondsText)-\(observation.ended.millisecondsText) ms)"
        }
    }
}

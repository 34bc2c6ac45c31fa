import LedgerCLI

/// Leadership changes per fault, and the check that a follower's long pause causes none (those an
/// overlapping fault may have caused aside).
extension ChaosChecker {
    /// The leaders first seen within `fault`'s ``ChaosFault/observedSpan`` at a term above
    /// every term a leader was seen in before the fault, in the order they were seen: each is a
    /// leadership change during the fault or before the group was stable again.
    static func leaderChanges(during fault: ChaosFault, in leaders: [ChaosLeaderSighting]) -> [ChaosLeaderSighting] {
        let before = leaderBefore(fault, in: leaders)?.term ?? 0
        let span = fault.observedSpan
        return leaders.filter { span.contains($0.at) && $0.term > before }.sorted {
            ($0.at, $0.term) < ($1.at, $1.term)
        }
    }

    /// The leader of the highest term seen before `fault` was injected, if any.
    static func leaderBefore(_ fault: ChaosFault, in leaders: [ChaosLeaderSighting]) -> ChaosLeaderSighting? {
        leaders.filter { $0.at < fault.injected }.max { ($0.term, $0.at) < ($1.term, $1.at) }
    }

    /// The leadership changes seen during `fault` (``leaderChanges(during:in:)``) that no other
    /// fault of `history` may be blamed for: with `--overlap`, a change first seen within the
    /// observed span of a fault that overlapped this one and that ``ChaosOverlapRule`` says may
    /// move leadership is that fault's.
    static func unexcusedChanges(during fault: ChaosFault, in history: ChaosHistory) -> [ChaosLeaderSighting] {
        let changes = leaderChanges(during: fault, in: history.leaders)
        guard let rule = history.overlapRule else { return changes }
        let blamed = history.faults.filter { fault.overlaps($0) && rule.excusesChanges(during: fault, by: $0) }
        return changes.filter { change in !blamed.contains { $0.observedSpan.contains(change.at) } }
    }

    static func stableUnderLag(_ history: ChaosHistory) -> [ChaosViolation] {
        history.faults.filter { $0.kind == .longPause }.compactMap { fault in
            let changes = unexcusedChanges(during: fault, in: history)
            guard !changes.isEmpty else { return nil }
            let start =
                leaderBefore(fault, in: history.leaders).map { "term \($0.term) (\($0.node))" } ?? "no leader seen"
            let steps = changes.map { "term \($0.term) (\($0.node) at \($0.at.millisecondsText) ms)" }
            let until = fault.settled ? "until the group was stable again" : "while the group did not settle"
            return ChaosViolation(
                .stableUnderLag,
                "long-pause at \(fault.injected.millisecondsText) ms (\(fault.detail)) saw \(changes.count) "
                    + "leadership change(s) \(until) at \((fault.observedUntil ?? fault.healed).millisecondsText) ms: "
                    + ([start] + steps).joined(separator: " → "))
        }
    }
}

import LedgerCLI

/// The check that a full disk stops writes only while it lasts.
extension ChaosChecker {
    /// How much load must follow a heal for the writes-resume check to expect a write
    /// acknowledged after it: the disk is measured every second and a leader hears its peers'
    /// measurements within 1.5 s.
    static let resumeWindow: Duration = .seconds(3)

    /// Whether `operation` was refused for a full disk at least once.
    static func refusedForDiskFull(_ operation: ChaosOperation) -> Bool {
        operation.attempts.contains { attempt in
            if case .failed(let reason) = attempt { reason.contains("disk full") } else { false }
        }
    }

    /// When the last of `fault` and the faults overlapping it, one after another, was healed.
    static func lastHeal(around fault: ChaosFault, in faults: [ChaosFault]) -> Duration {
        var chain = [fault]
        var end = fault.healed
        while let next = faults.first(where: { candidate in
            !chain.contains(candidate) && chain.contains { $0.overlaps(candidate) }
        }) {
            chain.append(next)
            end = max(end, next.healed)
        }
        return end
    }

    static func writesResume(_ history: ChaosHistory) -> [ChaosViolation] {
        let acknowledged = history.operations.filter { $0.acknowledgedPosition != nil }.map(\.ended)
        guard let loadEnd = history.operations.map(\.ended).max() else { return [] }
        return history.faults.filter { $0.kind == .diskFull }.compactMap { fault in
            let healed = lastHeal(around: fault, in: history.faults)
            guard loadEnd - healed >= resumeWindow, !acknowledged.contains(where: { $0 > healed }) else { return nil }
            let after = healed == fault.healed ? "its heal" : "the last overlapping fault's heal"
            return ChaosViolation(
                .writesResume,
                "disk-full at \(fault.injected.millisecondsText) ms (\(fault.detail)): no write acknowledged after "
                    + "\(after) at \(healed.millisecondsText) ms, though the load went on until "
                    + "\(loadEnd.millisecondsText) ms")
        }
    }
}

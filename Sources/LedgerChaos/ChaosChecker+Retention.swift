/// What acknowledged-present checks of a send whose position retention cut from the final logs
/// (``ChaosRetentionCut``).
extension ChaosChecker {
    /// A violation when `operation`, acknowledged at `position` before the cut, may have been
    /// stored less than `fileReservedTime` before the last final log was read (`cut.cutAt`):
    /// its first attempt started within that time, and retention deletes nothing that young.
    /// Nil when it is old enough to be gone.
    static func expiredTooSoon(_ operation: ChaosOperation, at position: ChaosPosition, cut: ChaosRetentionCut)
        -> ChaosViolation?
    {
        let age = cut.cutAt - cut.epochMilliseconds(operation.started)
        guard age < cut.reservedMilliseconds else { return nil }
        let start = cut.firstRetained(of: position.stream).map { " (the retained data starts at \($0))" } ?? ""
        return ChaosViolation(
            .acknowledgedPresent,
            "acknowledged operation \(operation.id) missing: \(position) was deleted\(start), but its first "
                + "attempt started \(age) ms before the last final log was read, within fileReservedTime "
                + "(\(cut.reservedMilliseconds) ms)")
    }

    /// The acknowledged operations whose positions retention cut, all of them old enough to be
    /// gone when the history passes acknowledged-present.
    static func expiredAcknowledged(_ history: ChaosHistory) -> Int {
        guard let cut = history.retention else { return 0 }
        return history.operations.count { $0.acknowledgedPosition.map(cut.isCut) ?? false }
    }
}

extension ChaosRetentionCut {
    /// `index N` or `offset N` where the retained data of `stream` (`log` or a queue) starts.
    func firstRetained(of stream: String) -> String? {
        if stream == "log" { return "index \(firstIndex)" }
        return queueStarts[stream].map { "offset \($0)" }
    }
}

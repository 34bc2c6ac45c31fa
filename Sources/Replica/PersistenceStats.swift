import Raft

/// Persisting the state machine: what is durable, whether a persist runs, and what the
/// persists cost the persist thread.
struct PersistenceStats {
    /// The applied index the state machine's files hold durably.
    var persistedIndex = LogIndex.zero
    /// Whether the last persist was abandoned for a full disk (logged once until one succeeds).
    var outOfSpace = false
    /// Entries applied since the last persist began.
    var appliedSince = 0
    /// A persist was begun and has not finished.
    var inFlight = false
    var count = 0
    var syncTotal = Duration.zero
    var syncLongest = Duration.zero

    mutating func begun() {
        inFlight = true
        appliedSince = 0
        count += 1
    }

    mutating func finished(_ done: PersistDone) {
        inFlight = false
        persistedIndex = done.index
        syncTotal += done.took
        syncLongest = max(syncLongest, done.took)
    }

    /// One line for the log: `persisted 12 times through index 900, syncs mean 31.0 ms
    /// (longest 90.2 ms)`.
    var summary: String {
        guard count > 0 else { return "never persisted (nothing applied)" }
        func milliseconds(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            let tenths = seconds * 10_000 + attoseconds / 100_000_000_000_000
            return "\(tenths / 10).\(tenths % 10) ms"
        }
        return
            "persisted \(count) times through index \(persistedIndex), syncs mean \(milliseconds(syncTotal / count)) "
            + "(longest \(milliseconds(syncLongest)))"
    }
}

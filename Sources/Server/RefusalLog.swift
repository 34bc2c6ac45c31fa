/// Rate limits the log lines about refused connections: at most one per remote address per
/// ``interval``, so a process hammering a node with bad handshakes cannot flood its log.
/// Refusals in between are counted and reported with the next line for that address.
///
/// A value with no clock of its own: every call passes the current instant, so tests drive it
/// with instants of their choosing.
struct RefusalLog: Sendable {
    /// The shortest time between two lines about one address.
    let interval: Duration
    /// Addresses remembered at most; beyond it, entries older than ``interval`` are forgotten
    /// (they would be logged anyway), so memory stays bounded under many addresses.
    let capacity: Int

    private struct Entry: Sendable {
        var lastLogged: ContinuousClock.Instant
        var suppressed: Int
    }

    private var entries: [String: Entry] = [:]

    init(interval: Duration = .seconds(60), capacity: Int = 4096) {
        precondition(interval > .zero && capacity > 0, "a refusal log needs a positive interval and capacity")
        self.interval = interval
        self.capacity = capacity
    }

    /// Records a refusal from `address` at `now`. Returns nil when no line should be logged,
    /// else the number of refusals from that address that were not logged since its last line.
    mutating func record(address: String, now: ContinuousClock.Instant) -> Int? {
        if var entry = entries[address] {
            if now - entry.lastLogged < interval {
                entry.suppressed += 1
                entries[address] = entry
                return nil
            }
            entries[address] = Entry(lastLogged: now, suppressed: 0)
            return entry.suppressed
        }
        if entries.count >= capacity {
            entries = entries.filter { now - $0.value.lastLogged < interval }
        }
        if entries.count < capacity { entries[address] = Entry(lastLogged: now, suppressed: 0) }
        return 0
    }

    /// Addresses currently remembered.
    var count: Int { entries.count }
}

import Raft

/// Client writes waiting for their entries to apply, by log index. A write is answered when
/// the entry at its index applies with its term (success), applies with another term (it was
/// replaced: certainly lost), or the core gives up on it (outcome unknown).
struct PendingWrites {
    struct Write {
        var client: ClientID
        var requestID: UInt64
        var kind: RequestKind
        /// The entry is this write's only if it is applied with this term.
        var term: Term
    }

    private var byIndex: [LogIndex: Write] = [:]

    var isEmpty: Bool { byIndex.isEmpty }

    mutating func add(_ write: Write, at index: LogIndex) {
        precondition(byIndex[index] == nil, "two pending writes at index \(index)")
        byIndex[index] = write
    }

    /// The write waiting at `index`, removed.
    mutating func take(at index: LogIndex) -> Write? { byIndex.removeValue(forKey: index) }

    /// The write waiting at `index` with `term`, removed.
    mutating func take(at index: LogIndex, term: Term) -> Write? {
        guard byIndex[index]?.term == term else { return nil }
        return byIndex.removeValue(forKey: index)
    }

    /// Forgets the writes of `client` (its connection closed).
    mutating func forget(_ client: ClientID) { byIndex = byIndex.filter { $0.value.client != client } }

    /// Every waiting write in index order, removed.
    mutating func takeAll() -> [(index: LogIndex, write: Write)] {
        defer { byIndex.removeAll() }
        return byIndex.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// The checks a chaos run must pass, in the order they are run and reported.
enum ChaosCheck: String, Sendable, Hashable, CaseIterable {
    /// After the heal, every node came up, one led, and all reached the same commit index, and
    /// every node's committed log could be read.
    case converged = "converged"
    /// At most one node ever reported itself leader of any one term (Raft's election safety).
    case electionSafety = "election-safety"
    /// Every node the restart fault sent SIGTERM exited 0 within 10 s: a crash or a hang on
    /// shutdown fails the run.
    case cleanExits = "clean-exits"
    /// After the heal every node holds the same committed items, byte for byte, and reports the
    /// same state digest at the same applied index, the digest its own log replays to.
    case identicalLogs = "identical-logs"
    /// Every acknowledged operation is stored at the position it was acknowledged with.
    case acknowledgedPresent = "acknowledged-present"
    /// No operation is stored more often than its attempts allow: acknowledged exactly once,
    /// indeterminate at most once (per indeterminate attempt for non-idempotent raw appends).
    /// Counts copies as sent (``ChaosChecker/isAsSent(_:kind:)``); later copies of held
    /// messages are the held-message checks'.
    case noDuplicates = "no-duplicates"
    /// Nothing is stored that was never sent, or whose every attempt certainly failed.
    case noPhantoms = "no-phantoms"
    /// Everything a consumer read during the run is what the final log holds at that position.
    case readsConsistent = "reads-consistent"
    /// Each producer's items appear in its send order within each stream (log or queue).
    case producerOrder = "producer-order"
    /// Every held message (a delayed send, a send-back) moves into its real topic and queue at
    /// most once, never before it is due, and surely once it was due well before the end.
    case delayedDelivery = "delayed-delivery"
    /// Every acknowledged send-back is stored where acknowledged, with reconsume times one
    /// higher, in the retry path or, past the maximum, the dead-letter topic; each at most once.
    case sendBacks = "send-backs"
    /// A committed transaction's message is in its topic exactly once, a rolled-back or
    /// undecided one never (at most once when the commit's outcome is unknown).
    case transactions = "transactions"
    /// Every consumer group's committed offset, at the end and as observed during the run, lies
    /// within its queue's offsets.
    case offsetsInLog = "offsets-in-log"
    /// No consumer group's committed offset of a queue is ever seen lower than a value seen
    /// before (consumers commit only increasing offsets; a lost commit or a stale read moves
    /// it back).
    case offsetsMonotonic = "offsets-monotonic"
    /// No long pause of a follower saw a leadership change, from its SIGSTOP until the group was
    /// stable again: a replica that falls behind must cost that replica, not the group.
    case stableUnderLag = "stable-under-lag"
    /// After each disk-full fault was healed (with any fault that overlapped it), writes were
    /// acknowledged again: a full disk costs the group its writes while it lasts, not longer.
    case writesResume = "writes-resume"

    /// One line for the report.
    var summary: String {
        switch self {
        case .converged: "after the heal every node is up with one leader and the same committed log length"
        case .electionSafety: "at most one leader per term ever observed"
        case .cleanExits: "every node sent SIGTERM exited 0 within 10 s"
        case .identicalLogs: "all nodes hold identical committed logs and state digests"
        case .acknowledgedPresent: "every acknowledged operation is at the position it was acknowledged with"
        case .noDuplicates: "acknowledged operations stored exactly once, indeterminate ones at most once"
        case .noPhantoms: "nothing stored that was never sent or that certainly failed"
        case .readsConsistent: "every read during the run matches the final log"
        case .producerOrder: "each producer's order preserved within each stream"
        case .delayedDelivery: "held messages delivered once, never before due, surely when due"
        case .sendBacks:
            "send-backs stored once where acknowledged, reconsume times one higher, past the maximum dead-lettered"
        case .transactions: "committed transactions in their topic once, rolled-back and undecided ones never"
        case .offsetsInLog: "consumer groups' committed offsets within their queues"
        case .offsetsMonotonic: "consumer groups' committed offsets never seen going backwards"
        case .stableUnderLag: "no leadership change during a follower's long pause or its catch-up"
        case .writesResume: "writes acknowledged again after every disk-full fault was healed"
        }
    }
}

/// One way the history breaks a check.
struct ChaosViolation: Sendable, Hashable, CustomStringConvertible {
    var check: ChaosCheck
    var message: String

    init(_ check: ChaosCheck, _ message: String) {
        self.check = check
        self.message = message
    }

    /// `[no-duplicates] operation p1#4 (acknowledged at index 9) is stored 2 times: index 9, index 12`.
    var description: String { "[\(check.rawValue)] \(message)" }
}

/// The outcome of every check.
struct ChaosVerdict: Sendable {
    /// Each check with its violations (none when it passed), in ``ChaosCheck`` order.
    var results: [(check: ChaosCheck, violations: [ChaosViolation])]

    var passed: Bool { results.allSatisfy { $0.violations.isEmpty } }
    var violations: [ChaosViolation] { results.flatMap(\.violations) }
    var firstViolation: ChaosViolation? { violations.first }
}

/// Checks a ``ChaosHistory`` the way Jepsen checks a queue: pure, so tests can feed it doctored
/// histories. Dictionaries are only read in sorted key order, so the first violation reported
/// is the same for the same history.
enum ChaosChecker {
    /// Runs the checks named in `checks` (all by default) and returns each one's violations.
    static func check(_ history: ChaosHistory, checks: [ChaosCheck] = ChaosCheck.allCases) -> ChaosVerdict {
        ChaosVerdict(results: checks.map { ($0, violations(of: $0, in: history)) })
    }

    static func violations(of check: ChaosCheck, in history: ChaosHistory) -> [ChaosViolation] {
        switch check {
        case .converged: history.convergenceProblem.map { [ChaosViolation(.converged, $0)] } ?? []
        case .electionSafety: electionSafety(history)
        case .cleanExits: history.uncleanExits.map { ChaosViolation(.cleanExits, $0) }
        case .identicalLogs: identicalLogs(history)
        case .acknowledgedPresent: acknowledgedPresent(history)
        case .noDuplicates: noDuplicates(history)
        case .noPhantoms: noPhantoms(history)
        case .readsConsistent: readsConsistent(history)
        case .producerOrder: producerOrder(history)
        case .delayedDelivery: delayedDelivery(history)
        case .sendBacks: sendBacks(history)
        case .transactions: transactions(history)
        case .offsetsInLog: offsetsInLog(history)
        case .offsetsMonotonic: offsetsMonotonic(history)
        case .stableUnderLag: stableUnderLag(history)
        case .writesResume: writesResume(history)
        }
    }

    /// The reference copy of the final log: the first node's (the identical-logs check compares
    /// the others with it).
    static func reference(_ history: ChaosHistory) -> [ChaosItem] {
        history.finalContents.first?.items ?? []
    }

    private static func electionSafety(_ history: ChaosHistory) -> [ChaosViolation] {
        var leaders: [UInt64: [String]] = [:]
        for sighting in history.leaders where !(leaders[sighting.term]?.contains(sighting.node) ?? false) {
            leaders[sighting.term, default: []].append(sighting.node)
        }
        return leaders.keys.sorted().compactMap { term in
            let nodes = leaders[term]!
            guard nodes.count > 1 else { return nil }
            return ChaosViolation(
                .electionSafety, "term \(term) had \(nodes.count) leaders: \(nodes.joined(separator: " and "))")
        }
    }

    private static func identicalLogs(_ history: ChaosHistory) -> [ChaosViolation] {
        guard let first = history.finalContents.first else {
            return [ChaosViolation(.identicalLogs, "no node's contents were read")]
        }
        var found = history.finalContents.dropFirst().flatMap { compare(first, $0) }
        if let served = history.served {
            // The leader serves queue positions only: compare them with the log's.
            let queued = first.items.filter { $0.position.stream != "log" }
            found += compare(ChaosNodeContents(node: first.node, items: queued), served)
        }
        return found + digestViolations(history.finalContents)
    }

    /// Each node's reported state digest must be what its own committed log replays to, and two
    /// nodes at the same applied index must report the same digest.
    private static func digestViolations(_ contents: [ChaosNodeContents]) -> [ChaosViolation] {
        var found: [ChaosViolation] = []
        var first: [UInt64: (node: String, digest: UInt64)] = [:]
        for node in contents {
            guard let digest = node.digest else { continue }
            if let replayed = digest.replayed, replayed != digest.reported {
                found.append(
                    ChaosViolation(
                        .identicalLogs,
                        "\(node.node) reports state digest \(hex(digest.reported)) at applied index \(digest.applied), "
                            + "but its committed log replays to \(hex(replayed))"))
            }
            if let other = first[digest.applied] {
                if other.digest != digest.reported {
                    found.append(
                        ChaosViolation(
                            .identicalLogs,
                            "\(other.node) and \(node.node) are both at applied index \(digest.applied) with different "
                                + "state digests: \(hex(other.digest)) and \(hex(digest.reported))"))
                }
            } else {
                first[digest.applied] = (node.node, digest.reported)
            }
        }
        return found
    }

    /// A digest as 16 hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// How `other`'s items differ from `first`'s: the first differing position, or the counts.
    private static func compare(_ first: ChaosNodeContents, _ other: ChaosNodeContents) -> [ChaosViolation] {
        if let mismatch = zip(first.items, other.items).first(where: { $0.0 != $0.1 }) {
            return [
                ChaosViolation(
                    .identicalLogs,
                    "\(first.node) and \(other.node) differ at \(mismatch.0.position): \(first.node) holds "
                        + "\(mismatch.0.content), \(other.node) holds \(mismatch.1.content) at \(mismatch.1.position)")
            ]
        }
        if first.items.count != other.items.count {
            return [
                ChaosViolation(
                    .identicalLogs,
                    "\(first.node) holds \(first.items.count) committed items, \(other.node) \(other.items.count)")
            ]
        }
        return []
    }

    /// Each operation's kind by id (the first operation recorded with an id wins).
    static func operationKinds(_ history: ChaosHistory) -> [ChaosOperationID: ChaosOperationKind] {
        Dictionary(history.operations.map { ($0.id, $0.kind) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether `item` is its operation's copy as the producer sent it (`kind`: the operation's,
    /// nil when never attempted), the one an acknowledgement names: a raw entry, or a message in its topic for a plain send (or an
    /// operation never attempted), its schedule-topic copy for a delayed send, its half message
    /// for a transaction. Deliveries, commits and send-backs are the held-message checks'.
    static func isAsSent(_ item: ChaosItem, kind: ChaosOperationKind?) -> Bool {
        guard let facts = item.message else { return true }
        switch (kind ?? .send, facts.copy) {
        case (.send, .inTopic), (.delayed, .delayed), (.transaction, .half): return true
        default: return false
        }
    }

    /// Where each operation's copies as sent are stored in the reference log.
    private static func storedPositions(_ history: ChaosHistory) -> [ChaosOperationID: [ChaosPosition]] {
        let kinds = operationKinds(history)
        var positions: [ChaosOperationID: [ChaosPosition]] = [:]
        for item in reference(history) {
            if case .operation(let id) = item.content, isAsSent(item, kind: kinds[id]) {
                positions[id, default: []].append(item.position)
            }
        }
        return positions
    }

    private static func acknowledgedPresent(_ history: ChaosHistory) -> [ChaosViolation] {
        let log = Dictionary(
            reference(history).map { ($0.position, $0.content) }, uniquingKeysWith: { first, _ in first })
        return history.operations.sorted { $0.id < $1.id }.compactMap { operation in
            guard let position = operation.acknowledgedPosition else { return nil }
            if let cut = history.retention, cut.isCut(position) {
                return expiredTooSoon(operation, at: position, cut: cut)
            }
            switch log[position] {
            case .operation(operation.id)?:
                return nil
            case let other?:
                return ChaosViolation(
                    .acknowledgedPresent,
                    "acknowledged operation \(operation.id) missing: \(position) holds \(other) instead")
            case nil:
                return ChaosViolation(
                    .acknowledgedPresent,
                    "acknowledged operation \(operation.id) missing: nothing is stored at \(position)")
            }
        }
    }

    private static func noDuplicates(_ history: ChaosHistory) -> [ChaosViolation] {
        let stored = storedPositions(history)
        return history.operations.sorted { $0.id < $1.id }.compactMap { operation in
            let positions = stored[operation.id] ?? []
            guard positions.count > 1, positions.count > operation.allowedCopies else { return nil }
            let state =
                operation.acknowledgedPosition.map { "acknowledged at \($0)" }
                ?? "indeterminate after \(operation.indeterminateAttempts) unanswered attempt(s)"
            let list = positions.map(\.description).joined(separator: ", ")
            return ChaosViolation(
                .noDuplicates,
                "duplicate: operation \(operation.id) (\(state)) is stored \(positions.count) times: \(list)")
        }
    }

    private static func noPhantoms(_ history: ChaosHistory) -> [ChaosViolation] {
        let operations = Dictionary(history.operations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var found: [ChaosViolation] = []
        for item in reference(history) {
            switch item.content {
            case .bookkeeping:
                continue
            case .unknown:
                found.append(
                    ChaosViolation(.noPhantoms, "\(item.position) holds \(item.content), which no producer sent"))
            case .operation(let id):
                guard let operation = operations[id] else {
                    found.append(
                        ChaosViolation(.noPhantoms, "\(item.position) holds operation \(id), which was never attempted")
                    )
                    continue
                }
                if operation.allowedCopies == 0 {
                    found.append(
                        ChaosViolation(
                            .noPhantoms,
                            "\(item.position) holds operation \(id), whose every attempt certainly failed (\(operation.outcome))"
                        ))
                }
            }
        }
        return found
    }

    private static func readsConsistent(_ history: ChaosHistory) -> [ChaosViolation] {
        let log = Dictionary(reference(history).map { ($0.position, $0) }, uniquingKeysWith: { first, _ in first })
        var found: [ChaosViolation] = []
        for read in history.reads where !(history.retention?.isCut(read.item.position) ?? false) {
            guard let stored = log[read.item.position] else {
                found.append(
                    ChaosViolation(
                        .readsConsistent,
                        "\(read.consumer) read \(read.item.content) at \(read.item.position) from \(read.node), "
                            + "but the final log has nothing there"))
                continue
            }
            if stored != read.item {
                found.append(
                    ChaosViolation(
                        .readsConsistent,
                        "\(read.consumer) read \(read.item.content) at \(read.item.position) from \(read.node), "
                            + "but the final log holds \(stored.content) there"))
            }
        }
        return found
    }

    private static func producerOrder(_ history: ChaosHistory) -> [ChaosViolation] {
        // Last (position, sequence) seen per producer and stream, walking the log in order. Only
        // copies as sent: a delivery or a commit comes later by design, a send-back when a
        // consumer chose.
        let kinds = operationKinds(history)
        var last: [String: (ChaosPosition, Int)] = [:]
        var found: [ChaosViolation] = []
        for item in reference(history).sorted(by: { $0.position < $1.position }) {
            guard case .operation(let id) = item.content, isAsSent(item, kind: kinds[id]) else { continue }
            let key = "\(id.producer) \(item.position.stream)"
            if let (position, sequence) = last[key], sequence > id.sequence {
                found.append(
                    ChaosViolation(
                        .producerOrder,
                        "producer p\(id.producer) out of order in \(item.position.stream): "
                            + "p\(id.producer)#\(sequence) at \(position) before \(id) at \(item.position)"))
            }
            last[key] = (item.position, id.sequence)
        }
        return found
    }
}

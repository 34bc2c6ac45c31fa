/// The send-backs check: consumers' send-backs (CONSUMER_SEND_MSG_BACK) are stored once, where
/// acknowledged, one reconsume higher, and past the group's maximum in its dead-letter topic.
extension ChaosChecker {
    /// One send-back as stored: the group, the operation and the reconsume times of the copy
    /// (its source's plus one). The store keeps one per (group, source offset), and a group's
    /// sources of one operation differ in reconsume times (the message in its topic, each retry
    /// of it), so this names one source.
    private struct SendBackKey: Hashable, Comparable {
        var group: String
        var id: ChaosOperationID
        var reconsumeTimes: Int32

        static func < (lhs: SendBackKey, rhs: SendBackKey) -> Bool {
            (lhs.group, lhs.id, lhs.reconsumeTimes) < (rhs.group, rhs.id, rhs.reconsumeTimes)
        }
    }

    static func sendBacks(_ history: ChaosHistory) -> [ChaosViolation] {
        let log = Dictionary(reference(history).map { ($0.position, $0) }, uniquingKeysWith: { first, _ in first })
        var found: [ChaosViolation] = []
        // Attempts that may have stored something, by the copy they would store.
        var attempted: Set<SendBackKey> = []
        for sendBack in history.sendBacks {
            guard case .operation(let id) = sendBack.source.content, let source = sendBack.source.message else {
                continue
            }
            let key = SendBackKey(group: sendBack.group, id: id, reconsumeTimes: source.reconsumeTimes + 1)
            if case .failed = sendBack.outcome { continue }
            attempted.insert(key)
            guard let position = sendBack.acknowledgedPosition else { continue }
            let dead = source.reconsumeTimes >= sendBack.maxReconsumeTimes
            let expected: ChaosCopy = dead ? .deadLettered(group: sendBack.group) : .sentBack(group: sendBack.group)
            let what =
                "\(sendBack.consumer)'s send-back of operation \(id) from \(sendBack.source.position) "
                + "(reconsume times \(source.reconsumeTimes), maximum \(sendBack.maxReconsumeTimes)), "
                + "acknowledged at \(position),"
            guard let stored = log[position], stored.content == .operation(id), let facts = stored.message else {
                let there = log[position].map { "holds \($0.content)" } ?? "is empty"
                found.append(ChaosViolation(.sendBacks, "\(what) is lost: \(position) \(there)"))
                continue
            }
            if facts.reconsumeTimes != key.reconsumeTimes {
                found.append(
                    ChaosViolation(
                        .sendBacks, "\(what) has reconsume times \(facts.reconsumeTimes), not \(key.reconsumeTimes)"))
            }
            if facts.copy != expected {
                found.append(ChaosViolation(.sendBacks, "\(what) is \(facts.copy) there, not \(expected)"))
            }
        }
        var stored: [SendBackKey: [ChaosPosition]] = [:]
        for item in reference(history) {
            guard case .operation(let id) = item.content, let facts = item.message else { continue }
            switch facts.copy {
            case .sentBack(let group), .deadLettered(let group):
                stored[SendBackKey(group: group, id: id, reconsumeTimes: facts.reconsumeTimes), default: []].append(
                    item.position)
            default:
                continue
            }
        }
        for key in stored.keys.sorted() {
            let positions = stored[key]!
            let what =
                "operation \(key.id) sent back by \(key.group) with reconsume times \(key.reconsumeTimes - 1)"
            let list = positions.map(\.description).joined(separator: ", ")
            if positions.count > 1 {
                found.append(ChaosViolation(.sendBacks, "\(what) is stored \(positions.count) times: \(list)"))
            }
            if !attempted.contains(key) {
                found.append(
                    ChaosViolation(.sendBacks, "\(what) is stored at \(list), but no consumer's send-back could have"))
            }
        }
        return found
    }
}

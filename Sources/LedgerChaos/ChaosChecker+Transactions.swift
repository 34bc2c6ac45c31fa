/// The transactions check: a half message reaches its topic only by an acknowledged (or
/// possibly applied) commit, once, naming its half message, in its real queue.
extension ChaosChecker {
    static func transactions(_ history: ChaosHistory) -> [ChaosViolation] {
        let kinds = operationKinds(history)
        let log = Dictionary(reference(history).map { ($0.position, $0) }, uniquingKeysWith: { first, _ in first })
        var found: [ChaosViolation] = []
        var commits: [ChaosOperationID: [ChaosItem]] = [:]
        for item in reference(history) {
            guard case .operation(let id) = item.content, let facts = item.message, let kind = kinds[id] else {
                continue
            }
            let transaction = if case .transaction = kind { true } else { false }
            switch facts.copy {
            case .inTopic where transaction:
                commits[id, default: []].append(item)
            case .inTopic where facts.committedHalf != nil:
                found.append(
                    ChaosViolation(
                        .transactions,
                        "\(item.position) holds operation \(id) as a committed transaction, but it was a \(kind)"))
            case .half where !transaction:
                found.append(
                    ChaosViolation(
                        .transactions, "\(item.position) holds operation \(id) as a half message, but it was a \(kind)")
                )
            default:
                continue
            }
        }
        for operation in history.operations.sorted(by: { $0.id < $1.id }) {
            guard case .transaction(let end) = operation.kind else { continue }
            let copies = commits[operation.id] ?? []
            let allowed: ClosedRange<Int> =
                switch end {
                case let end? where end.commit && end.acknowledged: 1...1
                case let end? where end.commit && end.indeterminate: 0...1
                default: 0...0
                }
            let what = "operation \(operation.id) (\(operation.kind))"
            if copies.count < allowed.lowerBound {
                found.append(ChaosViolation(.transactions, "\(what) is not in its topic"))
            } else if copies.count > allowed.upperBound {
                let list = copies.map(\.position.description).joined(separator: ", ")
                found.append(ChaosViolation(.transactions, "\(what) is in its topic \(copies.count) time(s): \(list)"))
            }
            guard let halfPosition = operation.acknowledgedPosition, let half = log[halfPosition]?.message else {
                continue
            }
            for copy in copies {
                guard let facts = copy.message else { continue }
                if facts.committedHalf != half.physicalOffset {
                    let named = facts.committedHalf.map { "names half offset \($0)" } ?? "has no commit flag"
                    found.append(
                        ChaosViolation(
                            .transactions,
                            "\(what) at \(copy.position) \(named), but its half message is at \(half.physicalOffset) "
                                + "(\(halfPosition))"))
                }
                if let queue = half.realQueueID, facts.queueID != queue {
                    found.append(
                        ChaosViolation(
                            .transactions, "\(what) was committed into \(copy.position), not its REAL_QID \(queue)"))
                }
            }
        }
        return found
    }
}

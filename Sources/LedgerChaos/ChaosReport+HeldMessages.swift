import LedgerCLI

/// The report's figures on the messages the store holds back: delayed sends and their
/// deliveries, send-backs retried and dead-lettered, transactions by outcome.
extension ChaosReport {
    struct HeldCounts: Sendable, Hashable {
        /// Delayed sends acknowledged, and their deliveries in the final log.
        var delayed = 0
        var delivered = 0
        /// Send-backs acknowledged (a repeated one counts once per answer), and the copies the
        /// final log holds in retry topics and in dead-letter topics.
        var sentBack = 0
        var retried = 0
        var deadLettered = 0
        /// Half messages acknowledged, and their producers' decisions acknowledged; undecided:
        /// acknowledged half messages their producer left to the check backs.
        var halfMessages = 0
        var committed = 0
        var rolledBack = 0
        var undecided = 0
    }

    var heldCounts: HeldCounts {
        var counts = HeldCounts()
        let kinds = ChaosChecker.operationKinds(history)
        for operation in history.operations where operation.acknowledgedPosition != nil {
            switch operation.kind {
            case .send: break
            case .delayed: counts.delayed += 1
            case .transaction(let end):
                counts.halfMessages += 1
                guard let end else {
                    counts.undecided += 1
                    continue
                }
                if end.acknowledged && end.commit { counts.committed += 1 }
                if end.acknowledged && !end.commit { counts.rolledBack += 1 }
            }
        }
        counts.sentBack = history.sendBacks.count { $0.acknowledgedPosition != nil }
        for item in ChaosChecker.reference(history) {
            guard case .operation(let id) = item.content, let facts = item.message else { continue }
            switch facts.copy {
            case .inTopic where kinds[id]?.isDelayed == true: counts.delivered += 1
            case .retried: counts.retried += 1
            case .deadLettered: counts.deadLettered += 1
            default: break
            }
        }
        return counts
    }

    /// `held messages: 310 delayed (309 delivered); 640 sent back (402 retried, 151 dead-lettered); ...`.
    var heldLine: String {
        let held = heldCounts
        return "held messages: \(held.delayed) delayed sends acknowledged (\(held.delivered) delivered); "
            + "\(held.sentBack) send-backs acknowledged (\(held.retried) retried, \(held.deadLettered) dead-lettered); "
            + "\(held.halfMessages) half messages acknowledged (\(held.committed) committed, "
            + "\(held.rolledBack) rolled back, \(held.undecided) left undecided)"
    }

    /// The `heldMessages` object of the JSON report.
    var heldJSON: JSON {
        let held = heldCounts
        return .object([
            ("delayed", .number(Int64(held.delayed))),
            ("delivered", .number(Int64(held.delivered))),
            ("sentBack", .number(Int64(held.sentBack))),
            ("retried", .number(Int64(held.retried))),
            ("deadLettered", .number(Int64(held.deadLettered))),
            ("halfMessages", .number(Int64(held.halfMessages))),
            ("committed", .number(Int64(held.committed))),
            ("rolledBack", .number(Int64(held.rolledBack))),
            ("undecided", .number(Int64(held.undecided))),
        ])
    }
}

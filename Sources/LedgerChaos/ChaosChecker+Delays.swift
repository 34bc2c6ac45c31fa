/// The delayed-delivery check: what the schedule topic holds (delayed sends, and send-backs on
/// their way to a retry topic) moves into its real topic once, never early.
extension ChaosChecker {
    /// A held message due this long before the runner read the final logs must have been
    /// delivered: the leader scans every 100 ms, and the group was healed and converged first.
    static let deliverySlackMilliseconds: Int64 = 5_000

    /// Where a held message arrives: the same operation, in its real topic, with the same
    /// reconsume times (a delivery keeps them).
    private struct DeliveryKey: Hashable {
        var id: ChaosOperationID
        var topic: String
        var reconsumeTimes: Int32
    }

    /// A held copy, where it must arrive, and when it is due (nil: its level is not one of the
    /// group's).
    private struct Held {
        var key: DeliveryKey
        var item: ChaosItem
        var facts: ChaosMessageFacts
        var due: Int64?
    }

    static func delayedDelivery(_ history: ChaosHistory) -> [ChaosViolation] {
        let kinds = operationKinds(history)
        var found: [ChaosViolation] = []
        var held: [Held] = []
        var heldByKey: [DeliveryKey: Held] = [:]
        var deliveries: [DeliveryKey: [(item: ChaosItem, facts: ChaosMessageFacts)]] = [:]
        var deliveryOrder: [DeliveryKey] = []
        for item in reference(history) {
            guard case .operation(let id) = item.content, let facts = item.message else { continue }
            let key = DeliveryKey(id: id, topic: facts.realTopic ?? facts.topic, reconsumeTimes: facts.reconsumeTimes)
            switch facts.copy {
            case .delayed, .sentBack:
                if facts.copy == .delayed, let kind = kinds[id], !kind.isDelayed {
                    found.append(
                        ChaosViolation(
                            .delayedDelivery, "\(item.position) holds operation \(id) for later, but it was a \(kind)"))
                }
                guard facts.realTopic != nil else {
                    found.append(
                        ChaosViolation(.delayedDelivery, "\(item.position) holds operation \(id) without a REAL_TOPIC"))
                    continue
                }
                let due = facts.delayLevel.flatMap { level in
                    level >= 1 && Int(level) <= history.delayLevels.count
                        ? facts.storeTime + history.delayLevels[Int(level) - 1] : nil
                }
                let copy = Held(key: key, item: item, facts: facts, due: due)
                held.append(copy)
                if heldByKey[key] == nil { heldByKey[key] = copy }
            case .retried:
                if deliveries[key] == nil { deliveryOrder.append(key) }
                deliveries[key, default: []].append((item, facts))
            case .inTopic where facts.committedHalf == nil && kinds[id]?.isDelayed == true:
                if deliveries[key] == nil { deliveryOrder.append(key) }
                deliveries[key, default: []].append((item, facts))
            default:
                continue
            }
        }
        for copy in held {
            found += deliveryViolations(copy, deliveries[copy.key] ?? [], readAt: history.finalReadAt)
        }
        for key in deliveryOrder where heldByKey[key] == nil {
            let positions = deliveries[key]!.map(\.item.position.description).joined(separator: ", ")
            found.append(
                ChaosViolation(
                    .delayedDelivery,
                    "operation \(key.id) (reconsume times \(key.reconsumeTimes)) was delivered into \(key.topic) at "
                        + "\(positions), but the schedule topic never held it"))
        }
        for read in history.reads {
            guard let at = read.at, case .operation(let id) = read.item.content, let facts = read.item.message,
                let copy = heldByKey[DeliveryKey(id: id, topic: facts.topic, reconsumeTimes: facts.reconsumeTimes)],
                let due = copy.due, at < due
            else { continue }
            found.append(
                ChaosViolation(
                    .delayedDelivery,
                    "\(read.consumer) read operation \(id) at \(read.item.position) \(due - at) ms before it was due "
                        + "(held at \(copy.item.position))"))
        }
        return found
    }

    /// What is wrong with held `copy`'s `deliveries`: more than one, one stored before it was due
    /// or outside its real queue, or none although it was due `deliverySlackMilliseconds` before
    /// the final logs were read at `readAt`.
    private static func deliveryViolations(
        _ copy: Held, _ deliveries: [(item: ChaosItem, facts: ChaosMessageFacts)], readAt: Int64?
    ) -> [ChaosViolation] {
        let what = "\(copy.item.content) held at \(copy.item.position)"
        guard let due = copy.due else {
            return [
                ChaosViolation(
                    .delayedDelivery,
                    "\(what) has delay level \(copy.facts.delayLevel.map(String.init) ?? "none"), "
                        + "not one of the group's")
            ]
        }
        let level = "level \(copy.facts.delayLevel ?? 0), \(due - copy.facts.storeTime) ms"
        var found: [ChaosViolation] = []
        if deliveries.count > 1 {
            let positions = deliveries.map(\.item.position.description).joined(separator: ", ")
            found.append(
                ChaosViolation(.delayedDelivery, "\(what) was delivered \(deliveries.count) times: \(positions)"))
        }
        for delivery in deliveries {
            if delivery.facts.storeTime < due {
                found.append(
                    ChaosViolation(
                        .delayedDelivery,
                        "\(what) was delivered early: stored at \(delivery.item.position) "
                            + "\(due - delivery.facts.storeTime) ms before it was due (\(level))"))
            }
            if let queue = copy.facts.realQueueID, delivery.facts.queueID != queue {
                found.append(
                    ChaosViolation(
                        .delayedDelivery,
                        "\(what) was delivered to \(delivery.item.position), not to its REAL_QID \(queue)"))
            }
        }
        if deliveries.isEmpty, let readAt, due + deliverySlackMilliseconds <= readAt {
            found.append(
                ChaosViolation(
                    .delayedDelivery,
                    "\(what) was never delivered into \(copy.facts.realTopic ?? "its topic"): due (\(level)) "
                        + "\(readAt - due) ms before the final logs were read"))
        }
        return found
    }
}

extension ChaosOperationKind {
    /// Whether the store was asked to hold it for a delay.
    var isDelayed: Bool { if case .delayed = self { true } else { false } }
}

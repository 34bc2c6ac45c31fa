import LedgerModel
import Wire

extension LedgerClient {
    /// Sends back the message at `offset` that consumer `group` failed (RocketMQ's
    /// CONSUMER_SEND_MSG_BACK): it comes again in `%RETRY%<group>` after delay level
    /// `delayLevel` (0: `3 + ` its reconsume times), or goes to `%DLQ%<group>` once it was
    /// reconsumed `maxReconsumeTimes` times (nil: the group's setting). Idempotent: a retry
    /// (also after a leader change) is stored once. Returns where it went.
    public func sendBack(
        group: String, offset: PhysicalOffset, delayLevel: Int32 = 0, maxReconsumeTimes: Int32? = nil
    ) throws(LedgerClientError) -> SendResult {
        let request = SendBackRequest(
            group: group, offset: offset, delayLevel: delayLevel, maxReconsumeTimes: maxReconsumeTimes)
        return try ask("send back", .sendBackRequest(request), write: true) {
            if case .sendBackResponse(let response) = $0, let result = response.results.first { result } else { nil }
        }
    }
}

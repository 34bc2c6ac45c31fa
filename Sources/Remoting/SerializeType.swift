/// How a frame's header is encoded: the high byte of the header-length field.
public enum SerializeType: UInt8, Sendable, Hashable, CaseIterable {
    /// A JSON object (`RemotingSerializable`); what every client observed sends.
    case json = 0
    /// RocketMQ's binary layout (`RocketMQSerializable`).
    case rocketMQ = 1
}

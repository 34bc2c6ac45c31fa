import Bytes
import LedgerModel

/// Opcode `sendBack`. Layout: `string group, u64 offset (the message's physical offset), i32
/// delayLevel (0: 3 + reconsume times; negative: straight to the dead-letter topic), optional
/// i32 maxReconsumeTimes`; answered with a send response (where the message went).
extension SendBackRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeString(group)
        writer.writeUInt64(UInt64(bitPattern: offset.rawValue))
        writer.writeInt32(delayLevel)
        writer.writeOptional(maxReconsumeTimes) { $0.writeInt32($1) }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let group = try reader.readString("group", limit: limits.maxStringBytes)
        let at = reader.offset
        let offset = Int64(bitPattern: try reader.readUInt64("offset"))
        guard offset >= 0 else { throw .invalidValue(field: "offset", offset: at, reason: "\(offset) is negative") }
        let level = try reader.readInt32("delay level")
        let maximum = try reader.readOptional("max reconsume times") { (reader) throws(DecodeError) in
            try reader.readInt32("max reconsume times")
        }
        self.init(group: group, offset: PhysicalOffset(offset), delayLevel: level, maxReconsumeTimes: maximum)
    }
}

/// Opcode `endTransaction`. Layout: `u64 half (the half message's physical offset), u8 outcome
/// (0 unknown, 8 commit, 12 rollback: RocketMQ's sys flag values), string producerGroup`; the
/// response is empty, and one-way frames get none.
extension EndTransactionRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeUInt64(UInt64(bitPattern: half.rawValue))
        let code: UInt8 =
            switch outcome {
            case .unknown: 0
            case .commit: 8
            case .rollback: 12
            }
        writer.writeUInt8(code)
        writer.writeString(producerGroup)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let at = reader.offset
        let half = Int64(bitPattern: try reader.readUInt64("half offset"))
        guard half >= 0 else { throw .invalidValue(field: "half offset", offset: at, reason: "\(half) is negative") }
        let outcomeAt = reader.offset
        let outcome: TransactionOutcome
        switch try reader.readUInt8("outcome") {
        case 0: outcome = .unknown
        case 8: outcome = .commit
        case 12: outcome = .rollback
        case let other:
            throw .invalidValue(field: "outcome", offset: outcomeAt, reason: "\(other) is not 0, 8 or 12")
        }
        let group = try reader.readString("producer group", limit: limits.maxStringBytes)
        self.init(half: PhysicalOffset(half), outcome: outcome, producerGroup: group)
    }
}

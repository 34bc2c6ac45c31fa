import Bytes
import LedgerModel

/// A transaction's half message waiting for its producer's decision.
public struct PendingTransaction: Hashable, Sendable {
    /// Where the half message is in the log.
    public var half: PhysicalOffset
    /// Its producer group (`PGROUP`), whose producers are asked for the outcome.
    public var producerGroup: String
    public var storeTimestamp: Int64
    /// Check backs counted so far, and when the last one was (the store time before any).
    public var checks: Int32
    public var lastCheck: Int64
}

/// What the store keeps for the messages it holds back or moves itself (replicated state, in
/// checkpoints and snapshots): how far each delay level has delivered, which send-backs were
/// stored (so a retried CONSUMER_SEND_MSG_BACK is stored once), and the half messages waiting
/// for their producers.
///
/// Section format (checkpoint version 6), big-endian: u32 level count × i64 next schedule offset;
/// u32 send-back count × (string key, result), oldest first; u32 pending count × (i64 half
/// offset, string producer group, i64 store timestamp, i32 checks, i64 last check), by offset.
/// Strings are a u16 length and UTF-8; a result as the checkpoint writes it.
struct MessageKindsState: Hashable {
    /// Per delay level (level 1 first): the schedule-queue offset of the next message to deliver.
    var delivered: [QueueOffset]
    /// Stored send-backs by ``sentBackKey(group:source:)``, bounded like the unique keys.
    var sentBack: UniqueKeyTable
    /// Half messages by offset.
    var pending: [PhysicalOffset: PendingTransaction] = [:]

    init(levels: Int, sentBackCapacity: Int) {
        delivered = Array(repeating: .zero, count: levels)
        sentBack = UniqueKeyTable(capacity: sentBackCapacity)
    }

    /// The table key of group `group`'s send-back of the message at `source`.
    static func sentBackKey(group: String, source: PhysicalOffset) -> String { "\(group)@\(source.rawValue)" }

    /// Pending transactions by offset (the order every decision follows).
    var pendingInOrder: [PendingTransaction] { pending.keys.sorted().map { pending[$0]! } }

    func encode(into writer: inout ByteWriter) {
        writer.writeUInt32(UInt32(delivered.count))
        for offset in delivered { writer.writeInt64(offset.rawValue) }
        let stored = sentBack.persisted(logStart: PhysicalOffset(Int64.max)).results
        writer.writeUInt32(UInt32(stored.count))
        for (key, result) in stored {
            Checkpoint.writeString(key, to: &writer)
            Checkpoint.write(result, to: &writer)
        }
        let waiting = pendingInOrder
        writer.writeUInt32(UInt32(waiting.count))
        for transaction in waiting {
            writer.writeInt64(transaction.half.rawValue)
            Checkpoint.writeString(transaction.producerGroup, to: &writer)
            writer.writeInt64(transaction.storeTimestamp)
            writer.writeInt32(transaction.checks)
            writer.writeInt64(transaction.lastCheck)
        }
    }

    /// Reads the section; `levels` is this build's configured level count, which must match.
    init(decoding reader: inout ByteReader, levels: Int, sentBackCapacity: Int) throws(DecodeError) {
        self.init(levels: levels, sentBackCapacity: sentBackCapacity)
        let at = reader.offset
        let count = Int(try reader.readUInt32("delay level count"))
        guard count == levels else {
            throw .invalidValue(
                field: "delay level count", offset: at,
                reason: "\(count) levels written, \(levels) configured (messageDelayLevel must not change)")
        }
        for level in 0..<count { delivered[level] = QueueOffset(try reader.readInt64("delivered offset")) }
        for _ in 0..<(try reader.readUInt32("send-back count")) {
            let keyAt = reader.offset
            let key = try reader.readShortString("send-back key")
            let result = try Checkpoint.readResult(&reader)
            guard sentBack.lookup(key) == nil else {
                throw .invalidValue(field: "send-back key", offset: keyAt, reason: "\(key) listed twice")
            }
            sentBack.record(key, result: result)
        }
        for _ in 0..<(try reader.readUInt32("pending transaction count")) {
            let offsetAt = reader.offset
            let half = PhysicalOffset(try reader.readInt64("half offset"))
            let group = try reader.readShortString("producer group")
            let stored = try reader.readInt64("half store timestamp")
            let checks = try reader.readInt32("checks")
            let last = try reader.readInt64("last check")
            guard pending[half] == nil else {
                throw .invalidValue(field: "half offset", offset: offsetAt, reason: "\(half) listed twice")
            }
            pending[half] = PendingTransaction(
                half: half, producerGroup: group, storeTimestamp: stored, checks: checks, lastCheck: last)
        }
    }
}

extension CommitLogStateMachine {
    /// Restores the message kinds' state from a checkpoint's or snapshot's section (`file` names
    /// it in errors); an empty section (a checkpoint older than version 6) is the empty state.
    func restoreKinds(_ section: [UInt8], file: String) throws(CommitLogError) {
        let levels = configuration.delayLevels.count
        guard !section.isEmpty else {
            kinds = MessageKindsState(levels: levels, sentBackCapacity: configuration.maxUniqueKeys)
            return
        }
        var reader = ByteReader(section)
        do {
            kinds = try MessageKindsState(
                decoding: &reader, levels: levels, sentBackCapacity: configuration.maxUniqueKeys)
            try reader.finish()
        } catch {
            throw .corruptCheckpoint(file: file, error)
        }
    }
}

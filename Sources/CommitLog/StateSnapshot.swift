import Bytes
import FileIO
import LedgerModel
import Raft

/// The state machine's metadata at one log index, without a message byte: what a node keeps so
/// retention may delete the log before that index, and what a leader sends a follower that
/// needs entries its log no longer holds (Raft's InstallSnapshot). Taken when the applied log
/// crosses a data-file boundary (`index` is the last entry of a file), so deleting that file
/// and those before it loses nothing the snapshot does not hold.
///
/// It also says where the log continues after `index` (`logPosition`, `logChain`): a follower
/// that installs it starts its log there, so later entries lie at the same positions (the
/// messages' physical offsets) on every replica.
///
/// Format (big-endian): `"SLSN"`, u8 version 1, u64 index, u64 term, u64 log position, u32 log
/// chain CRC, i64 last store timestamp, u32 state length, the state (a checkpoint, every unique
/// key written out with its result, FORMAT.md), u32 CRC32 of all preceding bytes.
public struct StateSnapshot: Sendable {
    static let magic: [UInt8] = Array("SLSN".utf8)
    static let version: UInt8 = 1
    /// Bytes before the state: enough to list snapshots without reading them whole.
    static let headerBytes = 4 + 1 + 8 + 8 + 8 + 4 + 8 + 4

    /// The last entry whose effects the snapshot holds.
    public let metadata: SnapshotMetadata
    /// Where the log continues after that entry, and its chained CRC.
    public let logPosition: UInt64
    public let logChain: UInt32
    /// The newest message's store time (ms) at the snapshot: how old the log before it is.
    public var lastStoreTimestamp: Int64 { state.lastStoreTimestamp }
    /// The state machine's digest after the snapshot's last entry.
    public var digest: UInt64 { state.digest }
    let state: Checkpoint

    init(metadata: SnapshotMetadata, logPosition: UInt64, logChain: UInt32, state: Checkpoint) {
        self.metadata = metadata
        self.logPosition = logPosition
        self.logChain = logChain
        self.state = state
    }

    /// What a list of snapshots needs of one.
    public var info: SnapshotInfo {
        SnapshotInfo(metadata: metadata, lastStoreTimestamp: state.lastStoreTimestamp, logPosition: logPosition)
    }

    public func encoded() -> [UInt8] {
        let body = state.encoded()
        var writer = ByteWriter(capacity: Self.headerBytes + body.count + 4)
        writer.writeRawBytes(Self.magic)
        writer.writeUInt8(Self.version)
        writer.writeUInt64(metadata.index.rawValue)
        writer.writeUInt64(metadata.term.rawValue)
        writer.writeUInt64(logPosition)
        writer.writeUInt32(logChain)
        writer.writeInt64(state.lastStoreTimestamp)
        writer.writeUInt32(UInt32(body.count))
        writer.writeRawBytes(body)
        writer.writeUInt32(CRC32.checksum(writer.bytes))
        return writer.bytes
    }

    /// Decodes and checks a whole snapshot (both CRCs, every field).
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        guard bytes.count >= Self.headerBytes + 4 else {
            throw .truncated(field: "snapshot", offset: 0, needed: Self.headerBytes + 4, available: bytes.count)
        }
        let stored: UInt32 = bytes.loadInteger(at: bytes.count - 4)
        let computed = CRC32.checksum(bytes[..<(bytes.count - 4)])
        guard stored == computed else {
            throw .invalidValue(
                field: "snapshot CRC", offset: bytes.count - 4, reason: "stored \(stored), computed \(computed)")
        }
        let header = try Self.header(bytes)
        var reader = ByteReader(bytes, to: bytes.count - 4)
        _ = try reader.readRawBytes(Self.headerBytes - 4, "header")
        let length = Int(try reader.readUInt32("state length"))
        guard length == bytes.count - 4 - Self.headerBytes else {
            throw .invalidValue(
                field: "state length", offset: Self.headerBytes - 4,
                reason: "\(length), but \(bytes.count - 4 - Self.headerBytes) bytes follow")
        }
        let state = try Checkpoint(decoding: Array(try reader.readRawBytes(length, "state")))
        guard state.appliedIndex == header.metadata.index, state.lastStoreTimestamp == header.lastStoreTimestamp else {
            throw .invalidValue(
                field: "state", offset: Self.headerBytes,
                reason: "holds index \(state.appliedIndex), the header \(header.metadata.index)")
        }
        self.init(metadata: header.metadata, logPosition: header.logPosition, logChain: header.logChain, state: state)
    }

    /// The header fields of a snapshot's first ``headerBytes`` bytes (not CRC-checked).
    static func header(_ bytes: [UInt8]) throws(DecodeError) -> (
        metadata: SnapshotMetadata, logPosition: UInt64, logChain: UInt32, lastStoreTimestamp: Int64
    ) {
        var reader = ByteReader(bytes, to: min(bytes.count, headerBytes))
        guard try reader.readRawBytes(4, "magic") == Self.magic else {
            throw .invalidValue(field: "magic", offset: 0, reason: "not a SwiftLedger state snapshot")
        }
        let version = try reader.readUInt8("version")
        guard version == Self.version else { throw .unsupportedVersion(found: version, supported: Self.version) }
        let index = LogIndex(try reader.readUInt64("index"))
        let term = Term(try reader.readUInt64("term"))
        let position = try reader.readUInt64("log position")
        let chain = try reader.readUInt32("log chain")
        return (SnapshotMetadata(index: index, term: term), position, chain, try reader.readInt64("last store time"))
    }
}

/// A snapshot a node holds durably, as retention and a leader's offers need it.
public struct SnapshotInfo: Sendable, Hashable {
    public var metadata: SnapshotMetadata
    /// The newest message's store time (ms) at the snapshot.
    public var lastStoreTimestamp: Int64
    /// Where the log continues after it: deleting the log before the snapshot deletes the
    /// records before this position.
    public var logPosition: UInt64

    public init(metadata: SnapshotMetadata, lastStoreTimestamp: Int64, logPosition: UInt64) {
        self.metadata = metadata
        self.lastStoreTimestamp = lastStoreTimestamp
        self.logPosition = logPosition
    }
}

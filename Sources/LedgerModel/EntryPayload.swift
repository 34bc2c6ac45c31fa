import Bytes
import Raft

/// What one Raft entry carries: a raw client append (`ledger append`, the plain replicated log),
/// the RocketMQ records of a send (``RecordsEntry``) or another CommitLog ``Command``. The first
/// byte tells them apart: `0x00` marks raw bytes, ``RecordsEntry/tag`` records; a command starts
/// with its format version (1 or more). The node and the simulator both encode
/// entries through this type, so every replica reads them the same way.
public enum EntryPayload: Hashable, Sendable {
    case raw([UInt8])
    /// A send's records; the entry's bytes are needed to read them (from `recordsStart`).
    case records(RecordsEntry)
    case command(Command)

    /// The tag byte of a raw entry.
    static let rawTag: UInt8 = 0

    /// The entry bytes for a raw append of `data`.
    public static func encodeRaw(_ data: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(data.count + 1)
        bytes.append(rawTag)
        bytes.append(contentsOf: data)
        return bytes
    }

    /// The entry bytes for `command`.
    public static func encode(_ command: Command) throws(EncodeError) -> [UInt8] {
        try command.encoded()
    }

    /// Reads an entry's bytes; throws ``DecodeError`` for an empty entry or a malformed command.
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        guard let first = bytes.first else { throw .truncated(field: "entry tag", offset: 0, needed: 1, available: 0) }
        if first == EntryPayload.rawTag {
            self = .raw(Array(bytes.dropFirst()))
        } else if first == RecordsEntry.tag {
            self = .records(try RecordsEntry(decodingHeader: bytes))
        } else {
            self = .command(try Command(decoding: bytes))
        }
    }
}

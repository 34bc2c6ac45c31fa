import Bytes
import LedgerModel
import Raft

/// One committed entry of the replicated log, as ``LedgerClient/get(_:)`` returns it, with its
/// envelope (``EntryPayload``) decoded: a raw append's bytes, or a message-store command.
public struct LedgerEntry: Sendable, Hashable {
    /// What an entry holds.
    public enum Content: Sendable, Hashable {
        /// The empty entry each new leader appends.
        case noop
        /// A raw append (`ledger append`): the bytes the client appended.
        case raw([UInt8])
        /// A send: its RocketMQ records (the messages as the log stores them).
        case records(RecordsEntry, [StoredMessage])
        /// A message-store command (an offset commit).
        case command(Command)
        /// Bytes that are neither (written by another build?), and why they do not decode.
        case undecodable(String)
    }

    public var index: LogIndex
    /// The term of the leader that appended it.
    public var term: Term
    /// `.noop` for the empty entry each new leader appends; `.normal` for client data.
    public var kind: EntryKind
    public var content: Content

    /// A raw entry holding `data` (or a no-op, which holds nothing).
    public init(index: LogIndex, term: Term, kind: EntryKind, data: [UInt8]) {
        self.index = index
        self.term = term
        self.kind = kind
        content = kind == .noop ? .noop : .raw(data)
    }

    /// The entry whose log bytes are `entryBytes`, decoded.
    public init(index: LogIndex, term: Term, kind: EntryKind, entryBytes: [UInt8]) {
        self.index = index
        self.term = term
        self.kind = kind
        if kind == .noop {
            content = .noop
            return
        }
        do {
            switch try EntryPayload(decoding: entryBytes) {
            case .raw(let data): content = .raw(data)
            case .records(let header):
                var messages: [StoredMessage] = []
                var at = header.recordsStart
                for _ in 0..<header.count {
                    let message = try StoredMessage(decoding: entryBytes, at: at)
                    messages.append(message)
                    at += message.storeSize
                }
                content = .records(header, messages)
            case .command(let command): content = .command(command)
            }
        } catch {
            content = .undecodable(error.description)
        }
    }

    /// The bytes of a raw append; empty for any other entry.
    public var data: [UInt8] {
        if case .raw(let bytes) = content { return bytes }
        return []
    }

    /// `raw`, `command` (a send's records too), `noop` or `undecodable`.
    public var typeName: String {
        switch content {
        case .raw: "raw"
        case .records, .command: "command"
        case .noop: "noop"
        case .undecodable: "undecodable"
        }
    }

    /// One line describing a non-raw entry (`no-op`, the command, or why it does not decode);
    /// nil for a raw entry, whose data speaks for itself.
    public var summary: String? {
        switch content {
        case .raw: nil
        case .noop: "no-op (a new leader's first entry)"
        case .records(let header, let messages):
            (messages.map {
                "send to \($0.topic) queue \($0.queueID) offset \($0.queueOffset) (\($0.body.count) bytes)"
            }
                + (header.producer.map { [$0.description] } ?? [])).joined(separator: "; ")
        case .command(let command): command.description
        case .undecodable(let reason): "undecodable entry: \(reason)"
        }
    }
}

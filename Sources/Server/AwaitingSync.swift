import Raft

/// What a handled ready still owes once its entries are durable: the core learns they are
/// (``lastEntry``), and the messages that promise durability (votes, append responses) leave.
struct AwaitingSync {
    /// The ready's last entry, if it had entries.
    let lastEntry: (index: LogIndex, term: Term)?
    let messagesAfterPersist: [Message]

    init(_ ready: Ready) {
        lastEntry = ready.entries.last.map { ($0.index, $0.term) }
        messagesAfterPersist = ready.messagesAfterPersist
    }
}

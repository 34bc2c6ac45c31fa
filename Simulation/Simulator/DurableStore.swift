import FileIO
import Raft

/// The durable half of one node's storage, as the simulator drives it: the core reads
/// `raftStorage`; the node writes each ``Ready``'s entries and hard state here once the
/// simulated write completes; a crash keeps only what was synced.
///
/// ``LogStoreDisk`` (the real log store over a simulated file system) implements it.
public protocol DurableStore: AnyObject {
    /// The file system the node's CommitLog lives on; ``crash()`` hits it too.
    var stateMachineFileSystem: any FileSystem { get }
    /// The storage a `RaftCore` is built over.
    var raftStorage: any RaftStorage { get }
    /// The hard state that would survive a crash now.
    var durableHardState: HardState { get }
    /// The last index that would survive a crash now.
    var durableLastIndex: LogIndex { get }
    /// The term of the entry at `index` that would survive a crash now; nil past the end.
    func durableTerm(at index: LogIndex) -> Term?
    /// Writes a ready's entries without syncing them, when the ready is taken; ``write(entries:hardState:sync:)``
    /// makes them durable when the simulated write completes. A crash in between may lose them.
    func stage(_ entries: [Entry]) throws(StorageFailure)
    /// Completes one ready's writes: its staged entries and `hardState` become durable. With
    /// `sync` the write is durable on return; without it (a commit-only hard state), it is
    /// durable only once a later synced write returns. Entries are always written with `sync`.
    func write(entries: [Entry], hardState: HardState?, sync: Bool) throws(StorageFailure)
    /// The process died: everything not yet durable is gone. Throws when the disk cannot
    /// recover what was durable.
    func crash() throws(StorageFailure)
    /// What recovery found at the last start, for the event log.
    var lastRecovery: String { get }
}

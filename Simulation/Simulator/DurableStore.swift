import Raft

/// The durable half of one node's storage, as the simulator drives it: the core reads
/// `raftStorage`; the node writes each ``Ready``'s entries and hard state here once the
/// simulated write completes; a crash keeps only what was synced.
///
/// ``SimulatedDisk`` is the in-memory model. A store over a simulated file system (the durable
/// LogStore) can take its place behind this protocol.
public protocol DurableStore: AnyObject {
    /// The storage a `RaftCore` is built over.
    var raftStorage: any RaftStorage { get }
    /// The hard state that would survive a crash now.
    var durableHardState: HardState { get }
    /// The last index that would survive a crash now.
    var durableLastIndex: LogIndex { get }
    /// The term of the entry at `index` that would survive a crash now; nil past the end.
    func durableTerm(at index: LogIndex) -> Term?
    /// Applies one ready's writes: discard stored entries at index ≥ `entries.first.index`,
    /// append `entries`, save `hardState`. With `sync` the write is durable on return;
    /// without it, it is durable only once a later synced write returns. Entries are always
    /// written with `sync`.
    func write(entries: [Entry], hardState: HardState?, sync: Bool) throws(StorageFailure)
    /// The process died: everything not yet durable is gone.
    func crash()
}

/// An in-memory disk: a ``MemoryStorage`` holds the durable state; a hard state written
/// without sync waits in a page cache until the next synced write, and a crash drops it.
public final class SimulatedDisk: DurableStore {
    private let storage: MemoryStorage
    private var cachedHardState: HardState?

    public init() { storage = MemoryStorage() }

    public var raftStorage: any RaftStorage { storage }
    public var durableHardState: HardState { storage.hardState }
    public var durableLastIndex: LogIndex { storage.lastIndex }
    public func durableTerm(at index: LogIndex) -> Term? { storage.term(at: index) }

    public func write(entries: [Entry], hardState: HardState?, sync: Bool) throws(StorageFailure) {
        precondition(sync || entries.isEmpty, "entries are always written with sync")
        guard sync else {
            if let hardState { cachedHardState = hardState }
            return
        }
        storage.append(entries)
        if let state = hardState ?? cachedHardState { storage.setHardState(state) }
        cachedHardState = nil
    }

    public func crash() { cachedHardState = nil }

    /// Every durable entry, in order.
    public var durableEntries: [Entry] { storage.allEntries }
}

import FileIO
import LogStore
import Raft

/// A node's disk as production has it: the real ``LogStore`` over a ``SimulatedFileSystem``,
/// and a second simulated file system for the node's CommitLog files, crashed at the same
/// moment. (One file system would model the same thing; two keep the Raft log's directory syncs,
/// which cost `SimulatedFileSystem` a pass over every file it holds, from paying for the
/// CommitLog's files.)
///
/// The replica writes a ready's entries (`pwrite`, page cache only) when it takes the ready; they
/// become durable when the sync it asks for completes, so a crash in between loses them — and
/// may tear the last write, leaving a partial or zeroed record for recovery to cut. A crash
/// reopens the store through its real recovery; recovery that loses a synced entry, or finds
/// corruption, is reported as a storage failure.
final class LogStoreDisk {
    /// The Raft log's file system: syncs run on it.
    let raftFileSystem: SimulatedFileSystem
    /// The CommitLog's file system: persists run on it.
    let stateMachineFileSystem: SimulatedFileSystem
    private var crashRNG: SplitMix64
    /// The store of the current incarnation (reopened by every crash).
    private(set) var store: LogStore
    private static let directory = "/node"
    /// Small files, so runs cross file boundaries and checkpoints often.
    private static let configuration = LogStoreConfiguration(
        dataFileSize: 64 << 10, indexEntriesPerFile: 256, flushPolicy: .syncFlush, cacheBytes: 16 << 10,
        checkpointIntervalBytes: 32 << 10, preallocate: false)

    init(seed: UInt64) throws(StorageFailure) {
        var rng = SplitMix64(seed: seed)
        raftFileSystem = SimulatedFileSystem(seed: rng.next())
        crashRNG = rng.fork()
        stateMachineFileSystem = SimulatedFileSystem(seed: rng.next())
        do {
            try raftFileSystem.makeDirectory(Self.directory)
            store = try LogStore(
                directory: Self.directory, fileSystem: raftFileSystem, configuration: Self.configuration)
        } catch {
            throw StorageFailure("cannot create the log store: \(error)")
        }
    }

    /// The hard state that would survive a crash now.
    var durableHardState: HardState { store.hardState }
    /// The last index that would survive a crash now.
    var durableLastIndex: LogIndex { store.durableIndex }

    /// The term of the entry at `index` that would survive a crash now; nil past the end.
    func durableTerm(at index: LogIndex) -> Term? {
        index <= store.durableIndex ? store.term(at: index) : nil
    }

    /// The process died: everything not yet durable is gone, the store is reopened through
    /// recovery. Throws when recovery cannot keep what was durable.
    func crash() throws(StorageFailure) {
        let synced = store.durableIndex
        let syncedTerm = store.term(at: synced)
        raftFileSystem.crash(&crashRNG)
        stateMachineFileSystem.crash(&crashRNG)
        do {
            store = try LogStore(
                directory: Self.directory, fileSystem: raftFileSystem, configuration: Self.configuration)
        } catch {
            throw StorageFailure("recovery after a crash failed: \(error)")
        }
        guard store.lastIndex >= synced, store.term(at: synced) == syncedTerm else {
            throw StorageFailure(
                "recovery lost synced entries: \(synced) (term \(syncedTerm.map(String.init(describing:)) ?? "-")) "
                    + "was durable, the recovered log ends at \(store.lastIndex) (\(store.recovery))")
        }
    }

    /// What the last recovery found, for the event log.
    var lastRecovery: String { store.recovery.description }
}

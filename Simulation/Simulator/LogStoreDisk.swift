import FileIO
import LogStore
import Raft

/// A node's disk as production has it: the real ``LogStore`` over a ``SimulatedFileSystem``,
/// and a second simulated file system for the node's CommitLog files, crashed at the same
/// moment. (One file system would model the same thing; two keep the Raft log's directory syncs,
/// which cost `SimulatedFileSystem` a pass over every file it holds, from paying for the
/// CommitLog's files.)
///
/// A ready's entries are written (`pwrite`, page cache only) as soon as the ready is taken and
/// synced when the simulated write completes, so a crash in between loses them — and may tear
/// the last write, leaving a partial or zeroed record for recovery to cut. A crash reopens the
/// store through its real recovery; recovery that loses a synced entry, or finds corruption, is
/// reported as a storage failure.
public final class LogStoreDisk: DurableStore {
    private let simulatedFileSystem: SimulatedFileSystem
    private let commitLogFileSystem: SimulatedFileSystem
    private var crashRNG: SplitMix64
    private(set) var store: LogStore
    /// A hard state whose write did not need a sync (a commit-only change): it reaches the disk
    /// with the next synced write, or is lost in a crash.
    private var cachedHardState: HardState?
    private static let directory = "/node"
    /// Small files, so runs cross file boundaries and checkpoints often.
    private static let configuration = LogStoreConfiguration(
        dataFileSize: 64 << 10, indexEntriesPerFile: 256, flushPolicy: .syncFlush, cacheBytes: 16 << 10,
        checkpointIntervalBytes: 32 << 10, preallocate: false)

    public init(seed: UInt64) throws(StorageFailure) {
        var rng = SplitMix64(seed: seed)
        simulatedFileSystem = SimulatedFileSystem(seed: rng.next())
        crashRNG = rng.fork()
        commitLogFileSystem = SimulatedFileSystem(seed: rng.next())
        do {
            try simulatedFileSystem.makeDirectory(Self.directory)
            store = try LogStore(
                directory: Self.directory, fileSystem: simulatedFileSystem, configuration: Self.configuration)
        } catch {
            throw StorageFailure("cannot create the log store: \(error)")
        }
    }

    public var stateMachineFileSystem: any FileSystem { commitLogFileSystem }
    public var raftStorage: any RaftStorage { store }
    public var durableHardState: HardState { store.hardState }
    public var durableLastIndex: LogIndex { store.durableIndex }

    public func durableTerm(at index: LogIndex) -> Term? {
        index <= store.durableIndex ? store.term(at: index) : nil
    }

    public func stage(_ entries: [Entry]) throws(StorageFailure) {
        do { try store.append(entries) } catch { throw StorageFailure("append failed: \(error)") }
    }

    public func write(entries: [Entry], hardState: HardState?, sync: Bool) throws(StorageFailure) {
        guard sync else {
            if let hardState { cachedHardState = hardState }
            return
        }
        do {
            // Entries first, then the hard state: a saved commit never outruns the durable log.
            try store.sync()
            if let state = hardState ?? cachedHardState { try store.saveHardState(state) }
        } catch {
            throw StorageFailure("synced write failed: \(error)")
        }
        cachedHardState = nil
    }

    public func crash() throws(StorageFailure) {
        let synced = store.durableIndex
        let syncedTerm = store.term(at: synced)
        simulatedFileSystem.crash(&crashRNG)
        commitLogFileSystem.crash(&crashRNG)
        cachedHardState = nil
        do {
            store = try LogStore(
                directory: Self.directory, fileSystem: simulatedFileSystem, configuration: Self.configuration)
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
    public var lastRecovery: String { store.recovery.description }
}

import FileIO
import Posix
import Raft

extension LogStore {
    /// Where a log continues after a snapshot: entry `snapshot.index` (term `snapshot.term`)
    /// ended at log position `position` with chained CRC `chain`. On a leader that holds the
    /// entry these come from ``recordEnd(of:)`` and ``chainCRC(at:)``; a follower that installs the
    /// snapshot starts its log there, so every later entry lies at the same position and chains
    /// to the same CRC as on the leader.
    public struct Continuation: Sendable, Hashable {
        public var snapshot: SnapshotMetadata
        public var position: UInt64
        public var chain: UInt32

        public init(snapshot: SnapshotMetadata, position: UInt64, chain: UInt32) {
            self.snapshot = snapshot
            self.position = position
            self.chain = chain
        }
    }

    /// How this log continues after entry `index` (in `firstIndex.previous...lastIndex`).
    public func continuation(after index: LogIndex) throws(LogStoreError) -> Continuation {
        guard let term = term(at: index) else {
            preconditionFailure("entry \(index) outside the log \(firstIndex)...\(lastIndex)")
        }
        return Continuation(
            snapshot: SnapshotMetadata(index: index, term: term), position: try recordEnd(of: index),
            chain: try chainCRC(at: index))
    }

    /// Discards every entry and makes the log start after a leader's snapshot (Raft §7,
    /// InstallSnapshot): the first index becomes `continuation.snapshot.index + 1`, the next
    /// record goes at `continuation.position` and chains from `continuation.chain`. Durable
    /// before it returns: every data and index file is unlinked, the data file that will hold the
    /// next record is created, and a checkpoint describing the empty log is written, so recovery
    /// reopens exactly this. Only when no sync is in flight (the owner orders it).
    public func reset(to continuation: Continuation) throws(LogStoreError) {
        try checkHealthy()
        let snapshot = continuation.snapshot
        precondition(snapshot.index > .zero, "resetting the log to the initial snapshot")
        try mutate("resetting \(directory) to start after \(snapshot)") { () throws(SystemError) in
            try data.removeFiles(from: 0, fs)
            try index.removeFiles(before: UInt64.max, fs)
            _ = try data.create(
                start: data.fileStart(for: continuation.position), fs, preallocate: configuration.preallocate)
            try data.sync(fs)
            try index.sync(fs)
        }
        cache.removeAll()
        terms = TermRuns([TermRun(first: snapshot.index.rawValue, term: snapshot.term.rawValue)])
        firstIndex = snapshot.index.next
        lastIndex = snapshot.index
        firstPosition = continuation.position
        writePosition = continuation.position
        syncedPosition = continuation.position
        prefixChain = continuation.chain
        lastChainCRC = continuation.chain
        durableChain = continuation.chain
        durableIndex = snapshot.index
        try writeCheckpoint()
    }
}

import Bytes
import FileIO
import Foundation
import Raft
import Testing

@testable import LogStore

@Suite struct HardStateTests {
    let old = HardState(term: Term(3), vote: NodeID(2), commit: LogIndex(7))
    let new = HardState(term: Term(4), vote: nil, commit: LogIndex(9))

    func reopen(_ fs: SimulatedFileSystem) throws -> LogStore {
        try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
    }

    @Test func crashBeforeTheRenameKeepsTheOldState() throws {
        let fs = SimulatedFileSystem(seed: 1)
        var rng = SplitMix64(seed: 1)
        let store = try reopen(fs)
        try store.saveHardState(old)
        fs.failNext(.rename, pathContaining: "hardstate")
        #expect(throws: LogStoreError.self) { try store.saveHardState(new) }
        // The store has failed for good.
        #expect(throws: LogStoreError.self) { try store.append(entries(from: 1, count: 1, term: 4)) }
        fs.crash(&rng)
        let recovered = try reopen(fs)
        #expect(recovered.hardState == old)
    }

    @Test func crashBeforeTheDirectorySyncKeepsOldOrNew() throws {
        for seed in UInt64(0)..<20 {
            let fs = SimulatedFileSystem(seed: seed)
            var rng = SplitMix64(seed: seed)
            let store = try reopen(fs)
            try store.saveHardState(old)
            fs.failNext(.syncDirectory, pathContaining: "/store")
            #expect(throws: LogStoreError.self) { try store.saveHardState(new) }
            fs.crash(&rng)
            let recovered = try reopen(fs)
            #expect(recovered.hardState == old || recovered.hardState == new, "seed \(seed)")
            #expect(try fs.listDirectory("/store").allSatisfy { !$0.hasSuffix(".tmp") }, "seed \(seed)")
        }
    }

    @Test func leftoverTemporaryFileIsRemoved() throws {
        let fs = SimulatedFileSystem(seed: 2)
        var rng = SplitMix64(seed: 2)
        let store = try reopen(fs)
        try store.saveHardState(old)
        fs.failNext(.rename, pathContaining: "hardstate")
        #expect(throws: LogStoreError.self) { try store.saveHardState(new) }
        try fs.syncDirectory("/store")  // the temporary file's name survives the crash
        fs.crash(&rng)
        let recovered = try reopen(fs)
        #expect(recovered.hardState == old)
        #expect(recovered.recovery.removedTemporaryFiles == ["hardstate.tmp"])
    }

    @Test func damagedHardStateIsAnError() throws {
        let fs = SimulatedFileSystem(seed: 3)
        try reopen(fs).saveHardState(old)
        let file = try fs.open("/store/hardstate", create: false)
        try fs.write(file, at: 9, [0xFF])
        #expect {
            _ = try reopen(fs)
        } throws: { error in
            "\(error)".contains("/store/hardstate")
        }
    }
}

@Suite struct LayoutTests {
    @Test func indexIsRebuiltWhenDeleted() throws {
        let fs = SimulatedFileSystem(seed: 4)
        let log = entries(from: 1, count: 70, term: 2, size: 150)
        var store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        for batch in stride(from: 0, to: 70, by: 10) { try store.append(Array(log[batch..<(batch + 10)])) }
        try store.close()
        let names = try fs.listDirectory("/store/index")
        #expect(names.count == 5)
        for name in names { try fs.unlink("/store/index/\(name)") }
        store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration(cacheBytes: 0))
        #expect(store.recovery.indexRebuilt)
        #expect(try fs.listDirectory("/store/index") == names)
        #expect(try store.readEntries(from: LogIndex(1), through: LogIndex(70), maxBytes: .max) == log)
    }

    @Test func filesRollOverWithBlankPaddingAndReadsSpanThem() throws {
        let fs = SimulatedFileSystem(seed: 5)
        let log = entries(from: 1, count: 10, term: 1, size: 1000)  // 1056-byte records, 3 per 4 KiB file
        var store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration(cacheBytes: 0))
        try store.append(log)
        try store.sync()
        #expect(
            try fs.listDirectory("/store/data") == [0, 4096, 8192, 12288].map { SegmentedFileName.name(start: $0) })
        let first = try #require(fs.contents(of: "/store/data/\(SegmentedFileName.name(start: 0))"))
        #expect(first.count == 4096)
        #expect(first.loadInteger(at: 3 * 1056, as: UInt32.self, .little) == Blank.magic)
        #expect(first.loadInteger(at: 3 * 1056 + 4, as: UInt32.self, .little) == UInt32(4096 - 3 * 1056))
        #expect(try store.readEntries(from: LogIndex(2), through: LogIndex(9), maxBytes: .max) == Array(log[1..<9]))
        #expect(try store.readEntries(from: LogIndex(1), through: LogIndex(10), maxBytes: 3000).count == 2)
        // Ten records and the three 8-byte blank markers that end the full files: bytes written.
        #expect(store.appendedBytes == 10 * 1056 + 3 * UInt64(Blank.size))
        #expect(store.appendedBatches == 1)
        try store.close()
        store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration(cacheBytes: 0))
        #expect(try store.readEntries(from: LogIndex(1), through: LogIndex(10), maxBytes: .max) == log)
        #expect(store.lastChainCRC == expectedChains(log).last)
    }

    /// Where an entry lies is a function of the entries before it alone (physical offsets of
    /// messages are log positions, equal on every replica): a shorter entry replacing one that
    /// began the next file after a blank lies where the same entry lies on a log that never
    /// held the longer one, after a truncation and after a recovery that finds the blank last.
    @Test func positionsDependOnlyOnThePrecedingEntries() throws {
        let long = entries(from: 1, count: 4, term: 1, size: 1000)  // 1056-byte records, 3 per 4 KiB file
        let short = Entry(index: LogIndex(4), term: Term(2), data: [UInt8](repeating: 7, count: 100))
        let reference = try LogStore(
            directory: "/store", fileSystem: SimulatedFileSystem(seed: 9), configuration: smallConfiguration())
        try reference.append(Array(long[..<3]) + [short])
        let expected = try reference.position(of: LogIndex(4))
        #expect(expected == 3 * 1056, "the short entry fits the first file")
        #expect(
            LogStore.placement(ofRecordBytes: 156, after: try reference.recordEnd(of: LogIndex(3)), fileSize: 4096)
                == expected)

        let fs = SimulatedFileSystem(seed: 10)
        var store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        try store.append(long)
        #expect(try store.position(of: LogIndex(4)) == 4096, "the long entry began the next file")
        try store.append([short])
        #expect(try store.position(of: LogIndex(4)) == expected, "after a truncation")

        // A crash that keeps the blank but not the record after it: recovery continues where
        // the last record ends.
        let crashed = SimulatedFileSystem(seed: 11)
        store = try LogStore(directory: "/store", fileSystem: crashed, configuration: smallConfiguration())
        try store.append(long)
        try store.sync()
        try store.close()
        let file = try crashed.open("/store/data/\(SegmentedFileName.name(start: 4096))", create: false)
        try crashed.truncate(file, to: 0)
        try crashed.close(file)
        store = try LogStore(directory: "/store", fileSystem: crashed, configuration: smallConfiguration())
        #expect(store.lastIndex == LogIndex(3))
        #expect(store.endPosition == 3 * 1056)
        try store.append([short])
        #expect(try store.position(of: LogIndex(4)) == expected, "after recovery")
    }

    @Test func dropPrefixRemovesWholeFilesAndSurvivesReopen() throws {
        let fs = SimulatedFileSystem(seed: 6)
        let log = entries(from: 1, count: 12, term: 1, size: 1000)
        var store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        try store.append(log)
        #expect(try store.dropPrefix(before: LogIndex(8)) == LogIndex(7))
        #expect(store.firstIndex == LogIndex(7) && store.term(at: LogIndex(6)) == Term(1))
        #expect(try store.chainCRC(at: LogIndex(6)) == expectedChains(log)[5])
        try store.close()
        store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        #expect(store.firstIndex == LogIndex(7) && store.lastIndex == LogIndex(12))
        #expect(try fs.listDirectory("/store/data").first == SegmentedFileName.name(start: 8192))
        #expect(try store.readEntries(from: LogIndex(7), through: LogIndex(12), maxBytes: .max) == Array(log[6...]))
    }

    /// A follower that installs a leader's snapshot continues its log exactly where the
    /// leader's does: same positions, same chain, and so after a reopen.
    @Test func resetContinuesWhereTheLeadersLogDoes() throws {
        let log = entries(from: 1, count: 12, term: 1, size: 1000) + entries(from: 13, count: 3, term: 2, size: 300)
        let leader = try LogStore(
            directory: "/store", fileSystem: SimulatedFileSystem(seed: 12), configuration: smallConfiguration())
        try leader.append(log)
        let continuation = try leader.continuation(after: LogIndex(8))
        #expect(continuation.snapshot == SnapshotMetadata(index: LogIndex(8), term: Term(1)))

        let fs = SimulatedFileSystem(seed: 13)
        var follower = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        try follower.append(entries(from: 1, count: 5, term: 1, size: 10))  // an old, shorter log
        try follower.reset(to: continuation)
        #expect(follower.firstIndex == LogIndex(9) && follower.lastIndex == LogIndex(8))
        #expect(follower.term(at: LogIndex(8)) == Term(1) && follower.snapshot == continuation.snapshot)
        try follower.append(Array(log[8...]))
        for index in 9...15 {
            #expect(try follower.position(of: LogIndex(UInt64(index))) == leader.position(of: LogIndex(UInt64(index))))
        }
        #expect(follower.lastChainCRC == leader.lastChainCRC)
        try follower.sync()
        try follower.close()
        follower = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        #expect(follower.firstIndex == LogIndex(9) && follower.lastIndex == LogIndex(15))
        #expect(follower.lastChainCRC == leader.lastChainCRC)
        #expect(try follower.readEntries(from: LogIndex(9), through: LogIndex(15), maxBytes: .max) == Array(log[8...]))

        // Reset and reopened before any entry follows: an empty log that starts after the snapshot.
        let empty = SimulatedFileSystem(seed: 14)
        var fresh = try LogStore(directory: "/store", fileSystem: empty, configuration: smallConfiguration())
        try fresh.reset(to: continuation)
        try fresh.close()
        fresh = try LogStore(directory: "/store", fileSystem: empty, configuration: smallConfiguration())
        #expect(fresh.firstIndex == LogIndex(9) && fresh.lastIndex == LogIndex(8))
        #expect(fresh.endPosition == continuation.position && fresh.lastChainCRC == continuation.chain)
    }

    /// The index is derived: files written with another number of entries per file (a changed
    /// data file size sizes the index too) are rebuilt from the data files.
    @Test func anIndexOfAnotherLayoutIsRebuilt() throws {
        let fs = SimulatedFileSystem(seed: 15)
        let log = entries(from: 1, count: 40, term: 1, size: 10)
        var store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        try store.append(log)
        try store.sync()
        try store.close()
        var other = smallConfiguration()
        other.indexEntriesPerFile = 24
        store = try LogStore(directory: "/store", fileSystem: fs, configuration: other)
        #expect(store.recovery.indexRebuilt)
        #expect(try store.readEntries(from: LogIndex(1), through: LogIndex(40), maxBytes: .max) == log)
        #expect(try fs.listDirectory("/store/index") == [1, 25].map { SegmentedFileName.name(start: UInt64($0)) })
    }

    /// Retention on a disk too full for the checkpoint that must come first deletes nothing,
    /// and the store goes on; once there is space the same drop succeeds.
    @Test func aPrefixDropOnAFullDiskDeletesNothingAndTheStoreGoesOn() throws {
        let fs = SimulatedFileSystem(seed: 16)
        let log = entries(from: 1, count: 12, term: 1, size: 1000)
        var store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        try store.append(log)
        try store.sync()
        let files = try fs.listDirectory("/store/data")
        fs.failNext(.write, pathContaining: "checkpoint", errno: ENOSPC)
        #expect {
            try store.dropPrefix(before: LogIndex(8))
        } throws: { error in
            guard case .outOfSpace = error as? LogStoreError else { return false }
            return "\(error)".contains("disk full") && "\(error)".contains("nothing was lost")
        }
        #expect(store.firstIndex == LogIndex(1))
        #expect(try fs.listDirectory("/store/data") == files)
        #expect(try store.readEntries(from: LogIndex(1), through: LogIndex(12), maxBytes: .max) == log)
        let more = entries(from: 13, count: 2, term: 1, size: 1000)
        try store.append(more)
        try store.sync()

        #expect(try store.dropPrefix(before: LogIndex(8)) == LogIndex(7))
        try store.close()
        store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        #expect(store.firstIndex == LogIndex(7) && store.lastIndex == LogIndex(14))
        #expect(
            try store.readEntries(from: LogIndex(7), through: LogIndex(14), maxBytes: .max) == Array((log + more)[6...])
        )
    }

    @Test func wrongFileSizeIsRejected() throws {
        let fs = SimulatedFileSystem(seed: 7)
        let store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        try store.append(entries(from: 1, count: 3, term: 1))
        try store.close()
        #expect(throws: LogStoreError.self) {
            _ = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration(dataFileSize: 8192))
        }
    }

    @Test func oversizedEntryIsRejected() throws {
        let store = try LogStore(
            directory: "/store", fileSystem: SimulatedFileSystem(seed: 8), configuration: smallConfiguration())
        #expect(throws: LogStoreError.entryTooLarge(index: LogIndex(1), bytes: 5056, limit: 4096)) {
            try store.append(entries(from: 1, count: 1, term: 1, size: 5000))
        }
    }
}

@Suite struct FlushAndFailureTests {
    @Test func failedSyncFailsTheStoreForGood() throws {
        let fs = SimulatedFileSystem(seed: 9)
        let store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        try store.append(entries(from: 1, count: 3, term: 1))
        fs.failNext(.sync, pathContaining: "/data/")
        #expect {
            try store.sync()
        } throws: { error in
            "\(error)".contains("fdatasync") && "\(error)".contains("Input/output error")
        }
        #expect(throws: LogStoreError.self) { try store.sync() }
        #expect(throws: LogStoreError.self) { _ = try store.entry(at: LogIndex(1)) }
        #expect(throws: StorageFailure.self) {
            _ = try store.entries(from: LogIndex(1), through: LogIndex(1), maxBytes: 0)
        }
        #expect(store.durableIndex == .zero)
    }

    @Test func asyncFlushSyncsOnlyWhenTheIntervalHasPassed() throws {
        let fs = SimulatedFileSystem(seed: 10)
        let store = try LogStore(
            directory: "/store", fileSystem: fs,
            configuration: smallConfiguration(flushPolicy: .asyncFlush(intervalMilliseconds: 500)))
        #expect(try store.flushIfDue(nowMilliseconds: 1000) == false)
        try store.append(entries(from: 1, count: 4, term: 1))
        #expect(try store.flushIfDue(nowMilliseconds: 1200) == false)
        #expect(store.needsSync && store.durableIndex == .zero)
        #expect(try store.flushIfDue(nowMilliseconds: 1500) == true)
        #expect(!store.needsSync && store.durableIndex == LogIndex(4))
        #expect(try store.flushIfDue(nowMilliseconds: 5000) == false)
    }

    @Test func injectedReadErrorsSurfaceAsStorageFailure() throws {
        let fs = SimulatedFileSystem(seed: 11)
        let store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration(cacheBytes: 0))
        try store.append(entries(from: 1, count: 5, term: 1))
        fs.faults = .init(readErrorsPerMillion: 1_000_000)
        #expect(throws: StorageFailure.self) {
            _ = try store.entries(from: LogIndex(1), through: LogIndex(2), maxBytes: .max)
        }
        fs.faults = .init()
        #expect(try store.entries(from: LogIndex(1), through: LogIndex(2), maxBytes: .max).count == 2)
    }
}

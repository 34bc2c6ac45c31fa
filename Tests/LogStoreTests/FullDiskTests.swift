import FileIO
import Glibc
import Posix
import Raft
import Testing

@testable import LogStore

/// A disk that refuses the log's own writes (`ENOSPC` from a `pwrite` or a new file's
/// `fallocate`) is a state the store survives: the refused call changes nothing the store
/// claims, later calls work, the same entries are appended once space is freed, and a crash at
/// any point recovers exactly what was durable.
@Suite struct FullDiskTests {
    /// Appends a batch large enough to need new pages (and a new data file), on a full disk.
    @Test func anAppendRefusedForAFullDiskLeavesTheLogAsItWasAndCanBeRepeated() throws {
        let fs = SimulatedFileSystem(seed: 21)
        let store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        let first = entries(from: 1, count: 5, term: 1, size: 500)
        try store.append(first)
        try store.sync()
        let (lastIndex, chain, durable) = (store.lastIndex, store.lastChainCRC, store.durableIndex)

        fs.isFull = true
        let more = entries(from: 6, count: 12, term: 2, size: 700)
        #expect {
            try store.append(more)
        } throws: { error in
            guard case .outOfSpace(let cause, _) = error as? LogStoreError else { return false }
            return cause.errno == ENOSPC && "\(error)".contains("disk full") && "\(error)".contains("nothing was lost")
        }
        #expect(store.lastIndex == lastIndex && store.lastChainCRC == chain && store.durableIndex == durable)
        #expect(try store.readEntries(from: LogIndex(1), through: LogIndex(5), maxBytes: .max) == first)
        // The hard state cannot be saved either, and the saved one stays.
        let saved = store.hardState
        #expect {
            try store.saveHardState(HardState(term: Term(2), vote: NodeID(1), commit: LogIndex(5)))
        } throws: { error in
            guard case .outOfSpace = error as? LogStoreError else { return false }
            return true
        }
        #expect(store.hardState == saved)

        fs.isFull = false
        try store.append(more)
        try store.saveHardState(HardState(term: Term(2), vote: NodeID(1), commit: LogIndex(5)))
        try store.sync()
        #expect(store.durableIndex == LogIndex(17))
        try store.close()
        let reopened = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        #expect(reopened.lastIndex == LogIndex(17))
        #expect(try reopened.readEntries(from: LogIndex(1), through: LogIndex(17), maxBytes: .max) == first + more)
        #expect(reopened.hardState == HardState(term: Term(2), vote: NodeID(1), commit: LogIndex(5)))
    }

    /// A short write leaves bytes after the log's end; a crash then recovers the durable log,
    /// whatever survived of them.
    @Test func aCrashAfterARefusedAppendRecoversTheDurableLog() throws {
        for seed in UInt64(1)...20 {
            let fs = SimulatedFileSystem(seed: seed)
            var rng = SplitMix64(seed: seed)
            let store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
            let durable = entries(from: 1, count: 3, term: 1, size: 900)
            try store.append(durable)
            try store.sync()
            fs.isFull = true
            #expect(throws: LogStoreError.self) { try store.append(entries(from: 4, count: 9, term: 1, size: 900)) }
            fs.crash(&rng)
            fs.isFull = false
            let recovered = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
            #expect(recovered.lastIndex >= LogIndex(3), "seed \(seed)")
            #expect(
                try recovered.readEntries(from: LogIndex(1), through: LogIndex(3), maxBytes: .max) == durable,
                "seed \(seed)")
        }
    }

    /// A truncation whose checkpoint must be replaced first cuts nothing on a full disk.
    @Test func aTruncationThatCannotReplaceTheCheckpointCutsNothing() throws {
        let fs = SimulatedFileSystem(seed: 9)
        let store = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        let log = entries(from: 1, count: 10, term: 1, size: 1000)
        try store.append(log)
        try store.sync()
        fs.isFull = true
        #expect {
            try store.append(entries(from: 6, count: 2, term: 2, size: 1000))
        } throws: { error in
            guard case .outOfSpace = error as? LogStoreError else { return false }
            return true
        }
        #expect(store.lastIndex == LogIndex(10) && store.durableIndex == LogIndex(10))
        #expect(try store.readEntries(from: LogIndex(1), through: LogIndex(10), maxBytes: .max) == log)
        fs.isFull = false
        let replacement = entries(from: 6, count: 2, term: 2, size: 1000)
        try store.append(replacement)
        try store.sync()
        try store.close()
        let reopened = try LogStore(directory: "/store", fileSystem: fs, configuration: smallConfiguration())
        #expect(
            try reopened.readEntries(from: LogIndex(1), through: LogIndex(7), maxBytes: .max) == log[0..<5]
                + replacement)
    }

    /// A preallocated data file that cannot be allocated is closed again, not leaked: many
    /// refusals in a row leave no descriptor behind.
    @Test func refusedFileAllocationsLeaveNoDescriptorOpen() throws {
        let fs = SimulatedFileSystem(seed: 5)
        var configuration = smallConfiguration()
        configuration.preallocate = true
        let store = try LogStore(directory: "/store", fileSystem: fs, configuration: configuration)
        fs.isFull = true
        for _ in 0..<50 {
            #expect(throws: LogStoreError.self) { try store.append(entries(from: 1, count: 2, term: 1, size: 900)) }
        }
        #expect(fs.openDescriptorCount <= 4, "descriptors open: \(fs.openDescriptorCount)")
        fs.isFull = false
        try store.append(entries(from: 1, count: 2, term: 1, size: 900))
        try store.sync()
        #expect(store.durableIndex == LogIndex(2))
    }
}

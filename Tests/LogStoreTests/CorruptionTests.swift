import FileIO
import Foundation
import Raft
import TestSupport
import Testing

@testable import LogStore

/// Damage to real files in a temporary directory.
@Suite struct CorruptionTests {
    /// 60 entries of 300 bytes in 16 KiB files, synced every 5 entries, no checkpoint but the
    /// one at open (so recovery verifies the whole log). Returns the entries and, by index,
    /// the data file and offset of each.
    func writeLog(in directory: String) throws -> (log: [Entry], where: [UInt64: (String, Int)]) {
        let log = entries(from: 1, count: 60, term: 3, size: 300)
        let store = try LogStore(
            directory: directory, fileSystem: RealFileSystem(),
            configuration: smallConfiguration(dataFileSize: 16384, checkpointIntervalBytes: 1 << 30))
        for batch in stride(from: 0, to: log.count, by: 5) {
            try store.append(Array(log[batch..<(batch + 5)]))
            try store.sync()
        }
        var places: [UInt64: (String, Int)] = [:]
        for index in 1...UInt64(60) {
            let position = try store.position(of: LogIndex(index))
            let start = position / 16384 * 16384
            places[index] = ("\(directory)/data/\(SegmentedFileName.name(start: start))", Int(position - start))
        }
        try store.close()
        return (log, places)
    }

    func open(_ directory: String) throws(LogStoreError) -> LogStore {
        try LogStore(
            directory: directory, fileSystem: RealFileSystem(),
            configuration: smallConfiguration(dataFileSize: 16384, checkpointIntervalBytes: 1 << 30))
    }

    @Test func flippedByteInTheMiddleFailsWithFileAndPosition() throws {
        let temporary = try TemporaryDirectory(prefix: "logstore-test")
        defer { #expect(throws: Never.self) { try temporary.remove() } }
        let (file, offset) = try writeLog(in: temporary.path).where[23]!
        try patchFile(file, at: offset + RecordHeader.size + 17) { $0[0] ^= 0x40 }
        do {
            _ = try open(temporary.path)
            Issue.record("opening a log with a corrupt record in the middle succeeded")
        } catch {
            guard case .corruptRecord(let badFile, let badOffset, _, let index, _) = error else {
                Issue.record("unexpected error: \(error)")
                return
            }
            #expect(badFile == file && badOffset == UInt64(offset) && index == LogIndex(23))
            #expect(error.description.contains(file) && error.description.contains("offset \(offset)"), "\(error)")
        }
    }

    @Test func flippedHeaderByteInTheMiddleFails() throws {
        let temporary = try TemporaryDirectory(prefix: "logstore-test")
        defer { #expect(throws: Never.self) { try temporary.remove() } }
        let (file, offset) = try writeLog(in: temporary.path).where[31]!
        try patchFile(file, at: offset + 5) { $0[0] ^= 0x01 }  // the record's size field
        #expect(throws: LogStoreError.self) { _ = try open(temporary.path) }
    }

    @Test func zeroedTailKeepsEveryCompleteRecord() throws {
        let temporary = try TemporaryDirectory(prefix: "logstore-test")
        defer { #expect(throws: Never.self) { try temporary.remove() } }
        let (log, places) = try writeLog(in: temporary.path)
        let (file, offset) = places[60]!
        try patchFile(file, at: offset + 100) { bytes in
            for i in 0..<(RecordHeader.size + 300 - 100) { bytes[i] = 0 }
        }
        let store = try open(temporary.path)
        #expect(store.lastIndex == LogIndex(59))
        #expect(try store.readEntries(from: LogIndex(1), through: LogIndex(59), maxBytes: .max) == Array(log[0..<59]))
        let cut = try #require(store.recovery.tailCut)
        #expect(cut.file == file && cut.offset == UInt64(offset) && cut.index == LogIndex(60))
        #expect(cut.discardedBytes > 0)
        try store.close()
        // The cut is durable: the next open finds a clean log.
        let again = try open(temporary.path)
        #expect(again.lastIndex == LogIndex(59) && again.recovery.tailCut == nil)
        try again.append(entries(from: 60, count: 3, term: 4))
        try again.close()
    }

    @Test func cutTailKeepsEveryCompleteRecord() throws {
        let temporary = try TemporaryDirectory(prefix: "logstore-test")
        defer { #expect(throws: Never.self) { try temporary.remove() } }
        let (log, places) = try writeLog(in: temporary.path)
        let (file, offset) = places[58]!
        #expect(truncate(file, off_t(offset + 40)) == 0)  // mid-header of entry 58
        let store = try open(temporary.path)
        #expect(store.lastIndex == LogIndex(57))
        #expect(try store.readEntries(from: LogIndex(1), through: LogIndex(57), maxBytes: .max) == Array(log[0..<57]))
        #expect(store.recovery.tailCut?.index == LogIndex(58))
        try store.close()
    }

    @Test func corruptionBeforeTheCheckpointFailsTheRead() throws {
        let temporary = try TemporaryDirectory(prefix: "logstore-test")
        defer { #expect(throws: Never.self) { try temporary.remove() } }
        let (file, offset) = try writeLog(in: temporary.path).where[10]!
        var store = try open(temporary.path)  // checkpoints the verified log
        try store.close()
        try patchFile(file, at: offset + RecordHeader.size) { $0[0] ^= 0xFF }
        store = try open(temporary.path)  // only the log after the checkpoint is re-verified
        #expect(store.recovery.usedCheckpoint && store.recovery.scannedRecords == 0)
        #expect(throws: StorageFailure.self) {
            _ = try store.entries(from: LogIndex(9), through: LogIndex(11), maxBytes: .max)
        }
        do {
            _ = try store.entry(at: LogIndex(10))
            Issue.record("reading a corrupt record succeeded")
        } catch {
            #expect(
                error.description.contains(file) && error.description.contains("body checksum mismatch"), "\(error)")
        }
        try store.close()
    }
}

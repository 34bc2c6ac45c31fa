import FileIO
import Foundation
import Raft
import Testing

@testable import LogStore

/// A small store layout that rolls files, index files and checkpoints often.
func smallConfiguration(
    dataFileSize: Int = 4096, cacheBytes: Int = 1024, checkpointIntervalBytes: Int = 6000,
    flushPolicy: FlushPolicy = .syncFlush
) -> LogStoreConfiguration {
    LogStoreConfiguration(
        dataFileSize: dataFileSize, indexEntriesPerFile: 16, flushPolicy: flushPolicy, cacheBytes: cacheBytes,
        checkpointIntervalBytes: checkpointIntervalBytes)
}

/// `count` entries from `first`, all with `term`, bodies of `size` bytes derived from the index.
func entries(from first: UInt64, count: Int, term: UInt64, size: Int = 100) -> [Entry] {
    (0..<UInt64(count)).map { k in
        let index = first + k
        return Entry(
            index: LogIndex(index), term: Term(term), kind: index % 7 == 0 ? .noop : .normal,
            data: (0..<size).map { UInt8(truncatingIfNeeded: Int(index) &* 31 &+ $0) })
    }
}

/// The chain CRCs a log of `log` must have, by position in `log` (log[0] has index 1).
func expectedChains(_ log: [Entry]) -> [UInt32] {
    var chain: UInt32 = 0
    return log.map { entry in
        chain = RecordHeader.chain(
            previous: chain, index: entry.index.rawValue, term: entry.term.rawValue, kind: entry.kind.rawValue,
            bodyLength: entry.data.count, bodyCRC: CRC32C.checksum(entry.data))
        return chain
    }
}

/// Reads, changes and writes back bytes of a real file.
func patchFile(_ path: String, at offset: Int, _ change: (inout [UInt8]) -> Void) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var window = Array(bytes[offset...])
    change(&window)
    bytes.replaceSubrange(offset..., with: window)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

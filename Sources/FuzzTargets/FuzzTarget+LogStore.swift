import FileIO
import LogStore
import Raft

extension FuzzTarget {
    /// A store whose only data file holds arbitrary bytes (no index, no checkpoint), as a disk
    /// might return after corruption. Opening it recovers the valid prefix or refuses with a
    /// ``LogStoreError``; what it recovers must read back entry by entry, and opening it again
    /// must find the same log.
    static func runLogStore(_ bytes: [UInt8]) -> FuzzViolation? {
        let fs = SimulatedFileSystem(seed: 1)
        let configuration = LogStoreConfiguration(
            dataFileSize: 4096, indexEntriesPerFile: 64, flushPolicy: .syncFlush, cacheBytes: 0, preallocate: false)
        do {
            try fs.makeDirectory("/log")
            try fs.makeDirectory("/log/data")
            let file = try fs.open("/log/data/" + SegmentedFileName.name(start: 0), create: true)
            try fs.write(file, at: 0, bytes)
            try fs.sync(file)
            try fs.close(file)
            try fs.syncDirectory("/log/data")
        } catch {
            return FuzzViolation("setting up the simulated disk failed: \(error)")
        }
        let first: (first: LogIndex, last: LogIndex)
        do {
            let store = try LogStore(directory: "/log", fileSystem: fs, configuration: configuration)
            first = (store.firstIndex, store.lastIndex)
            if store.lastIndex >= store.firstIndex {
                let entries = try store.readEntries(from: store.firstIndex, through: store.lastIndex, maxBytes: .max)
                let indices = entries.map(\.index)
                if indices != Array(store.firstIndex...store.lastIndex) {
                    return FuzzViolation("recovered \(store.firstIndex)...\(store.lastIndex) but read \(indices)")
                }
            }
            try store.close()
        } catch {
            return nil  // Refused with a typed error: what corruption must get.
        }
        do {
            let again = try LogStore(directory: "/log", fileSystem: fs, configuration: configuration)
            let found = (again.firstIndex, again.lastIndex)
            try again.close()
            if found != first {
                return FuzzViolation(
                    "reopening found \(found.0)...\(found.1), recovery kept \(first.first)...\(first.last)")
            }
        } catch {
            return FuzzViolation("a store that recovered once is refused when reopened: \(error)")
        }
        return nil
    }
}

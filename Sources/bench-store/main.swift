// bench-store: log-store throughput against this disk's raw limits, and open time of a large
// store. Usage: swift run -c release bench-store [--seconds N] [--dir PATH] [--records N]
import FileIO
import Glibc
import LogStore
import Raft

struct Options {
    var seconds = 3.0
    var directory: String?
    var records = 1_000_000

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { Self.usage("missing value for \(flag)") }
            switch flag {
            case "--seconds":
                guard let number = Double(value), number > 0 else {
                    Self.usage("--seconds wants a positive number, got \(value)")
                }
                seconds = number
            case "--dir": directory = value
            case "--records":
                guard let number = Int(value), number > 0 else {
                    Self.usage("--records wants a positive integer, got \(value)")
                }
                records = number
            default: Self.usage("unknown option \(flag)")
            }
        }
    }

    static func usage(_ problem: String) -> Never {
        let text = "bench-store: \(problem)\nusage: bench-store [--seconds N] [--dir PATH] [--records N]\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
        exit(2)
    }
}

func fail(_ message: String) -> Never {
    let text = "bench-store: \(message)\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(1)
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func makeScratch(in parent: String) -> String {
    var template = Array("\(parent)/bench-store-XXXXXX".utf8CString)
    guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
        fail("cannot create a directory in \(parent): \(String(cString: strerror(errno)))")
    }
    return String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
}

func removeTree(_ path: String) {
    let fs = RealFileSystem()
    do {
        for name in try fs.listDirectory(path) {
            let child = "\(path)/\(name)"
            var info = stat()
            if lstat(child, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                removeTree(child)
            } else {
                try fs.unlink(child)
            }
        }
    } catch {
        fail("cleaning up \(path): \(error)")
    }
    if rmdir(path) != 0 { fail("rmdir \(path): \(String(cString: strerror(errno)))") }
}

/// A plain loop of `pwrite` + `fdatasync` of `blockSize` bytes at increasing offsets of a new file.
func rawLoop(in directory: String, blockSize: Int, seconds limit: Double) -> (operations: Int, seconds: Double) {
    let path = "\(directory)/raw-\(blockSize)"
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    if fd < 0 { fail("open \(path): \(String(cString: strerror(errno)))") }
    let block = [UInt8](repeating: 0xA5, count: blockSize)
    var operations = 0
    let start = ContinuousClock.now
    while seconds(since: start) < limit {
        let written = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, blockSize, off_t(operations * blockSize)) }
        if written != blockSize { fail("pwrite \(path): \(String(cString: strerror(errno)))") }
        if fdatasync(fd) != 0 { fail("fdatasync \(path): \(String(cString: strerror(errno)))") }
        operations += 1
    }
    let elapsed = seconds(since: start)
    close(fd)
    unlink(path)
    return (operations, elapsed)
}

/// Appends 1 KiB entries in batches of `batch`, syncing each batch (SYNC_FLUSH).
func storeLoop(in directory: String, batch: Int, seconds limit: Double) throws(LogStoreError) -> (
    records: Int, seconds: Double
) {
    let path = "\(directory)/store-\(batch)"
    let store = try LogStore(directory: path, fileSystem: RealFileSystem())
    let body = [UInt8](repeating: 0x5A, count: 1024)
    var next: UInt64 = 1
    var entries = (0..<batch).map { k in Entry(index: LogIndex(UInt64(k) + 1), term: Term(1), data: body) }
    let start = ContinuousClock.now
    while seconds(since: start) < limit {
        for k in entries.indices { entries[k].index = LogIndex(next + UInt64(k)) }
        try store.append(entries)
        try store.sync()
        next += UInt64(batch)
    }
    let elapsed = seconds(since: start)
    try store.close()
    removeTree(path)
    return (Int(next - 1), elapsed)
}

func fixed(_ value: Double, _ digits: Int = 1) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    return digits == 0 ? String(Int(rounded)) : String(rounded)
}

func run() throws(LogStoreError) {
    let options = Options(CommandLine.arguments)
    let scratch = makeScratch(in: options.directory ?? "/tmp")
    let mib = 1024.0 * 1024.0
    print("bench-store: \(fixed(options.seconds)) s per measurement in \(scratch)")

    // This disk's speed drifts a lot between seconds (a shared virtual disk), so each store
    // measurement sits between two raw measurements of the same kind, and each pair repeats
    // `rounds` times; the median ratio is reported.
    let rounds = 3
    let slice = options.seconds / Double(rounds)
    for batch in [1, 16, 256] {
        var rates: [Double] = []
        var ratios: [Double] = []
        var raws: [Double] = []
        var sameSize: [Double] = []
        for _ in 0..<rounds {
            let blockSize = batch == 1 ? 1024 : 1 << 20
            let before = rawLoop(in: scratch, blockSize: blockSize, seconds: slice / 2)
            let result = try storeLoop(in: scratch, batch: batch, seconds: slice)
            let after = rawLoop(in: scratch, blockSize: blockSize, seconds: slice / 2)
            let raw = Double(before.operations + after.operations) / (before.seconds + after.seconds)
            let rate = Double(result.records) / result.seconds
            rates.append(rate)
            raws.append(raw)
            ratios.append(batch == 1 ? rate / raw : rate * 1024 / mib / raw)
            if batch > 1 {
                // The same bytes per fdatasync as one store batch (records plus headers).
                let bytes = batch * (1024 + 56)
                let equal = rawLoop(in: scratch, blockSize: bytes, seconds: slice / 2)
                sameSize.append(rate / (Double(equal.operations * batch) / equal.seconds))
            }
        }
        let rate = rates.sorted()[rounds / 2]
        let raw = raws.sorted()[rounds / 2]
        let ratio = ratios.sorted()[rounds / 2]
        var line = "store SYNC_FLUSH batch \(batch):"
        line += String(repeating: " ", count: max(1, 29 - line.count))
        let limit =
            batch == 1
            ? "raw 1 KiB pwrite+fdatasync \(fixed(raw, 0)) records/s" : "raw 1 MiB pwrite+fdatasync \(fixed(raw)) MB/s"
        print(
            "\(line)\(fixed(rate, 0)) records/s, \(fixed(rate * 1024 / mib)) MB/s; \(limit); "
                + "ratio \(fixed(ratio, 2)) (median of \(rounds): \(ratios.map { fixed($0, 2) }.joined(separator: ", ")))"
                + (sameSize.isEmpty
                    ? ""
                    : "; vs raw writes of the batch's size: \(fixed(sameSize.sorted()[rounds / 2], 2))"))
    }

    // Open time of a large store: with its checkpoint (the normal restart), then without it
    // (full verification and index rebuild).
    let path = "\(scratch)/large"
    var store = try LogStore(directory: path, fileSystem: RealFileSystem())
    let body = [UInt8](repeating: 0x33, count: 100)
    var next: UInt64 = 1
    let buildStart = ContinuousClock.now
    while next <= UInt64(options.records) {
        let count = min(1000, options.records - Int(next) + 1)
        try store.append((0..<UInt64(count)).map { Entry(index: LogIndex(next + $0), term: Term(1), data: body) })
        try store.sync()
        next += UInt64(count)
    }
    // Ten more entries after the last checkpoint, as a crash would leave them.
    try store.append((0..<10).map { Entry(index: LogIndex(next + $0), term: Term(1), data: body) })
    try store.sync()
    try store.close()
    print("built \(options.records + 10) records of 100 bytes in \(fixed(seconds(since: buildStart), 2)) s")
    var openStart = ContinuousClock.now
    store = try LogStore(directory: path, fileSystem: RealFileSystem())
    print("open with checkpoint:    \(fixed(seconds(since: openStart) * 1000, 1)) ms — \(store.recovery)")
    try store.close()
    if unlink("\(path)/checkpoint") != 0 { fail("unlink checkpoint: \(String(cString: strerror(errno)))") }
    openStart = ContinuousClock.now
    store = try LogStore(directory: path, fileSystem: RealFileSystem())
    print("open without checkpoint: \(fixed(seconds(since: openStart) * 1000, 1)) ms — \(store.recovery)")
    try store.close()
    removeTree(scratch)
}

do {
    try run()
} catch {
    fail("\(error)")
}

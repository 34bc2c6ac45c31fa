import FileIO
import Foundation
import Raft
import Testing

@testable import LogStore

/// Random appends, truncations, syncs, prefix drops, crashes and reopens against a plain array
/// model, over the simulated file system. Replay one seed, with a trace of every operation, by
/// `LOGSTORE_SEED=<seed> LOGSTORE_TRACE=1 swift test --filter crashModel`.
@Suite struct ModelTests {
    static let seeds: [UInt64] =
        ProcessInfo.processInfo.environment["LOGSTORE_SEED"].flatMap { UInt64($0) }.map { [$0] } ?? Array(0..<200)

    @Test(arguments: seeds)
    func crashModel(seed: UInt64) throws {
        var run = ModelRun(seed: seed)
        do {
            try run.execute(operations: 200)
        } catch {
            Issue.record("seed \(seed), operation \(run.operation) (\(run.lastAction)): \(error)")
        }
    }
}

private struct ModelRun {
    let seed: UInt64
    let fs: SimulatedFileSystem
    var rng: SplitMix64
    var store: LogStore
    /// The expected log: entries firstIndex... in order.
    var log: [Entry] = []
    var firstIndex: UInt64 = 1
    /// Entries through this index must survive a crash.
    var durable: UInt64 = 0
    var term: UInt64 = 1
    var hardState = HardState()
    var chains: [UInt64: UInt32] = [0: 0]
    var operation = 0
    var lastAction = "open"
    let configuration = smallConfiguration()
    let trace = ProcessInfo.processInfo.environment["LOGSTORE_TRACE"] != nil

    init(seed: UInt64) {
        self.seed = seed
        fs = SimulatedFileSystem(seed: seed)
        rng = SplitMix64(seed: seed)
        do {
            store = try LogStore(directory: "/store", fileSystem: fs, configuration: configuration)
        } catch {
            preconditionFailure("seed \(seed): opening an empty store failed: \(error)")
        }
    }

    var lastIndex: UInt64 { firstIndex + UInt64(log.count) - 1 }

    func expect(_ condition: Bool, _ what: @autoclosure () -> String) {
        #expect(condition, "seed \(seed), operation \(operation) (\(lastAction)): \(what())")
    }

    mutating func execute(operations: Int) throws {
        for step in 0..<operations {
            operation = step
            let roll = rng.below(100)
            switch roll {
            case 0..<45: try append(overlapping: rng.chance(1, in: 6))
            case 45..<58:
                lastAction = "sync"
                try store.sync()
                durable = lastIndex
            case 58..<64: try truncate()
            case 64..<69:
                lastAction = "save hard state"
                hardState = HardState(term: Term(term), vote: NodeID(rng.below(3)), commit: LogIndex(durable))
                try store.saveHardState(hardState)
            case 69..<77: try read()
            case 77..<85: try crashAndReopen()
            case 85..<90:
                lastAction = "close and reopen"
                try store.close()
                durable = lastIndex
                try reopen()
                expect(store.recovery.tailCut == nil, "clean reopen cut a tail: \(store.recovery)")
            case 90..<93: try dropPrefix()
            default: try append(overlapping: false)
            }
            if trace {
                print(
                    "op \(step) \(lastAction): store \(store.firstIndex)...\(store.lastIndex) durable \(store.durableIndex) model durable \(durable) write \(store.writePosition) synced \(store.syncedPosition) cp \(store.checkpoint.map { "\($0.lastIndex)@\($0.endPosition)" } ?? "-") files \(store.data.files.map { $0.start })"
                )
            }
            expect(store.lastIndex.rawValue == lastIndex, "lastIndex \(store.lastIndex), model \(lastIndex)")
            expect(store.firstIndex.rawValue == firstIndex, "firstIndex \(store.firstIndex), model \(firstIndex)")
            expect(store.lastChainCRC == chains[lastIndex], "last chain CRC differs at \(lastIndex)")
        }
        try crashAndReopen()
        try verifyAll()
    }

    mutating func append(overlapping: Bool) throws {
        var first = lastIndex + 1
        if overlapping && !log.isEmpty {
            first = max(firstIndex, lastIndex - rng.below(min(4, UInt64(log.count))))
            term += 1
        }
        let count = Int(rng.below(6)) + 1
        lastAction = "append \(count) from \(first)"
        let batch = (0..<UInt64(count)).map { k in
            let size = Int(rng.below(rng.chance(1, in: 10) ? 1500 : 300))
            return Entry(
                index: LogIndex(first + k), term: Term(term), kind: rng.chance(1, in: 8) ? .noop : .normal,
                data: (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        }
        try store.append(batch)
        if first <= lastIndex {
            log.removeLast(Int(lastIndex - first + 1))
            durable = min(durable, first - 1)
        }
        for entry in batch {
            chains[entry.index.rawValue] = RecordHeader.chain(
                previous: chains[entry.index.rawValue - 1]!, index: entry.index.rawValue, term: entry.term.rawValue,
                kind: entry.kind.rawValue, bodyLength: entry.data.count, bodyCRC: CRC32C.checksum(entry.data))
            log.append(entry)
        }
    }

    mutating func truncate() throws {
        guard !log.isEmpty else { return }
        let after = lastIndex - rng.below(min(5, UInt64(log.count)) + 1)
        lastAction = "truncate after \(after)"
        try store.truncate(after: LogIndex(after))
        log.removeLast(Int(lastIndex - after))
        durable = min(durable, after)
    }

    mutating func read() throws {
        guard !log.isEmpty else { return }
        let from = firstIndex + rng.below(UInt64(log.count))
        let through = from + rng.below(lastIndex - from + 1)
        let maxBytes = Int(rng.below(3000))
        lastAction = "read \(from)...\(through) max \(maxBytes)"
        let got = try store.readEntries(from: LogIndex(from), through: LogIndex(through), maxBytes: maxBytes)
        let want = Array(log[Int(from - firstIndex)...Int(through - firstIndex)])
        expect(!got.isEmpty && got == Array(want.prefix(got.count)), "read returned wrong entries")
        var bytes = 0
        for entry in want.prefix(got.count + 1) { bytes += entry.byteCount }
        expect(got.count == want.count || bytes > maxBytes, "read stopped early: \(got.count) of \(want.count)")
        let probe = firstIndex - 1 + rng.below(UInt64(log.count) + 1)
        expect(
            store.term(at: LogIndex(probe))
                == (probe < firstIndex ? store.term(at: LogIndex(probe)) : log[Int(probe - firstIndex)].term),
            "term at \(probe)")
        expect(try store.chainCRC(at: LogIndex(probe)) == chains[probe], "chain CRC at \(probe)")
    }

    mutating func dropPrefix() throws {
        guard !log.isEmpty else { return }
        let before = firstIndex + rng.below(UInt64(log.count))
        lastAction = "drop prefix before \(before)"
        let newFirst = try store.dropPrefix(before: LogIndex(before)).rawValue
        expect(newFirst <= before || newFirst == firstIndex, "dropped past \(before): first is now \(newFirst)")
        if newFirst != firstIndex { durable = lastIndex }  // a drop syncs first
        log.removeFirst(Int(newFirst - firstIndex))
        firstIndex = newFirst
    }

    mutating func crashAndReopen() throws {
        lastAction = "crash and reopen"
        fs.crash(&rng)
        try reopen()
        let recovered = store.lastIndex.rawValue
        if trace { print("recovery: \(store.recovery)") }
        expect(
            recovered >= durable,
            "lost synced entries: recovered through \(recovered), synced through \(durable); \(store.recovery)")
        expect(recovered <= lastIndex, "recovered \(recovered) entries beyond the model's \(lastIndex)")
        expect(store.firstIndex.rawValue == firstIndex, "first index \(store.firstIndex), model \(firstIndex)")
        log.removeLast(Int(lastIndex - min(recovered, lastIndex)))
        durable = lastIndex
        try verifyAll()
    }

    mutating func reopen() throws {
        store = try LogStore(directory: "/store", fileSystem: fs, configuration: configuration)
        expect(store.hardState == hardState, "hard state \(store.hardState), saved \(hardState)")
    }

    func verifyAll() throws {
        guard !log.isEmpty else { return }
        let got = try store.readEntries(from: LogIndex(firstIndex), through: LogIndex(lastIndex), maxBytes: .max)
        expect(got == log, "recovered log differs from the model prefix")
        expect(store.lastChainCRC == chains[lastIndex], "chain CRC differs after recovery")
        for index in firstIndex...lastIndex {
            expect(store.term(at: LogIndex(index)) == log[Int(index - firstIndex)].term, "term at \(index)")
        }
    }
}

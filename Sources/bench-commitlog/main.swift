// Micro-benchmark of the CommitLog state machine: how fast a leader plans sends of 1 KiB
// messages into records entries (validate, encode the RocketMQ record, CRC) and how fast the
// committed entries apply (decode, check placement, consume-queue and key index), with
// one message per entry and with batches of 32, in memory and with periodic persistence to real
// files; for the persisted runs also the bytes the machine keeps in memory after its last
// persist and how long reopening the store takes. Each run goes once without producer unique
// keys (the store gives each message its offset id, as our own protocol's sends do) and once
// with a producer `UNIQ_KEY` on every message (as every RocketMQ client send carries), so the
// difference is the cost of unique-key idempotence on apply. A figure for the README, not a test:
// `swift run -c release bench-commitlog [messages] [--keys none|producer] [--memory-only]`
// (the options pick runs, e.g. one for callgrind, where `applyAll` is the apply figure).
import CommitLog
import FileIO
import Foundation
import Glibc
import LedgerModel
import Raft

/// The run's options: a message count, `--keys none|producer` (default both), `--memory-only`.
struct Options {
    var messageCount = 64_000
    var keyModes = [false, true]
    var memoryOnly = false

    init(_ arguments: [String]) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--memory-only": memoryOnly = true
            case "--keys":
                switch rest.popFirst() {
                case "none": keyModes = [false]
                case "producer": keyModes = [true]
                default: Self.fail("--keys takes none or producer")
                }
            default:
                guard let count = Int(argument), count > 0 else { Self.fail("unknown argument \(argument)") }
                messageCount = count
            }
        }
    }

    static func fail(_ reason: String) -> Never {
        print("bench-commitlog: \(reason); usage: bench-commitlog [messages] [--keys none|producer] [--memory-only]")
        exit(2)
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let messageCount = options.messageCount
let bodySize = 1024
let stamp = StoreStamp(storeTimestamp: 1_700_000_000_000, storeHost: HostAddress(ipv4: 127, 0, 0, 1, port: 40911))

/// The sends of the run as a leader proposes them (planned by `planner`, which applies nothing),
/// with where each entry's data lies in `log`. With `keys`, each message carries a producer
/// unique key shaped as a RocketMQ client's (32 upper-case hex digits: a fixed client prefix and
/// a counter).
func entries(batch: Int, keys: Bool, planner: CommitLogStateMachine, log: MemoryMessageLog) -> [(Entry, Int64)] {
    var rng = SplitMix64(seed: 1)
    let body = (0..<bodySize).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    var result: [(Entry, Int64)] = []
    var sequence: UInt64 = 0
    var tail = ProposalTail()
    for first in stride(from: 0, to: messageCount, by: batch) {
        let messages = (first..<min(first + batch, messageCount)).map { i in
            ProducerMessage(
                topic: "BenchTopic", target: .automatic, tags: "TagA", keys: ["key-\(i)"], body: body,
                bornTimestamp: 1_700_000_000_000, bornHost: HostAddress(ipv4: 10, 0, 0, 2, port: 50000),
                uniqueKey: keys ? uniqueKey(i) : nil)
        }
        sequence += 1
        let producer = ProducerStamp(producer: ProducerID(7), sequence: sequence)
        let planned = planner.planSend(
            messages, producer: producer, stamp: stamp, tail: &tail, index: LogIndex(UInt64(result.count + 1))
        ) { _ in log.nextPosition }
        guard case .success(let data) = planned else { preconditionFailure("planning failed: \(planned)") }
        let position = log.append(data)
        result.append((Entry(index: LogIndex(UInt64(result.count + 1)), term: Term(1), data: data), position))
    }
    return result
}

/// The `i`th producer unique key: 16 hex digits of client address and process, 16 of counter.
func uniqueKey(_ i: Int) -> String {
    let counter = String(UInt64(i), radix: 16, uppercase: true)
    return "0A000002C35000A1" + String(repeating: "0", count: 16 - counter.count) + counter
}

/// Applies `work` to `machine` (persisting every `persistEvery` entries), returning how many
/// messages were stored: the figure callgrind attributes to this function.
@inline(never)
func applyAll(_ work: [(Entry, Int64)], to machine: CommitLogStateMachine, persistEvery: Int?) throws -> Int {
    var stored = 0
    for (entry, position) in work {
        for result in machine.apply(entry: entry, bodyPosition: position) where result.sendResult != nil {
            stored += 1
        }
        if let persistEvery, entry.index.rawValue % UInt64(persistEvery) == 0 { try machine.persist() }
    }
    try machine.persist()
    return stored
}

func temporaryDirectory() -> String {
    var template = Array("/tmp/bench-commitlog-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
        print("bench-commitlog failed: cannot create a directory under /tmp: \(String(cString: strerror(errno)))")
        exit(1)
    }
    return String(cString: made)
}

func run(batch: Int, keys: Bool, persistEvery: Int?) throws {
    let configuration = CommitLogConfiguration(commitLogFileSize: 64 << 20)
    let log = MemoryMessageLog()
    let clock = ContinuousClock()
    var work: [(Entry, Int64)] = []
    let planning = clock.measure {
        work = entries(
            batch: batch, keys: keys, planner: CommitLogStateMachine(configuration: configuration, log: log), log: log)
    }
    let directory = persistEvery == nil ? nil : temporaryDirectory()
    let machine =
        if let directory {
            try CommitLogStateMachine.open(
                directory: directory, fileSystem: RealFileSystem(), configuration: configuration, log: log)
        } else {
            CommitLogStateMachine(configuration: configuration, log: log)
        }
    var stored = 0
    let elapsed = try clock.measure { stored = try applyAll(work, to: machine, persistEvery: persistEvery) }
    precondition(stored == messageCount, "stored \(stored) of \(messageCount)")
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let perSecond = Double(messageCount) / seconds
    let megabytes = perSecond * Double(bodySize) / 1_048_576
    let mode = persistEvery.map { "persist every \($0) entries" } ?? "memory only"
    let nanoseconds = seconds * 1e9 / Double(messageCount)
    print(
        "batch \(String(batch).padding(2)) \((keys ? "UNIQ_KEY" : "no key").padding(8)) \(mode.padding(26)) "
            + "\(Int(nanoseconds)) ns/msg  \(Int(perSecond)) msg/s applied  "
            + "\(String(format1: megabytes)) MB/s  (\(messageCount) × \(bodySize) B in \(String(format1: seconds)) s); "
            + "planned at \(Int(Double(messageCount) / (milliseconds(planning) / 1000))) msg/s")
    guard let directory else { return }
    var reopened: CommitLogStateMachine?
    let reopening = try clock.measure {
        reopened = try CommitLogStateMachine.open(
            directory: directory, fileSystem: RealFileSystem(), configuration: configuration, log: log)
    }
    let verified = reopened?.recovery?.verifiedRecords ?? 0
    print(
        "         kept in memory after the last persist: \(machine.retainedBytes / 1024) KiB; "
            + "reopen: \(String(format1: milliseconds(reopening))) ms (\(verified) records verified)")
    removeTree(directory)
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

func removeTree(_ path: String) {
    do {
        try FileManager.default.removeItem(atPath: path)
    } catch {
        print("cleanup of \(path) failed: \(error)")
    }
}

extension String {
    init(format1 value: Double) {
        let scaled = (value * 10).rounded() / 10
        self = String(scaled)
    }

    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}

print("bench-commitlog: \(messageCount) messages of \(bodySize) bytes, topic with 4 queues, one producer")
do {
    for batch in [1, 32] {
        for keys in options.keyModes { try run(batch: batch, keys: keys, persistEvery: nil) }
        if options.memoryOnly { continue }
        for keys in options.keyModes { try run(batch: batch, keys: keys, persistEvery: batch == 1 ? 1024 : 32) }
    }
} catch {
    print("bench-commitlog failed: \(error)")
    exit(1)
}

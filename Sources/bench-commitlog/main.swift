// Micro-benchmark of the CommitLog state machine: how fast a leader plans sends of 1 KiB
// messages into records entries (validate, encode the RocketMQ record, CRC) and how fast the
// committed entries apply (decode, check placement, consume-queue and key index), with
// one message per entry and with batches of 32, in memory and with periodic persistence to real
// files; for the persisted runs also the bytes the machine keeps in memory after its last
// persist and how long reopening the store takes. A figure for the README, not a test:
// `swift run -c release bench-commitlog [messages]`.
import CommitLog
import FileIO
import Foundation
import Glibc
import LedgerModel
import Raft

let messageCount = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 64_000 : 64_000
let bodySize = 1024
let stamp = StoreStamp(storeTimestamp: 1_700_000_000_000, storeHost: HostAddress(ipv4: 127, 0, 0, 1, port: 40911))

/// The sends of the run as a leader proposes them (planned by `planner`, which applies nothing),
/// with where each entry's data lies in `log`.
func entries(batch: Int, planner: CommitLogStateMachine, log: MemoryMessageLog) -> [(Entry, Int64)] {
    var rng = SplitMix64(seed: 1)
    let body = (0..<bodySize).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    var result: [(Entry, Int64)] = []
    var sequence: UInt64 = 0
    var tail = ProposalTail()
    for first in stride(from: 0, to: messageCount, by: batch) {
        let messages = (first..<min(first + batch, messageCount)).map { i in
            ProducerMessage(
                topic: "BenchTopic", target: .automatic, tags: "TagA", keys: ["key-\(i)"], body: body,
                bornTimestamp: 1_700_000_000_000, bornHost: HostAddress(ipv4: 10, 0, 0, 2, port: 50000))
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

func temporaryDirectory() -> String {
    var template = Array("/tmp/bench-commitlog-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
        print("bench-commitlog failed: cannot create a directory under /tmp: \(String(cString: strerror(errno)))")
        exit(1)
    }
    return String(cString: made)
}

func run(batch: Int, persistEvery: Int?) throws {
    let configuration = CommitLogConfiguration(commitLogFileSize: 64 << 20)
    let log = MemoryMessageLog()
    let clock = ContinuousClock()
    var work: [(Entry, Int64)] = []
    let planning = clock.measure {
        work = entries(batch: batch, planner: CommitLogStateMachine(configuration: configuration, log: log), log: log)
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
    let elapsed = try clock.measure {
        for (entry, position) in work {
            for result in machine.apply(entry: entry, bodyPosition: position) where result.sendResult != nil {
                stored += 1
            }
            if let persistEvery, entry.index.rawValue % UInt64(persistEvery) == 0 { try machine.persist() }
        }
        try machine.persist()
    }
    precondition(stored == messageCount, "stored \(stored) of \(messageCount)")
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let perSecond = Double(messageCount) / seconds
    let megabytes = perSecond * Double(bodySize) / 1_048_576
    let mode = persistEvery.map { "persist every \($0) entries" } ?? "memory only"
    print(
        "batch \(String(batch).padding(2)) \(mode.padding(28)) \(Int(perSecond)) msg/s applied  "
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
        try run(batch: batch, persistEvery: nil)
        try run(batch: batch, persistEvery: batch == 1 ? 1024 : 32)
    }
} catch {
    print("bench-commitlog failed: \(error)")
    exit(1)
}

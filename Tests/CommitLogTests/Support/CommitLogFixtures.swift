import CommitLog
import FileIO
import Foundation
import LedgerModel
import Posix
import Raft
import Testing

/// The leader stamp every test uses unless it needs another.
let testStamp = StoreStamp(storeTimestamp: 1_700_000_000_000, storeHost: HostAddress(ipv4: 127, 0, 0, 1, port: 40911))
let testBornHost = HostAddress(ipv4: 10, 0, 0, 7, port: 50000)

/// A small configuration so tests cross file boundaries quickly.
func smallConfiguration(fileSize: Int = 4096, cqEntries: Int = 8) -> CommitLogConfiguration {
    CommitLogConfiguration(commitLogFileSize: fileSize, consumeQueueFileEntries: cqEntries, maxMessageSize: 1024)
}

/// A message with the usual test defaults.
func message(
    _ topic: String = "TopicTest", _ body: String = "hello", target: QueueTarget = .automatic, tags: String? = nil,
    keys: [String] = [], producer: ProducerStamp? = nil, properties: [String: String] = [:]
) -> ProducerMessage {
    ProducerMessage(
        topic: topic, target: target, tags: tags, keys: keys, body: Array(body.utf8), properties: properties,
        bornTimestamp: 1_699_999_999_000, bornHost: testBornHost, producer: producer)
}

/// The logs of the file-backed machines tests open, by file system and directory: a reopened
/// machine reads the records its predecessor applied, as a node reopens over its Raft log. A
/// simulated file system is told apart by identity (its address may be reused once it is gone).
private final class TestLogs: @unchecked Sendable {
    static let shared = TestLogs()
    private let lock = NSLock()
    private var logs: [String: (fileSystem: AnyObject?, log: MemoryMessageLog)] = [:]

    func log(for fileSystem: any FileSystem, directory: String) -> MemoryMessageLog {
        lock.lock()
        defer { lock.unlock() }
        let object = fileSystem as AnyObject
        let real = fileSystem is RealFileSystem
        let key = real ? directory : "\(ObjectIdentifier(object)) \(directory)"
        if let known = logs[key], real || known.fileSystem === object { return known.log }
        let log = MemoryMessageLog()
        // Keeping the file system alive keeps its address from being reused by another test's.
        logs[key] = (real ? nil : object, log)
        return log
    }
}

extension CommitLogStateMachine {
    /// Where entry `index`'s data lies in a test's log: far enough apart for any test entry.
    static func testPosition(_ index: LogIndex) -> Int64 { Int64(index.rawValue) << 20 }

    /// ``open(directory:fileSystem:configuration:log:)`` over the test log of `fileSystem` and
    /// `directory` (a new one the first time).
    static func open(
        directory: String, fileSystem: any FileSystem, configuration: CommitLogConfiguration = CommitLogConfiguration()
    ) throws -> CommitLogStateMachine {
        let log = TestLogs.shared.log(for: fileSystem, directory: directory)
        return try open(directory: directory, fileSystem: fileSystem, configuration: configuration, log: log)
    }

    /// Applies `entry` as a node would: a send command becomes the records a leader with this
    /// machine's state would propose (a send it would refuse applies as a no-op and returns the
    /// refusal), placed at ``testPosition(_:)`` in the machine's log.
    @discardableResult
    func apply(entry: Entry) -> [ApplyResult] {
        var entry = entry
        let position = Self.testPosition(entry.index)
        if entry.index > appliedIndex, entry.kind == .normal,
            case .command(let command)? = try? EntryPayload(decoding: entry.data)
        {
            switch command {
            case .send, .sendBatch:
                do {
                    entry.data = try entryData(for: command, bodyPosition: position)
                } catch let refusal as CommandRejection {
                    _ = apply(
                        entry: Entry(index: entry.index, term: entry.term, kind: .noop, data: []), bodyPosition: 0)
                    return [.rejected(refusal)]
                } catch {
                    preconditionFailure("planning failed: \(error)")
                }
            case .commitOffset, .updateTopic, .deleteTopic, .rollbackTransaction, .checkTransaction:
                break
            }
        }
        if let memory = log as? MemoryMessageLog, memory.end <= position { memory.add(entry.data, at: position) }
        return apply(entry: entry, bodyPosition: position)
    }

    /// Applies `command` as the next committed entry.
    @discardableResult
    func apply(_ command: Command, term: UInt64 = 1) throws -> [ApplyResult] {
        apply(entry: Entry(index: appliedIndex.next, term: Term(term), data: try command.encoded()))
    }

    /// Sends one message and returns its send result, failing the test if it was not stored.
    @discardableResult
    func send(_ message: ProducerMessage, stamp: StoreStamp = testStamp) throws -> SendResult {
        let results = try apply(.send(message, stamp))
        guard results.count == 1, case .stored(let result) = results[0] else {
            Issue.record("expected one stored result, got \(results)")
            throw TestFailure.unexpected("\(results)")
        }
        return result
    }
}

enum TestFailure: Error {
    case unexpected(String)
}

/// Every file under `root` in a simulated file system, path → bytes, for byte-for-byte comparison.
func snapshot(_ fs: SimulatedFileSystem, root: String) throws -> [String: [UInt8]] {
    var result: [String: [UInt8]] = [:]
    func walk(_ directory: String) throws {
        for name in try fs.listDirectory(directory) {
            let path = "\(directory)/\(name)"
            if let bytes = fs.contents(of: path) {
                result[String(path.dropFirst(root.count))] = bytes
            } else {
                try walk(path)
            }
        }
    }
    try walk(root)
    return result
}

/// A ``FileSystem`` that forwards to another and counts the bytes read through it, so a test
/// can tell how much of a store an operation read.
final class CountingFileSystem: FileSystem {
    let base: any FileSystem
    private(set) var bytesRead = 0

    init(_ base: any FileSystem) { self.base = base }

    func resetCount() { bytesRead = 0 }

    func open(_ path: String, create: Bool) throws(SystemError) -> OpenFile { try base.open(path, create: create) }
    func close(_ file: OpenFile) throws(SystemError) { try base.close(file) }
    func write(_ file: OpenFile, at offset: Int64, bytes: UnsafeRawBufferPointer) throws(SystemError) {
        try base.write(file, at: offset, bytes: bytes)
    }
    func read(_ file: OpenFile, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError)
        -> Int
    {
        let got = try base.read(file, at: offset, into: buffer)
        bytesRead += got
        return got
    }
    func sync(_ file: OpenFile) throws(SystemError) { try base.sync(file) }
    func truncate(_ file: OpenFile, to size: Int64) throws(SystemError) { try base.truncate(file, to: size) }
    func allocate(_ file: OpenFile, size: Int64) throws(SystemError) { try base.allocate(file, size: size) }
    func size(of file: OpenFile) throws(SystemError) -> Int64 { try base.size(of: file) }
    func rename(_ source: String, to destination: String) throws(SystemError) {
        try base.rename(source, to: destination)
    }
    func unlink(_ path: String) throws(SystemError) { try base.unlink(path) }
    func listDirectory(_ path: String) throws(SystemError) -> [String] { try base.listDirectory(path) }
    func syncDirectory(_ path: String) throws(SystemError) { try base.syncDirectory(path) }
    func makeDirectory(_ path: String) throws(SystemError) { try base.makeDirectory(path) }
}

/// Overwrites bytes of a file in a simulated file system (to corrupt it on purpose).
func overwrite(_ fs: SimulatedFileSystem, _ path: String, at offset: Int, _ bytes: [UInt8]) throws {
    let file = try fs.open(path, create: false)
    try fs.write(file, at: Int64(offset), bytes)
    try fs.close(file)
}

/// Applies `entries` to `machine`, persisting after every `persistEvery` entries.
func feed(_ machine: CommitLogStateMachine, _ entries: some Sequence<Entry>, persistEvery: Int = 50) throws {
    for entry in entries {
        _ = machine.apply(entry: entry)
        if entry.index.rawValue % UInt64(persistEvery) == 0 { try machine.persist() }
    }
}

/// The observable state, for comparing a reopened machine with the original.
func observable(_ machine: CommitLogStateMachine) throws -> [String] {
    var lines = ["applied \(machine.appliedIndex) digest \(machine.digest)"]
    for topic in machine.topicList() {
        for (id, range) in topic.queues.enumerated() {
            let pulled = try machine.pull(
                topic: topic.name, queueID: Int32(id), offset: range.minOffset, maxCount: 1024)
            lines.append("\(topic.name)/\(id) \(range) \(pulled.messages.map(\.physicalOffset))")
        }
        lines.append("keys \(try machine.messages(topic: topic.name, key: "k3").map(\.physicalOffset))")
    }
    lines.append("\(machine.consumerProgress(group: "G"))")
    return lines
}

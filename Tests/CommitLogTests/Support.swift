import CommitLog
import Foundation
import LogStore
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

extension CommitLogStateMachine {
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

/// A fresh directory under the system temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("\(NSTemporaryDirectory())/commitlog-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure.unexpected("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    func cleanup() throws { try FileManager.default.removeItem(atPath: path) }
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

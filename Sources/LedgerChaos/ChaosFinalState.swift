import Bytes
import CommitLog
import FileIO
import LedgerCLI
import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import LedgerModel
import LogStore
import Posix
import Raft
import Wire

/// What one node returned after the heal, asked on its own (a node serves `get` up to its own
/// commit index, leader or not), so a replica that diverged cannot hide behind the leader; and
/// that log replayed into a fresh state machine.
struct ChaosNodeState {
    let node: String
    /// Read before the entries: the node's commit index and its state machine's applied index
    /// and digest.
    let status: StatusResponse
    /// Every committed entry the node's log still holds, from `status.firstIndex` to `status.commit`.
    let entries: [GetResponse]
    /// A memory-only state machine with the group's settings that installed the node's snapshot
    /// at `status.firstIndex - 1` (when retention moved its log's start above 1) and then
    /// applied `entries`, in order.
    let replica: CommitLogStateMachine
    /// The node's reported digest and what `replica` had at the same applied index.
    let digest: ChaosStateDigest
}

/// Reads back, after the heal, what each node holds.
enum ChaosFinalState {
    /// `peer`'s status and committed log, replayed with `configuration` (the group's message-store
    /// settings, `NodeConfig.commitLogConfiguration`); each entry is laid out in the log as the
    /// node's store lays it out in data files of `dataFileSize` bytes. A log that starts above
    /// index 1 (retention deleted its first data files, or the node installed a leader's
    /// snapshot) is replayed from the node's snapshot at its first index - 1, read from
    /// `storeDirectory` (the node's `storeBaseDir`): without one such a log cannot be read.
    /// Retention may move the start while the log is read: the read is then tried again, up to
    /// ``attempts`` times. Requests are signed with `credentials` when given (an admin account:
    /// the raw log is read).
    static func read(
        _ peer: Peer, configuration: CommitLogConfiguration, dataFileSize: Int, storeDirectory: String? = nil,
        credentials: AccessCredentials? = nil
    ) throws(HarnessError) -> ChaosNodeState {
        var attempt = 1
        while true {
            do {
                return try readOnce(
                    peer, configuration: configuration, dataFileSize: dataFileSize, storeDirectory: storeDirectory,
                    credentials: credentials)
            } catch {
                guard error.logMoved, attempt < attempts else { throw error.failure }
                attempt += 1
            }
        }
    }

    /// How many times ``read(_:configuration:dataFileSize:storeDirectory:credentials:)`` tries
    /// while retention moves the log's start under it.
    static let attempts = 5

    /// Why one read failed, and whether retention moving the log's start may explain it.
    private struct ReadFailure: Error {
        var failure: HarnessError
        var logMoved: Bool
    }

    private static func readOnce(
        _ peer: Peer, configuration: CommitLogConfiguration, dataFileSize: Int, storeDirectory: String?,
        credentials: AccessCredentials?
    ) throws(ReadFailure) -> ChaosNodeState {
        let status: StatusResponse
        var entries: [GetResponse] = []
        let log = MemoryMessageLog()
        let replica = CommitLogStateMachine(configuration: configuration, log: log)
        var replayed: UInt64? = nil
        var end: UInt64 = 0
        do throws(NodeConnectionError) {
            let connection = try NodeConnection.open(
                to: peer, deadline: ContinuousClock().now + .seconds(5), credentials: credentials)
            defer { connection.close() }
            let answer = try connection.request(.statusRequest, deadline: ContinuousClock().now + .seconds(5))
            guard case .statusResponse(let reported) = answer else {
                throw .protocolViolation("answered status with \(answer.opcode)")
            }
            status = reported
            if status.stateApplied == .zero { replayed = replica.digest }
            // The snapshot first: a retention pass while the entries are read deletes it.
            if status.firstIndex > LogIndex(1) {
                let base = status.firstIndex.previous
                let snapshot: StateSnapshot
                do throws(ReadFailure) {
                    snapshot = try installSnapshot(at: base, of: peer, into: replica, storeDirectory: storeDirectory)
                } catch {
                    throw .protocolViolation(error.failure.description)
                }
                end = snapshot.logPosition
                if status.stateApplied == base { replayed = replica.digest }
            }
            var index = max(status.firstIndex, LogIndex(1))
            while index <= status.commit {
                let answer = try connection.request(
                    .getRequest(GetRequest(index: index)), deadline: ContinuousClock().now + .seconds(5))
                guard case .getResponse(let entry) = answer else {
                    throw .protocolViolation("answered get \(index) with \(answer.opcode)")
                }
                entries.append(entry)
                index = index.next
            }
        } catch {
            // A snapshot or an entry that a retention pass deleted since the status: read again.
            throw ReadFailure(
                failure: HarnessError("cannot read \(peer.name)'s committed log: \(error)"), logMoved: true)
        }
        for entry in entries {
            let bytes = LogStore.recordHeaderBytes + entry.data.count
            let start = LogStore.placement(ofRecordBytes: bytes, after: end, fileSize: dataFileSize)
            end = start + UInt64(bytes)
            let position = Int64(start) + Int64(LogStore.recordHeaderBytes)
            log.add(entry.data, at: position)
            _ = replica.apply(
                entry: Entry(index: entry.index, term: entry.term, kind: entry.kind, data: entry.data),
                bodyPosition: position)
            if entry.index == status.stateApplied { replayed = replica.digest }
        }
        return ChaosNodeState(
            node: peer.name, status: status, entries: entries, replica: replica,
            digest: ChaosStateDigest(
                applied: status.stateApplied.rawValue, reported: status.stateDigest, replayed: replayed))
    }

    /// The snapshot file at `index` in `peer`'s message store under `storeDirectory`, installed
    /// into `replica` (which applied nothing yet).
    private static func installSnapshot(
        at index: LogIndex, of peer: Peer, into replica: CommitLogStateMachine, storeDirectory: String?
    ) throws(ReadFailure) -> StateSnapshot {
        guard let storeDirectory else {
            throw ReadFailure(
                failure: HarnessError(
                    "\(peer.name)'s log starts at index \(index.next), after its snapshot at \(index): "
                        + "the snapshot cannot be read without the node's store directory"),
                logMoved: false)
        }
        let path = "\(storeDirectory)/\(snapshotDirectory)/\(SegmentedFileName.name(start: index.rawValue))"
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            // Retention deleted it after a later pass moved the start on.
            throw ReadFailure(
                failure: HarnessError("cannot read \(peer.name)'s snapshot at index \(index) (\(path)): \(error)"),
                logMoved: true)
        }
        do {
            return try replica.install(bytes)
        } catch {
            throw ReadFailure(
                failure: HarnessError("cannot install \(peer.name)'s snapshot at index \(index) (\(path)): \(error)"),
                logMoved: false)
        }
    }

    /// Where a node keeps its snapshots under its `storeBaseDir` (the message store's `snapshots/`).
    static let snapshotDirectory = "messages/snapshots"

    /// The checker's view of one committed log entry: a leader's no-op and message-store commands
    /// are bookkeeping; a raw append is what `raw` makes of its bytes. `fingerprint` covers term,
    /// kind and data, everything two replicas' copies must agree on.
    static func item(_ entry: GetResponse, raw: ([UInt8]) -> ChaosContent) -> ChaosItem {
        let content: ChaosContent
        switch entry.kind {
        case .noop:
            content = .bookkeeping("the no-op of term \(entry.term)")
        case .normal:
            // Log entries carry the EntryPayload envelope: a raw append is 0x00 + its bytes.
            switch Result(catching: { () throws(DecodeError) in try EntryPayload(decoding: entry.data) }) {
            case .success(.raw(let bytes)):
                content = raw(bytes)
            case .success(.records(let header)):
                content = .bookkeeping("a send of \(header.count) records at \(entry.index)")
            case .success(.command(let command)):
                content = .bookkeeping("\(command.kindName) at \(entry.index)")
            case .failure(let error):
                content = .unknown("entry \(entry.index) that does not decode (\(error))")
            }
        }
        var fingerprint: [UInt8] = []
        withUnsafeBytes(of: entry.term.rawValue.bigEndian) { fingerprint.append(contentsOf: $0) }
        fingerprint.append(entry.kind.rawValue)
        fingerprint.append(contentsOf: entry.data)
        return ChaosItem(position: .index(entry.index.rawValue), content: content, fingerprint: fingerprint)
    }

    /// Up to the first 64 bytes of an unexpected payload, quoted, for a violation message.
    static func excerpt(_ bytes: [UInt8]) -> ChaosContent {
        .unknown(quoted(String(decoding: bytes.prefix(64), as: UTF8.self)))
    }
}

extension LedgerModel.Command {
    /// `a send`, `a batch send`, `an offset commit`, a topic change: what the entry is, for the checker.
    fileprivate var kindName: String {
        switch self {
        case .send: "a send"
        case .sendBatch: "a batch send"
        case .commitOffset: "an offset commit"
        case .updateTopic: "a topic update"
        case .deleteTopic: "a topic deletion"
        case .rollbackTransaction: "a transaction rollback"
        case .checkTransaction: "a transaction check"
        }
    }
}

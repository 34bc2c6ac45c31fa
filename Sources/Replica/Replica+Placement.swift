import CommitLog
import LedgerModel
import LogStore
import Raft

/// Where a leader's next proposal will lie in the one log, so a send's records carry their
/// physical offsets before they are replicated. Layout is deterministic (``LogStore/placement(ofRecordBytes:after:fileSize:)``,
/// the same `dataFileSize` on every replica), so every replica writes the entry at the position
/// the leader predicted, and apply checks that it did.
struct PredictedLogEnd {
    /// The last entry of the core's log the prediction covers, and where its record ends.
    var index: LogIndex
    var term: Term
    var end: UInt64
}

extension Replica {
    /// Proposes a send as its records (``RecordsEntry``), placed after the core's last entry,
    /// each at its queue's next offset as this leader's applied state and uncommitted tail say.
    func proposeRecords(_ request: SendRequest, stamp: StoreStamp, oneWay: Bool, client: ClientID, requestID: UInt64)
        throws(Violation)
    {
        try proposePlaced(kind: .send, oneWay: oneWay, client: client, requestID: requestID) {
            (tail, index, bodyPosition) throws(QueryError) in
            stateMachine.planSend(
                request.messages, producer: request.producer, stamp: stamp, tail: &tail, index: index,
                bodyPosition: bodyPosition)
        }
    }

    /// Proposes the records entry `plan` makes (a producer's send, or a move of held messages)
    /// with this leader's tail of unapplied placements and the position the entry will have.
    /// `plan` answers nil for nothing to propose, a rejection to refuse the request (its tail
    /// unchanged), or throws when it cannot read what it needs. `client` nil: the leader's own
    /// proposal, answered to nobody. Returns whether an entry was proposed.
    @discardableResult
    func proposePlaced(
        kind: RequestKind, oneWay: Bool, client: ClientID?, requestID: UInt64,
        _ plan: (inout ProposalTail, LogIndex, (Int) -> Int64) throws(QueryError) -> Result<[UInt8], CommandRejection>?
    ) throws(Violation) -> Bool {
        let end: UInt64
        do {
            end = try predictedLogEnd()
        } catch {
            stop(.storage(error))
            return false
        }
        let fileSize = store.configuration.dataFileSize
        let header = LogStore.recordHeaderBytes
        // The known tail is moved out, not copied, so placing into it copies none of its
        // in-flight unique keys; it is put back (as it was, if the log refuses the entry).
        var tail: ProposalTail
        let wasKnown = proposalTail != nil
        if let known = proposalTail.take() {
            tail = known
        } else {
            do {
                let applied = stateMachine.appliedIndex
                tail = stateMachine.tail(
                    unapplied: applied < core.lastIndex
                        ? try core.entries(from: applied.next, through: core.lastIndex) : [])
            } catch {
                stop(.raft(error))
                return false
            }
        }
        let mark = tail.mark()
        let planned: Result<[UInt8], CommandRejection>?
        do {
            planned = try plan(&tail, core.lastIndex.next) { bytes in
                Int64(LogStore.placement(ofRecordBytes: header + bytes, after: end, fileSize: fileSize)) + Int64(header)
            }
        } catch {
            tail.rollBack(to: mark)
            if wasKnown { proposalTail = tail }
            let answer = ErrorResponse(code: .badRequest, message: error.description)
            if let client {
                refuse(answer, kind: kind, oneWay: oneWay, client: client, requestID: requestID)
            } else {
                log(.warning, "could not move held messages: \(error)")
            }
            return false
        }
        let bytes: [UInt8]
        switch planned {
        case .success(let value)?: bytes = value
        case .failure(let problem)?:
            if wasKnown { proposalTail = tail }  // Unchanged: a plan refuses before placing.
            if let client {
                refuse(
                    ErrorResponse(code: .badRequest, message: problem.description), kind: kind, oneWay: oneWay,
                    client: client, requestID: requestID)
            }
            return false
        case nil:
            if wasKnown { proposalTail = tail }
            return false
        }
        let proposal: Proposal?
        if let client {
            proposal = try propose(bytes, kind: kind, oneWay: oneWay, client: client, requestID: requestID)
        } else {
            do {
                proposal = try core.propose(bytes)
            } catch {
                log(.warning, "could not propose moving held messages: \(error)")
                proposal = nil
            }
        }
        guard let proposal else {
            if wasKnown {
                tail.rollBack(to: mark)
                proposalTail = tail
            }
            return false
        }
        proposalTail = tail
        let start = LogStore.placement(ofRecordBytes: header + bytes.count, after: end, fileSize: fileSize)
        predictedEnd = PredictedLogEnd(
            index: proposal.index, term: proposal.term, end: start + UInt64(header + bytes.count))
        return true
    }

    /// Where the record of the core's last entry ends in the log (once written): remembered from
    /// the last proposal, or worked out from the store and the entries not yet written (after an
    /// election's no-op, or anything else this leader did not propose).
    private func predictedLogEnd() throws(LogStoreError) -> UInt64 {
        let last = core.lastIndex
        if let predicted = predictedEnd, predicted.index == last, predicted.term == core.term(at: last) {
            return predicted.end
        }
        // Entries before the first one the core has yet to hand out are in the store as the core has them.
        let written = min(core.nextIndexToPersist.map(\.previous) ?? last, store.lastIndex)
        var end = try store.recordEnd(of: written)
        if written < last {
            let unwritten: [Entry]
            do {
                unwritten = try core.entries(from: written.next, through: last)
            } catch {
                throw .failed(cause: "reading the unwritten tail \(written.next)...\(last): \(error)")
            }
            let fileSize = store.configuration.dataFileSize
            for entry in unwritten {
                let bytes = LogStore.recordHeaderBytes + entry.data.count
                end = LogStore.placement(ofRecordBytes: bytes, after: end, fileSize: fileSize) + UInt64(bytes)
            }
        }
        predictedEnd = PredictedLogEnd(index: last, term: core.term(at: last) ?? .zero, end: end)
        return end
    }

    /// Where entry `index`'s data starts in the log: what its records' physical offsets count from.
    func bodyPosition(of index: LogIndex) throws(LogStoreError) -> Int64 {
        Int64(try store.position(of: index)) + Int64(LogStore.recordHeaderBytes)
    }
}

/// The log store as the state machine reads records from it.
public final class LogStoreMessages: MessageLog {
    let store: LogStore

    public init(_ store: LogStore) { self.store = store }

    public var startPosition: Int64 { Int64(store.startPosition) }

    public func bytes(at position: Int64, count: Int) throws(CommitLogError) -> [UInt8] {
        guard position >= 0 else { return [] }
        do {
            return try store.bytes(at: UInt64(position), count: count)
        } catch {
            throw .log("\(error)")
        }
    }
}

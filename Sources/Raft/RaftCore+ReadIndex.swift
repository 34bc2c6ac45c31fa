/// Pending linearizable reads on a leader (Raft thesis §6.4, etcd's ReadIndex).
struct ReadOnlyState {
    /// The newest read sequence handed out in this leadership.
    var sequence: UInt64 = 0
    /// Reads waiting for a quorum of heartbeat answers, in sequence order.
    var pending: [PendingRead] = []
    /// Reads that arrived before this leader committed an entry of its own term.
    var waitingForCommit: [[UInt8]] = []
}

struct PendingRead {
    var sequence: UInt64
    var index: LogIndex
    var context: [UInt8]
}

extension RaftCore {
    /// Asks for a linearizable read. Once a majority confirms this node still leads, a
    /// ``ReadState`` with the commit index at the time of the request and `context` comes out
    /// in a ready; the read is safe once the state machine has applied that index.
    public func readIndex(context: [UInt8]) throws(RaftError) {
        guard role == .leader else { throw .notLeader(leader: leader) }
        // Until it commits in its own term a new leader does not know the true commit index.
        guard log.term(at: log.committed) == term else {
            readOnly.waitingForCommit.append(context)
            return
        }
        registerRead(context)
    }

    func registerRead(_ context: [UInt8]) {
        guard !peers.isEmpty else {
            readStates.append(ReadState(index: log.committed, context: context))
            return
        }
        readOnly.sequence += 1
        readOnly.pending.append(PendingRead(sequence: readOnly.sequence, index: log.committed, context: context))
        heartbeatPending = true
    }

    /// Releases every read whose heartbeat round a majority has answered.
    func releaseConfirmedReads() {
        guard !readOnly.pending.isEmpty else { return }
        var acks = [readOnly.sequence]
        for peer in peers { acks.append(progress[peer]?.readAcked ?? 0) }
        acks.sort(by: >)
        let confirmed = acks[quorum - 1]
        let released = readOnly.pending.prefix(while: { $0.sequence <= confirmed })
        for read in released { readStates.append(ReadState(index: read.index, context: read.context)) }
        readOnly.pending.removeFirst(released.count)
    }
}

import Glibc
import LedgerModel
import Posix
import Testing

@testable import Replica

/// A storage failure is final: the replica stops, acknowledges nothing that waited for the
/// failed sync, ignores what comes after, and closes without writing.
@Suite struct StorageFailureTests {
    @Test("a failed fdatasync stops the replica for good")
    func failedSyncStopsTheReplica() throws {
        let group = try ReplicaGroup()
        try group.elect(1)
        let leader = group.node(1)
        group.request(.append(ClientAppendRequest(data: [7])), to: 1, requestID: 1)
        #expect(leader.pendingSync != nil)
        leader.pendingSync = nil
        group.handle(1, .syncCompleted(.failure(SystemError("fdatasync", subject: "/log/data", errno: EIO))))
        guard case .storage(let error)? = leader.stopped else {
            Issue.record("the replica did not stop: \(String(describing: leader.stopped))")
            return
        }
        #expect("\(error)".contains("fdatasync /log/data"))
        #expect(group.replies(from: 1, to: 1).isEmpty, "a write answered after its sync failed")
        // Later events are ignored.
        group.request(.append(ClientAppendRequest(data: [8])), to: 1, requestID: 2)
        #expect(group.replies(from: 1, to: 2).isEmpty)
        // Closing answers the waiting client (outcome unknown: a later leader may commit it)
        // and writes nothing.
        try leader.replica.close(cleanly: false)
        let answers = leader.host.take().compactMap { action -> ErrorResponse? in
            guard case .reply(.error(let error, _), _, 1) = action else { return nil }
            return error
        }
        #expect(answers.map(\.code) == [.outcomeUnknown])
    }
}

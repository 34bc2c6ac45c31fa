import LedgerModel
import Raft
import Testing

@testable import Replica

/// A leader that holds `maxUncommittedBytes` of writes no majority stored answers further
/// writes `busy` — certainly not stored — and takes them again once commits make room.
@Suite struct BackPressureTests {
    @Test func writesBeyondTheUncommittedLimitAreAnsweredBusyUntilCommitsMakeRoom() throws {
        let group = try ReplicaGroup { $0.maxUncommittedBytes = 3_100 }
        try group.elect(1)
        // The followers receive nothing, so nothing commits; each raw entry is 1,001 bytes.
        for id in 1...4 as ClosedRange<UInt64> {
            group.request(.append(ClientAppendRequest(data: Array(repeating: 7, count: 1_000))), to: 1, requestID: id)
        }
        let refused = group.replies(from: 1, to: 4)
        guard case .error(let error, _) = refused.first else {
            Issue.record("expected a busy answer, got \(refused)")
            return
        }
        #expect(error.code == .busy)
        #expect(error.message.contains("busy: 3003 bytes"), "\(error.message)")
        #expect(group.replies(from: 1, to: 1).isEmpty, "the first writes wait for their commit")

        try group.runUntilQuiet()
        #expect(group.replies(from: 1, to: 1).count == 1)
        group.request(.append(ClientAppendRequest(data: Array(repeating: 8, count: 1_000))), to: 1, requestID: 5)
        try group.runUntilQuiet()
        guard case .appended = group.replies(from: 1, to: 5).first else {
            Issue.record("after the commits the leader takes writes again: \(group.replies(from: 1, to: 5))")
            return
        }
    }
}

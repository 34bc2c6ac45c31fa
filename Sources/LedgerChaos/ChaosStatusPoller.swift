import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Synchronization
import Wire

/// Asks every node for its status every 50 ms, one thread per node (a paused or dead node
/// delays only its own thread), and records every node that reports itself leader, with its
/// term, as soon as it says so, and every node that reports a disk taking no writes.
final class ChaosStatusPoller: Sendable {
    let peers: [Peer]
    let recorder: ChaosRecorder
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)

    init(peers: [Peer], recorder: ChaosRecorder) {
        self.peers = peers
        self.recorder = recorder
    }

    func start() {
        for peer in peers {
            running.add(1, ordering: .acquiringAndReleasing)
            spawnThread(name: "chaos status \(peer.name)") { [self] in
                let client = LedgerClient(
                    peers: [peer], options: LedgerClientOptions(timeout: .seconds(1), nodeTimeout: .milliseconds(300)))
                while !stopping.load(ordering: .acquiring) {
                    // A node that does not answer is down, paused or busy: nothing to record.
                    let answer = Result { () throws(LedgerClientError) in try client.status(of: peer) }
                    if case .success(let status) = answer {
                        if status.role == .leader { recorder.sawLeader(peer, term: status.term.rawValue) }
                        if status.writable == false { recorder.sawFullDisk(peer) }
                    }
                    pause(.milliseconds(50))
                }
                running.subtract(1, ordering: .acquiringAndReleasing)
            }
        }
    }

    /// Stops the pollers and waits for their last round. Safe to call more than once.
    func stop() {
        stopping.store(true, ordering: .releasing)
        while running.load(ordering: .acquiring) > 0 { pause(.milliseconds(5)) }
    }

    func sightings() -> [ChaosLeaderSighting] { recorder.recordedSightings }
    func fullDisks() -> [ChaosFullDiskSighting] { recorder.recordedFullDisks }
}

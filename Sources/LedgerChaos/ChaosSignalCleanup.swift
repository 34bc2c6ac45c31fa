import LedgerCLI
import Posix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What a chaos run must undo when it gets SIGINT or SIGTERM: its network namespaces, its
/// mounts. One watcher thread for the process waits for either signal and runs every
/// registered step, the newest first, then exits with 128 + the signal.
enum ChaosSignalCleanup {
    private static let steps = Mutex<(watching: Bool, steps: [@Sendable () -> Void])>((false, []))

    /// Registers `step`, announced on stderr as `what` when it runs. The first registration
    /// blocks SIGINT and SIGTERM in the calling thread (and so in every thread it starts
    /// afterwards) and starts the watcher. A step must be safe to run beside the run's own
    /// teardown of the same thing (each teardown runs once).
    static func register(_ what: String, _ step: @escaping @Sendable () -> Void) {
        let start = steps.withLock { state in
            state.steps.append {
                Console.error("ledger chaos: \(what)")
                step()
            }
            defer { state.watching = true }
            return !state.watching
        }
        guard start else { return }
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let watched = signals
        spawnThread(name: "chaos signals") {
            var set = watched
            var received: Int32 = 0
            guard sigwait(&set, &received) == 0 else { return }
            Console.error("ledger chaos: signal \(received): cleaning up")
            for step in steps.withLock({ $0.steps }).reversed() { step() }
            _exit(128 + received)
        }
    }
}

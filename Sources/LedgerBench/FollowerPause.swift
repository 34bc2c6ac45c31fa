import LedgerCLI

/// `ledger bench --pause-follower AFTER+FOR`: how far into the run one follower of the spawned
/// group is SIGSTOPped, and how long it stays stopped before SIGCONT.
struct FollowerPause: Sendable, Hashable {
    /// From the start of sending to the SIGSTOP.
    var after: Duration
    /// From the SIGSTOP to the SIGCONT.
    var hold: Duration

    /// `3s+35s`: two times as flags give them (``Duration/init(flagValue:fractions:)``, decimals
    /// allowed), joined by `+`; nil when malformed. The hold must be at least 100 ms.
    init?(flagValue text: String) {
        let parts = text.split(separator: "+", omittingEmptySubsequences: false)
        guard parts.count == 2, let after = Duration(flagValue: String(parts[0]), fractions: true),
            let hold = Duration(flagValue: String(parts[1]), fractions: true), hold >= .milliseconds(100)
        else { return nil }
        self.after = after
        self.hold = hold
    }

    /// When the follower is continued, from the start of sending.
    var end: Duration { after + hold }

    /// `3000 ms + 35000 ms`, as the report shows it.
    var description: String { "\(after.millisecondsText) ms + \(hold.millisecondsText) ms" }
}

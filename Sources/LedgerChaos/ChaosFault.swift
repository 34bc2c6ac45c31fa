/// One fault as injected: on which node, whether that node led when it was hit, when it began,
/// when it was healed and when the group was stable again (all from the start of the run).
struct ChaosFault: Sendable, Hashable {
    var kind: ChaosFaultKind
    var node: String
    var targetedLeader: Bool
    var injected: Duration
    var healed: Duration
    /// What was done, e.g. `SIGSTOP n1 (leader, term 4) for 1200 ms`.
    var detail: String
    /// The end of the span whose leadership changes count against this fault: when the group was
    /// first seen stable again after the heal (``ChaosNemesis/isStable(_:)``), or when the
    /// nemesis stopped waiting for that (``settled`` false); nil when nobody watched, and then
    /// the heal ends the span.
    var observedUntil: Duration? = nil
    /// Whether the group was seen stable again by ``observedUntil``.
    var settled = false

    /// From the injection until the group was stable again (or the watch ended, or the heal).
    var observedSpan: ClosedRange<Duration> { injected...max(injected, observedUntil ?? healed) }

    /// Whether `other`, another fault, was active at some moment this one was (injected before
    /// this one healed and healed after it was injected).
    func overlaps(_ other: ChaosFault) -> Bool {
        other != self && other.injected <= healed && injected <= other.healed
    }
}

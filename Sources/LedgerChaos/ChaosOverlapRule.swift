/// Which two faults `ledger chaos --overlap` may have active at once.
///
/// Every fault kind acts on one layer of one node (``Layer``), and either takes that node out
/// of the group's majority while it lasts (``takesNodeOut``: it is dead, stopped or cut off) or
/// only degrades it (netem, a slow disk, a full disk: the node still votes and replicates).
///
/// Two faults may overlap when
/// - they act on different layers if they hit the same node (two faults on one process, link
///   or disk would undo each other: a SIGTERM to a stopped process, a heal of the other's cut),
///   and
/// - without `--unsafe`, together they take at most one node out, so a majority of the three
///   stays up and connected: both hit the same node, or at least one of them only degrades.
///
/// `--unsafe` drops the second condition: two nodes may be out at once, the group has no
/// majority for as long as they overlap, and the checker expects that
/// (``excusesChanges(during:by:)``).
struct ChaosOverlapRule: Sendable, Hashable {
    /// What part of a node a fault acts on.
    enum Layer: Sendable, Hashable {
        case process
        case network
        case disk
    }

    /// Whether two faults on different nodes may both take their node out.
    var unsafe: Bool

    /// The layer `kind` acts on.
    static func layer(_ kind: ChaosFaultKind) -> Layer {
        switch kind {
        case .kill, .pause, .restart, .longPause: .process
        case .partition, .netem: .network
        case .slowDisk, .diskFull: .disk
        }
    }

    /// Whether `kind` takes its node out of the majority while it lasts.
    static func takesNodeOut(_ kind: ChaosFaultKind) -> Bool {
        switch kind {
        case .kill, .pause, .restart, .longPause, .partition: true
        case .netem, .slowDisk, .diskFull: false
        }
    }

    /// Whether a fault of kind `second` on node `secondNode` may begin while one of kind `first`
    /// on `firstNode` is active.
    func allows(_ first: ChaosFaultKind, on firstNode: String, _ second: ChaosFaultKind, on secondNode: String)
        -> Bool
    {
        if firstNode == secondNode { return ChaosOverlapRule.layer(first) != ChaosOverlapRule.layer(second) }
        return unsafe || !(ChaosOverlapRule.takesNodeOut(first) && ChaosOverlapRule.takesNodeOut(second))
    }

    /// Whether some two of `kinds` may ever overlap (on some pair of nodes of a group of three).
    func admitsSomePair(of kinds: [ChaosFaultKind]) -> Bool {
        kinds.contains { first in
            kinds.contains { second in
                allows(first, on: "a", second, on: "a") || allows(first, on: "a", second, on: "b")
            }
        }
    }

    /// Whether a leadership change seen during `fault` may be blamed on `other`, which
    /// overlapped it: with `--unsafe` always (two nodes out leave the leader without a majority,
    /// and it steps down); without it, when `other` hit the leader, or another node than
    /// `fault`'s. While `fault` takes its node out, the other two are the only majority left, so
    /// a fault that merely degrades one of them (a slow disk stalling its acknowledgements, a
    /// lossy link) may cost the leader its quorum; one on `fault`'s own node cannot.
    func excusesChanges(during fault: ChaosFault, by other: ChaosFault) -> Bool {
        unsafe || other.targetedLeader || other.node != fault.node
    }
}

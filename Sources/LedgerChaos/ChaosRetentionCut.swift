import LedgerClient

/// What retention took from the final logs of a run whose group deletes old data files (the
/// soak's minutes of `fileReservedTime`), and the rule the checker applies to what is gone.
///
/// Each node's log starts at its own first index (its snapshot before it holds the rest), and
/// each queue at its own min offset, so the nodes' final contents are compared only where all of
/// them still hold data: from the largest first index, and per queue from the largest min
/// offset (``trim(_:served:reservedMilliseconds:runStartedAt:)``). What lies before that cut
/// cannot be read any more; what the checker still verifies of it:
///
/// - an acknowledged send at a position before the cut is gone legitimately only when its
///   first attempt started at least `fileReservedTime` before the last final log was read
///   (retention deletes a data file once its newest record, stored after that attempt began,
///   is that old); a send whose first attempt is younger than that must still be stored where
///   it was acknowledged (acknowledged-present);
/// - a consumer group's committed offset may lie below its queue's min offset (RocketMQ's
///   consumers go on from the min offset), never above its max offset (offsets-in-log);
/// - reads of positions before the cut, duplicates and producer order across the cut are not
///   checked: the bytes they would be compared with are deleted.
struct ChaosRetentionCut: Sendable, Hashable {
    /// The group's `fileReservedTime`, in ms.
    var reservedMilliseconds: Int64
    /// When the run started (the recorder's start), ms since the epoch: operations' `started`
    /// and `ended` count from it.
    var runStartedAt: Int64
    /// When the last final log had been read, ms since the epoch: retention deleted nothing
    /// younger than `fileReservedTime` before it.
    var cutAt: Int64
    /// The first raw log index every node still holds.
    var firstIndex: UInt64
    /// Per queue (`topic/id`), the first offset every node still holds; a queue not named is
    /// not cut.
    var queueStarts: [String: Int64]

    /// Whether `position` lies before the cut: deleted on at least one node.
    func isCut(_ position: ChaosPosition) -> Bool {
        switch position {
        case .index(let index): index < firstIndex
        case .queueOffset(let queue, let offset): offset < (queueStarts[queue] ?? 0)
        }
    }

    /// The ms since the epoch `elapsed` into the run.
    func epochMilliseconds(_ elapsed: Duration) -> Int64 { runStartedAt + elapsed.wholeMilliseconds }

    /// Every node's `contents` (and the leader's `served` view) cut to where all of them still
    /// hold data, and the cut: from the largest first raw index of any node (a node's first
    /// index is its smallest `index` position), and per queue from the largest lower bound of
    /// its `queueBounds` on any node or in the served view. `cutAt` is when the last of them
    /// was read.
    static func trim(
        _ contents: [ChaosNodeContents], served: ChaosNodeContents?, reservedMilliseconds: Int64,
        runStartedAt: Int64, cutAt: Int64
    ) -> (contents: [ChaosNodeContents], served: ChaosNodeContents?, cut: ChaosRetentionCut) {
        var firstIndex: UInt64 = 1
        var starts: [String: Int64] = [:]
        for node in contents + (served.map { [$0] } ?? []) {
            let indexes = node.items.compactMap { item -> UInt64? in
                if case .index(let index) = item.position { index } else { nil }
            }
            firstIndex = max(firstIndex, indexes.min() ?? 1)
            for (queue, bounds) in node.queueBounds {
                starts[queue] = max(starts[queue] ?? 0, bounds.lowerBound)
            }
        }
        let cut = ChaosRetentionCut(
            reservedMilliseconds: reservedMilliseconds, runStartedAt: runStartedAt, cutAt: cutAt,
            firstIndex: firstIndex, queueStarts: starts)
        func kept(_ node: ChaosNodeContents) -> ChaosNodeContents {
            var node = node
            node.items.removeAll { cut.isCut($0.position) }
            return node
        }
        return (contents.map(kept), served.map(kept), cut)
    }
}

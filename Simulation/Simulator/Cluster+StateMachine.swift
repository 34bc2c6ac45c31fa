import CommitLog
import LedgerModel
import Raft
import Replica

/// Each node's replicated state machine: the real `CommitLogStateMachine` in its own directory
/// of the node's simulated disk, reopened at every start; its replica applies the committed
/// entries and persists it now and then. A crash loses what was not persisted; the node replays
/// it from its Raft log.
extension Cluster {
    static let commitLogDirectory = "/commitlog"

    /// Reopens `node`'s CommitLog from its files (an empty one on the first start); its digest
    /// must be the one every node had at its applied index.
    func openStateMachine(_ node: SimNode) throws(Violation) -> CommitLogStateMachine {
        let machine: CommitLogStateMachine
        do {
            machine = try CommitLogStateMachine.open(
                directory: Self.commitLogDirectory, fileSystem: node.disk.stateMachineFileSystem,
                configuration: options.commitLog, log: LogStoreMessages(node.disk.store))
        } catch {
            throw Violation("commitlog-recovery", "n\(node.id) cannot reopen its CommitLog: \(error)")
        }
        if machine.appliedIndex > node.disk.durableLastIndex {
            throw Violation(
                "commitlog-recovery",
                "n\(node.id) reopened its CommitLog at index \(machine.appliedIndex), past its durable Raft log "
                    + "(\(node.disk.durableLastIndex))")
        }
        if machine.appliedIndex > .zero, let recovery = machine.recovery {
            note(
                "n\(node.id) CommitLog reopened at index \(recovery.appliedIndex): \(recovery.messages) messages, "
                    + "\(recovery.rebuiltQueues.count) consume queues rebuilt")
        }
        do {
            try Replica.reconcile(store: node.disk.store, stateMachine: machine)
        } catch {
            throw Violation("commitlog-recovery", "n\(node.id) cannot install its kept snapshot: \(error)")
        }
        try commitLogChecker.recovered(node, machine)
        return machine
    }

    /// The state machine of node `id`, which must be up.
    func runningMachine(_ id: NodeID) throws(Violation) -> (id: NodeID, machine: CommitLogStateMachine) {
        guard let machine = nodes[index(of: id)].machine else { throw Violation("convergence", "n\(id) is down") }
        return (id, machine)
    }

    /// What `node`'s state machine is given for the committed `entries`: the entries themselves,
    /// unless a test broke the state machine on purpose (the Raft checks still see the real ones).
    func stateMachineEntries(_ entries: [Entry], on node: SimNode) -> [Entry] {
        let broken = options.brokenStateMachine
        guard !broken.isEmpty else { return entries }
        var given = entries
        if broken.contains(.ignoreProducerStamps) { given = given.map(Self.strippingProducerStamps) }
        if broken.contains(.swapApplies) && node.index == nodes.count - 1 {
            let commands = given.indices.filter { given[$0].kind == .normal }
            if commands.count >= 2 {
                let (first, second) = (commands[0], commands[1])
                (given[first].data, given[second].data) = (given[second].data, given[first].data)
            }
        }
        return given
    }

    /// `entry` with the producer stamps of its send removed.
    private static func strippingProducerStamps(_ entry: Entry) -> Entry {
        guard entry.kind == .normal else { return entry }
        let command: Command
        do {
            let payload = try EntryPayload(decoding: entry.data)
            if case .records = payload {
                // The flags byte says whether the producer stamp counts.
                var rewritten = entry
                rewritten.data[1] = 0
                return rewritten
            }
            guard case .command(let decoded) = payload else { return entry }
            command = decoded
        } catch {
            // Not a command: the state machine rejects it the same way with or without this rule.
            return entry
        }
        let stripped: Command
        switch command {
        case .send(var message, let stamp):
            message.producer = nil
            stripped = .send(message, stamp)
        case .sendBatch(var batch, let stamp):
            batch.producer = nil
            stripped = .sendBatch(batch, stamp)
        case .commitOffset, .updateTopic, .deleteTopic, .rollbackTransaction, .checkTransaction:
            return entry
        }
        var rewritten = entry
        do {
            rewritten.data = try EntryPayload.encode(stripped)
        } catch {
            preconditionFailure("a decoded command does not encode again: \(error)")
        }
        return rewritten
    }
}

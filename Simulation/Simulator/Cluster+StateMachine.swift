import CommitLog
import LedgerModel
import Raft

/// Each node's replicated state machine: the real `CommitLogStateMachine` in its own directory
/// of the node's simulated disk, reopened at every start, fed the committed entries and
/// persisted now and then. A crash loses what was not persisted; the node replays it from its
/// Raft log.
extension Cluster {
    static let commitLogDirectory = "/commitlog"

    /// Reopens `node`'s CommitLog from its files (an empty one on the first start); its digest
    /// must be the one every node had at its applied index.
    func openStateMachine(_ node: SimNode) throws(Violation) -> CommitLogStateMachine {
        let machine: CommitLogStateMachine
        do {
            machine = try CommitLogStateMachine.open(
                directory: Self.commitLogDirectory, fileSystem: node.disk.stateMachineFileSystem,
                configuration: options.commitLog)
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
                    + "\(recovery.rebuiltQueues.count) consume queues rebuilt, \(recovery.discardedBytes) bytes cut")
        }
        try commitLogChecker.recovered(node, machine)
        return machine
    }

    /// Applies `entry` to `node`'s state machine and checks the outcome against every other node's.
    func applyToStateMachine(_ entry: Entry, on node: SimNode) throws(Violation) -> [ApplyResult] {
        guard let machine = node.machine else { preconditionFailure("apply on a node that is down") }
        let results = machine.apply(entry: entry)
        try commitLogChecker.applied(entry, results: results, digest: machine.digest, on: node)
        return results
    }

    /// Persists `node`'s CommitLog as the node does, in two halves: finishes the persist begun
    /// at an earlier ready (the persist thread writes, syncs and checkpoints; the machine then
    /// drops what it wrote from memory), then begins a new one once the machine has applied
    /// `persistEveryEntries` entries since the last. In between, the machine keeps applying and
    /// answering reads with the handed bytes still in memory.
    func persistIfDue(_ node: SimNode) throws(Violation) {
        guard let machine = node.machine else { return }
        do {
            if let pending = node.pendingPersist {
                try pending.perform(on: node.disk.stateMachineFileSystem)
                machine.completePersist(through: pending.appliedIndex)
                node.pendingPersist = nil
                statistics.persists += 1
            }
            guard machine.appliedIndex.rawValue >= node.persistedIndex.rawValue + options.persistEveryEntries else {
                return
            }
            node.pendingPersist = try machine.beginPersist()
        } catch {
            throw Violation("commitlog-storage", "n\(node.id) could not persist its CommitLog: \(error)")
        }
        node.persistedIndex = machine.appliedIndex
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
            guard case .command(let decoded) = try EntryPayload(decoding: entry.data) else { return entry }
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
        case .commitOffset:
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

import CommitLog
import FileIO
import LedgerModel
import LogStore
import Raft

/// A leader's snapshot arriving in pieces.
struct IncomingSnapshot {
    var first: SnapshotChunk
    var bytes: [UInt8]
    /// Set once every byte arrived and the CRC matched: the core's offer to step.
    var offer: Message?
}

/// Snapshots: taken as the applied log crosses into a new data file, sent in pieces to a
/// follower the leader's log can no longer serve, assembled and installed by that follower.
extension Replica {
    /// Before an owner builds a replica: a state machine behind the log's start (a crash between
    /// resetting the log to a leader's snapshot and installing that snapshot, or indexes rebuilt
    /// from scratch over a compacted log) installs the node's own snapshot at the log's start,
    /// which is durable before the log moves; one reopened from a checkpoint older than the
    /// last retention pass forgets again the queue entries before the log's start.
    public static func reconcile(store: LogStore, stateMachine: CommitLogStateMachine) throws(CommitLogError) {
        let base = store.firstIndex.previous
        guard base > .zero else { return }
        guard stateMachine.appliedIndex < base else {
            return try stateMachine.logCompacted(before: store.firstIndex)
        }
        guard stateMachine.snapshots.contains(where: { $0.metadata.index == base }) else {
            throw .inconsistent(
                file: "the state snapshots",
                detail: "the log starts after index \(base), the message store has applied only through "
                    + "\(stateMachine.appliedIndex), and no snapshot at \(base) is kept: wipe the node's "
                    + "storeBaseDir and let it catch up from the group")
        }
        try stateMachine.install(stateMachine.snapshotBytes(at: base))
    }

    /// The start of the data file holding the last applied entry's record (nil when that entry
    /// is not in the log).
    func appliedFile() -> UInt64? {
        let applied = stateMachine.appliedIndex
        let fileSize = UInt64(store.configuration.dataFileSize)
        if applied == store.firstIndex.previous {
            return store.startPosition == 0 ? nil : (store.startPosition - 1) / fileSize * fileSize
        }
        // An index that cannot be read here fails the apply path's next read of it, which stops
        // the replica; until then no snapshot is due.
        guard applied >= store.firstIndex, applied <= store.lastIndex, let end = try? store.recordEnd(of: applied)
        else { return nil }
        return (end - 1) / fileSize * fileSize
    }

    /// Called before entry `index`, whose record starts at `recordPosition`, is applied: when
    /// it lies in a later data file than the entry before it, the state after that entry is
    /// snapshotted, so retention can delete the files before this one.
    func snapshotAtFileBoundary(before index: LogIndex, recordPosition: UInt64) throws(LogStoreError) {
        let fileSize = UInt64(store.configuration.dataFileSize)
        let file = recordPosition / fileSize * fileSize
        defer { lastAppliedFile = file }
        guard let previous = lastAppliedFile, previous != file, stateMachine.appliedIndex == index.previous,
            index.previous >= store.firstIndex, stateMachine.snapshots.last?.metadata.index != index.previous
        else { return }
        let continuation = try store.continuation(after: index.previous)
        stateMachine.takeSnapshot(
            term: continuation.snapshot.term, logPosition: continuation.position, logChain: continuation.chain)
    }

    /// The core offers `snapshot` to `peer`: its bytes leave in pieces, then the core hears that
    /// they left (the follower answers once installed; a lost piece makes it reject the next
    /// append, and the offer is repeated).
    ///
    /// Resumable: when the follower's last receipt names this snapshot (index, term and CRC)
    /// and holds part of it, the pieces start where that part ends.
    func sendSnapshot(_ snapshot: SnapshotMetadata, to peer: NodeID, term: Term) {
        let bytes: [UInt8]
        do {
            bytes = try stateMachine.snapshotBytes(at: snapshot.index)
        } catch {
            log(.error, "cannot send \(snapshot) to node \(name(peer)): \(error)")
            core.reportSnapshot(to: peer, delivered: false)
            return
        }
        let checksum = CRC32C.checksum(bytes)
        var offset = 0
        if let receipt = snapshotReceipts[peer], receipt.snapshot == snapshot, receipt.checksum == checksum,
            receipt.totalBytes == UInt64(bytes.count), receipt.offset < receipt.totalBytes
        {
            offset = Int(receipt.offset)
        }
        log(
            .info,
            "sending node \(name(peer)) the snapshot at index \(snapshot.index) (\(bytes.count) bytes"
                + (offset == 0 ? ")" : ", resuming at byte \(offset), which it holds)"))
        retentionCounters.snapshotBytesSent += UInt64(bytes.count - offset)
        repeat {
            let end = min(bytes.count, offset + configuration.snapshotChunkBytes)
            host.perform(
                .sendSnapshot(
                    SnapshotChunk(
                        from: configuration.raft.id, to: peer, term: term, snapshot: snapshot,
                        totalBytes: UInt64(bytes.count), checksum: checksum, offset: UInt64(offset),
                        data: Array(bytes[offset..<end]))))
            offset = end
        } while offset < bytes.count
        core.reportSnapshot(to: peer, delivered: true)
        retentionCounters.snapshotsSent += 1
    }

    /// A piece of a leader's snapshot: kept while the pieces arrive in order; once whole and
    /// intact, the offer is stepped into the core as soon as no sync or persist runs.
    ///
    /// Every piece is answered with a receipt of what this node holds of that snapshot; a
    /// receipt (a piece without bytes) from a follower is kept for the next offer to resume at.
    func received(_ chunk: SnapshotChunk) throws(Violation) {
        guard chunk.term >= core.term, chunk.to == configuration.raft.id, chunk.totalBytes > 0 else { return }
        if chunk.isReceipt {
            snapshotReceipts[chunk.from] = chunk
            return
        }
        let continues =
            incomingSnapshot.map {
                $0.offer == nil && $0.first.snapshot == chunk.snapshot && $0.first.checksum == chunk.checksum
                    && $0.first.from == chunk.from && $0.first.totalBytes == chunk.totalBytes
            } ?? false
        if chunk.offset == 0 {
            incomingSnapshot = IncomingSnapshot(first: chunk, bytes: chunk.data, offer: nil)
        } else if continues, var incoming = incomingSnapshot, UInt64(incoming.bytes.count) == chunk.offset {
            incomingSnapshot = nil
            incoming.bytes += chunk.data
            incomingSnapshot = incoming
        } else {
            // A piece that does not continue what this node holds (one before it was lost): the
            // leader offers the snapshot again, resuming at what the receipt says is held.
            let held = continues ? UInt64(incomingSnapshot?.bytes.count ?? 0) : 0
            host.perform(.sendSnapshot(.receipt(for: chunk, holding: held)))
            return
        }
        guard var incoming = incomingSnapshot else { return }
        host.perform(.sendSnapshot(.receipt(for: chunk, holding: UInt64(incoming.bytes.count))))
        guard UInt64(incoming.bytes.count) >= chunk.totalBytes else { return }
        guard UInt64(incoming.bytes.count) == chunk.totalBytes, CRC32C.checksum(incoming.bytes) == chunk.checksum,
            let decoded = try? StateSnapshot(decoding: incoming.bytes), decoded.metadata == chunk.snapshot
        else {
            log(.warning, "discarded node \(name(chunk.from))'s snapshot at index \(chunk.snapshot.index): damaged")
            incomingSnapshot = nil
            host.perform(.sendSnapshot(.receipt(for: chunk, holding: 0)))
            return
        }
        incoming.offer = Message(
            from: chunk.from, to: chunk.to, term: chunk.term, body: .installSnapshot(chunk.snapshot))
        incomingSnapshot = incoming
        stepSnapshotOfferIfIdle()
    }

    /// Steps a whole snapshot's offer into the core once no sync or persist is in flight (the
    /// install resets the log and the state machine's files under them).
    /// Nor while the disk refuses the log's writes: installing writes the snapshot, the log's
    /// checkpoint and the message store's files, and a core reset to the snapshot cannot go back.
    func stepSnapshotOfferIfIdle() {
        guard let offer = incomingSnapshot?.offer, !groupCommit.isSyncing, !persistence.inFlight,
            refusedLogWrites == nil, isWritable
        else { return }
        step(offer)
        // Not newer than what this node holds: the core answered without restoring it.
        if !core.hasSnapshotToInstall { incomingSnapshot = nil }
    }

    /// Installs the leader's snapshot a ready carries (its bytes were assembled before the
    /// offer was stepped): kept as this node's own snapshot, the log reset to continue where the
    /// leader's does, then the state machine replaced. Each step is durable before the next, and
    /// a crash in between is finished by ``reconcile(store:stateMachine:)`` at the next start.
    func install(_ snapshot: SnapshotMetadata) throws(Violation) {
        guard let incoming = incomingSnapshot, incoming.first.snapshot == snapshot else {
            preconditionFailure("installing \(snapshot) whose bytes this node does not hold")
        }
        incomingSnapshot = nil
        let state: StateSnapshot
        do {
            state = try StateSnapshot(decoding: incoming.bytes)
        } catch {
            return stop(.stateMachine(.corruptSnapshot(file: "node \(name(incoming.first.from))'s snapshot", error)))
        }
        precondition(state.metadata == snapshot, "the snapshot's bytes hold \(state.metadata), offered \(snapshot)")
        do {
            try stateMachine.keepSnapshot(incoming.bytes)
        } catch {
            return stop(.stateMachine(error))
        }
        do {
            try store.reset(
                to: LogStore.Continuation(snapshot: snapshot, position: state.logPosition, chain: state.logChain))
        } catch {
            return stop(.storage(error))
        }
        do {
            try stateMachine.install(incoming.bytes)
        } catch {
            return stop(.stateMachine(error))
        }
        persistence.persistedIndex = snapshot.index
        persistence.appliedSince = 0
        proposalTail = nil
        predictedEnd = nil
        lastAppliedFile = appliedFile()
        retentionCounters.snapshotsInstalled += 1
        try observer?.didInstall(snapshot, stateMachine: stateMachine)
        log(
            .info,
            "installed node \(name(incoming.first.from))'s snapshot at index \(snapshot.index) "
                + "(\(incoming.bytes.count) bytes); the log continues at position \(store.startPosition)")
    }
}

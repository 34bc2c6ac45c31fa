import Posix
import Raft
import Replica

extension LedgerServer {
    /// Closes `socket`, just accepted on `port` where `open` connections are the limit: logged
    /// once a minute per port with the refusals in between, and counted.
    func refuseOverLimit(_ socket: Socket, on port: ServerMetrics.Port, open: Int) {
        socket.close()
        metrics.refused(on: port)
        if let skipped = connectionLimitLog.record(address: "\(port.rawValue) limit", now: .now) {
            let more = skipped > 0 ? " (and \(skipped) more since the last line)" : ""
            logger.warning(
                term: replica.term.rawValue,
                "\(port.rawValue) port: \(open) connections open, the limit (maxConnections); refused a new one\(more)")
        }
    }

    /// Closes every connection that ``StallWatch`` finds stalled, then runs again in a second.
    func sweepStalledConnections() {
        guard stopReason == nil else { return }
        let watch = StallWatch(timeout: options.stalledConnectionTimeout)
        let now = ContinuousClock.now
        for connection in connections.values {
            let peer = peerAuthentications[connection.id]
            let progress = StallWatch.Progress(
                lastActivity: connection.lastActivity, partialBytes: connection.partialBytes,
                established: peer.map { $0.authenticatedPeer != nil } ?? connection.hasSentFrame)
            if let stall = watch.stall(progress, now: now) {
                closeStalled(on: .node, connection.label, stall) { close(connection, reason: stall) }
            }
        }
        for connection in remotingConnections.values {
            let progress = StallWatch.Progress(
                lastActivity: connection.lastActivity, partialBytes: connection.partialBytes,
                established: connection.hasSentFrame)
            if let stall = watch.stall(progress, now: now) {
                closeStalled(on: connection.role == .broker ? .remoting : .nameServer, connection.label, stall) {
                    closeRemoting(connection)
                }
            }
        }
        loop.schedule(after: .seconds(1)) { [unowned self] in sweepStalledConnections() }
    }

    private func closeStalled(on port: ServerMetrics.Port, _ label: String, _ stall: String, close: () -> Void) {
        metrics.stalled(on: port)
        if let skipped = connectionLimitLog.record(address: "\(port.rawValue) stalled", now: .now) {
            let more = skipped > 0 ? " (and \(skipped) more since the last line)" : ""
            logger.warning(term: replica.term.rawValue, "closing \(label): \(stall)\(more)")
        }
        close()
    }
}

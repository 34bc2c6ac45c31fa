import LedgerModel
import Posix
import Raft
import Replica

extension LedgerServer {
    /// Measures how full the store's file system is for `ledger status` and `/metrics`, then
    /// again in a second. A failed measurement is logged when it starts failing and shows as
    /// unknown.
    func measureDisk() {
        guard stopReason == nil else { return }
        do {
            let usage = try DiskUsage.of(options.storeDirectory)
            replica.diskUsageMeasured(own: usage.usedBasisPoints, peers: peerDiskUsage())
            diskUsage = usage
            diskUsageFailed = false
        } catch {
            if !diskUsageFailed {
                logger.warning(term: replica.term.rawValue, "cannot measure the store's disk: \(error)")
            }
            diskUsageFailed = true
            diskUsage = nil
            replica.diskUsageMeasured(own: nil, peers: peerDiskUsage())
        }
        loop.schedule(after: .seconds(1)) { [unowned self] in measureDisk() }
    }

    /// The other members' disk use as they last reported it, from answers at most 1.5 s old
    /// (the peer status the group view polls twice a second).
    private func peerDiskUsage() -> [(name: String, basisPoints: UInt16)] {
        let now = ContinuousClock().now
        return links.compactMap { link in
            guard let (status, at) = link.lastStatus, now - at <= .milliseconds(1500),
                let points = status.diskUsedBasisPoints
            else { return nil }
            return (status.nodeName, points)
        }
    }
}

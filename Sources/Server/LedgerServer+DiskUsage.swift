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
            replica.diskUsedBasisPoints = usage.usedBasisPoints
            diskUsage = usage
            diskUsageFailed = false
        } catch {
            if !diskUsageFailed {
                logger.warning(term: replica.term.rawValue, "cannot measure the store's disk: \(error)")
            }
            diskUsageFailed = true
            diskUsage = nil
            replica.diskUsedBasisPoints = nil
        }
        loop.schedule(after: .seconds(1)) { [unowned self] in measureDisk() }
    }
}

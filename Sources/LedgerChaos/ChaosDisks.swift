import LedgerCLI
import LedgerLocalGroup
import Posix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The nodes' own disks of one chaos run with a `slow-disk` or `disk-full` fault
/// (``ChaosDiskPlan``): makes them, slows and fills them on the nemesis's behalf, and removes
/// everything it made when the run ends, on a failure, or on SIGINT/SIGTERM
/// (``ChaosSignalCleanup``): throttles cleared, file systems unmounted (lazily when a node still
/// holds one), loop devices detached. A crashed run's disks are removed by the next run with a
/// disk fault: every loop device whose image is named `ledger-<run>-dK.img` for a process
/// `<run>` that no longer exists.
final class ChaosDisks: Sendable {
    let plan: ChaosDiskPlan
    private let tools: Tools
    private let scratchDirectory: String
    /// Each node's loop device (`/dev/loopN`, `major:minor`), and which are slowed or filled.
    private let state:
        Mutex<(devices: [Int: (path: String, number: String)], slowed: Set<Int>, filled: Set<Int>, removed: Bool)>

    /// Absolute paths of the programs the disks are made with.
    struct Tools: Sendable {
        var losetup: String
        var mkfs: String
        var mount: String
        var umount: String
    }

    /// Why a slow-disk fault cannot run here, or nil when it can: it needs cgroup v1's block
    /// I/O throttle of the root group.
    static func slowDiskProblem() -> String? {
        let file = "\(ChaosDiskPlan.blkioDirectory)/\(ChaosDiskPlan.throttles[0].0)"
        guard fileExists(file) else {
            return "this kernel (or its cgroup mounts) has no cgroup v1 blkio throttle: \(file) does not exist "
                + "(a cgroup v2 io.max would need the node in a cgroup of its own and is not used; device-mapper's "
                + "delay target is another way this runner does not take)"
        }
        return nil
    }

    /// Makes a disk for each of `storeDirectories` (node `K`'s is the `K`th) in `directory`,
    /// after removing any stale run's, and links each store directory to its disk. With
    /// `slowDisk`, first checks that the kernel can throttle a loop device.
    init(directory: String, storeDirectories: [String], slowDisk: Bool) throws(HarnessError) {
        plan = ChaosDiskPlan(run: getpid(), nodes: storeDirectories.count, directory: directory)
        scratchDirectory = directory
        if slowDisk, let problem = ChaosDisks.slowDiskProblem() {
            throw HarnessError("the slow-disk fault cannot run: \(problem)")
        }
        func locate(_ tool: String, _ package: String) throws(HarnessError) -> String {
            try ChaosTools.locate(
                tool, package: package, for: "the disk faults", scratchDirectory: directory)
        }
        tools = Tools(
            losetup: try locate("losetup", "mount"), mkfs: try locate("mkfs.ext4", "e2fsprogs"),
            mount: try locate("mount", "mount"), umount: try locate("umount", "mount"))
        state = Mutex((devices: [:], slowed: [], filled: [], removed: false))
        try removeStaleRuns()
        let disks = self
        ChaosSignalCleanup.register("unmounting the run's disks \(plan.disksDirectory)/*") { disks.tearDown() }
        do throws(HarnessError) {
            try make(storeDirectories)
        } catch {
            tearDown()
            throw error
        }
    }

    private func make(_ storeDirectories: [String]) throws(HarnessError) {
        for (node, storeDirectory) in storeDirectories.enumerated() {
            let image = plan.image(node)
            do {
                try makeDirectories(plan.mountPoint(node))
                let file = try FileDescriptor.open(image, create: true)
                try file.truncate(to: ChaosDiskPlan.imageBytes)
                try file.close()
            } catch {
                throw HarnessError("cannot make node \(node)'s disk image \(image): \(error)")
            }
            try run(tools.mkfs, ["-q", "-F", "-m", "0", "-L", plan.name(node), image])
            let path = try run(tools.losetup, ["--find", "--show", image]).trimmingCharacters
            let number = try ChaosDisks.deviceNumber(of: path)
            state.withLock { $0.devices[node] = (path, number) }
            // A throttle outlives the loop device it was set on: clear any a crashed run left.
            if ChaosDisks.slowDiskProblem() == nil { try clearThrottle(number) }
            try run(tools.mount, ["-t", "ext4", path, plan.mountPoint(node)])
            let parent =
                (storeDirectory.hasPrefix("/") ? "/" : "")
                + storeDirectory.split(separator: "/").dropLast().joined(separator: "/")
            do {
                try makeDirectories(plan.store(node))
                try makeDirectories(parent)
            } catch {
                throw HarnessError("cannot make node \(node)'s store directory \(plan.store(node)): \(error)")
            }
            guard symlink(plan.store(node), storeDirectory) == 0 else {
                let error = SystemError("symlink", subject: storeDirectory, errno: errno)
                throw HarnessError("cannot link \(storeDirectory) to \(plan.store(node)): \(error)")
            }
        }
    }

    /// Throttles `node`'s loop device for every process (``ChaosDiskPlan/throttles``); returns
    /// the limit, described.
    func throttle(_ node: Int) throws(HarnessError) -> String {
        let number = device(node).number
        for (file, limit) in ChaosDiskPlan.throttles { try writeThrottle(file, "\(number) \(limit)") }
        state.withLock { _ = $0.slowed.insert(node) }
        return "\(ChaosDiskPlan.slowDescription) (blkio throttle on \(device(node).path))"
    }

    /// Lifts `node`'s throttle, if it has one.
    func unthrottle(_ node: Int) throws(HarnessError) {
        guard state.withLock({ $0.slowed.contains(node) }) else { return }
        try clearThrottle(device(node).number)
        state.withLock { _ = $0.slowed.remove(node) }
    }

    /// Fills `node`'s file system to ``ChaosDiskPlan/fullBasisPoints`` with a ballast file;
    /// returns how full it is, described.
    func fill(_ node: Int) throws(HarnessError) -> String {
        let mountPoint = plan.mountPoint(node)
        do {
            let before = try DiskUsage.of(mountPoint)
            let bytes = ChaosDiskPlan.ballastBytes(used: before.usedBytes, available: before.availableBytes)
            let file = try FileDescriptor.open(plan.ballast(node), create: true)
            state.withLock { _ = $0.filled.insert(node) }
            let allocated = Result { () throws(SystemError) in if bytes > 0 { try file.allocate(size: bytes) } }
            try file.close()
            try allocated.get()
            let after = try DiskUsage.of(mountPoint)
            let percent = Double(after.usedBasisPoints) / 100
            return "to \(percent)% with a \(bytes >> 20) MiB ballast"
        } catch {
            throw HarnessError("cannot fill node \(node)'s disk \(mountPoint): \(error)")
        }
    }

    /// Deletes `node`'s ballast, if it has one.
    func empty(_ node: Int) throws(HarnessError) {
        guard state.withLock({ $0.filled.contains(node) }) else { return }
        do {
            try Directory.unlink(plan.ballast(node))
        } catch {
            throw HarnessError("cannot delete node \(node)'s ballast: \(error)")
        }
        state.withLock { _ = $0.filled.remove(node) }
    }

    /// Lifts every throttle and deletes every ballast.
    func healAll() throws(HarnessError) {
        let (slowed, filled) = state.withLock { ($0.slowed.sorted(), $0.filled.sorted()) }
        for node in slowed { try unthrottle(node) }
        for node in filled { try empty(node) }
    }

    /// Lifts every throttle, unmounts every disk (lazily when it is still in use) and detaches
    /// every loop device. Safe to call more than once and from any thread; problems are printed.
    func tearDown() {
        let devices: [(Int, (path: String, number: String))]? = state.withLock { state in
            if state.removed { return nil }
            state.removed = true
            return state.devices.sorted { $0.key < $1.key }
        }
        guard let devices else { return }
        for (node, device) in devices {
            for problem in remove(device: device.path, number: device.number, mountPoints: [plan.mountPoint(node)]) {
                Console.error("ledger chaos: \(problem)")
            }
        }
    }

    /// The mount points of every mount of the device numbered `number`.
    static func mountPoints(of number: String) throws(HarnessError) -> [String] {
        do {
            let text = String(decoding: try readFile("/proc/self/mountinfo"), as: UTF8.self)
            return ChaosDiskPlan.mountPoints(ofDevice: number, inMountInfo: text)
        } catch {
            throw HarnessError("cannot read /proc/self/mountinfo: \(error)")
        }
    }

    /// Clears the throttle of `number`, unmounts each of `mountPoints` that is mounted from it
    /// (lazily when it is busy) and detaches `device`; returns what failed.
    private func remove(device: String, number: String, mountPoints: [String]) -> [String] {
        var problems: [String] = []
        do throws(HarnessError) {
            if ChaosDisks.slowDiskProblem() == nil { try clearThrottle(number) }
            let mounted = try ChaosDisks.mountPoints(of: number)
            for point in mounted where mountPoints.isEmpty || mountPoints.contains(point) {
                do throws(HarnessError) {
                    try run(tools.umount, [point])
                } catch {
                    try run(tools.umount, ["-l", point])
                }
            }
            try run(tools.losetup, ["-d", device])
        } catch {
            problems.append("cannot remove the disk on \(device): \(error)")
        }
        return problems
    }

    /// Removes the disks of runs whose process no longer exists.
    private func removeStaleRuns() throws(HarnessError) {
        let names: [String]
        do {
            names = try Directory.list("/sys/block").filter { $0.hasPrefix("loop") }
        } catch {
            throw HarnessError("cannot list /sys/block: \(error)")
        }
        for name in names {
            let backing = "/sys/block/\(name)/loop/backing_file"
            guard fileExists(backing) else { continue }
            let file: String
            do {
                file = String(decoding: try readFile(backing), as: UTF8.self).trimmingCharacters
            } catch {
                throw HarnessError("cannot read \(backing): \(error)")
            }
            let image = file.hasSuffix(" (deleted)") ? String(file.dropLast(" (deleted)".count)) : file
            guard let run = ChaosDiskPlan.run(ofDisk: image), run != plan.run, ChaosTools.runIsOver(run)
            else { continue }
            Console.out("chaos: removing a stale run's disk: /dev/\(name) (\(image))")
            let number = try ChaosDisks.deviceNumber(of: "/dev/\(name)")
            let problems = remove(device: "/dev/\(name)", number: number, mountPoints: [])
            if let first = problems.first { throw HarnessError("cannot remove a stale run's disk: \(first)") }
        }
    }

    /// `major:minor` of the block device at `path` (`/dev/loopN`), from sysfs.
    private static func deviceNumber(of path: String) throws(HarnessError) -> String {
        let file = "/sys/block/\(path.split(separator: "/").last ?? "")/dev"
        do {
            return String(decoding: try readFile(file), as: UTF8.self).trimmingCharacters
        } catch {
            throw HarnessError("cannot read \(file) for \(path): \(error)")
        }
    }

    private func device(_ node: Int) -> (path: String, number: String) {
        guard let device = state.withLock({ $0.devices[node] }) else { preconditionFailure("node \(node) has no disk") }
        return device
    }

    private func clearThrottle(_ number: String) throws(HarnessError) {
        for (file, _) in ChaosDiskPlan.throttles { try writeThrottle(file, "\(number) 0") }
    }

    private func writeThrottle(_ file: String, _ line: String) throws(HarnessError) {
        let path = "\(ChaosDiskPlan.blkioDirectory)/\(file)"
        do {
            try writeFile(path, Array(line.utf8))
        } catch {
            throw HarnessError("cannot write \"\(line)\" to \(path): \(error)")
        }
    }

    @discardableResult
    private func run(_ tool: String, _ arguments: [String]) throws(HarnessError) -> String {
        try ChaosTools.run(
            tool, arguments, text: ([tool] + arguments).joined(separator: " "), scratchDirectory: scratchDirectory)
    }
}

extension String {
    /// Without leading and trailing spaces and newlines (a sysfs file's or a tool's one line).
    fileprivate var trimmingCharacters: String {
        String(drop { $0 == " " || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
    }
}

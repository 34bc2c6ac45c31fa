/// The nodes' own disks of one chaos run with a disk fault, as names, sizes and settings (no
/// I/O; ``ChaosDisks`` makes and removes them).
///
/// Node `K`'s disk is a sparse image file `disks/ledger-<run>-dK.img` in the run's directory,
/// formatted ext4 (no blocks reserved for root), attached to a loop device and mounted on
/// `disks/ledger-<run>-dK`; the node's store directory is a symbolic link to `store` in it, and
/// a disk-full fault's ballast is `ballast` beside it (outside the store, so a node restarted
/// during the fault finds only its own files). The run number is the runner's process id, so a
/// stale run's loop devices are told from a live run's by whether that process still exists.
struct ChaosDiskPlan: Sendable, Hashable {
    /// What every image and mount point of every run is named with first (as the network's
    /// namespaces are).
    static let namePrefix = ChaosNetworkPlan.namePrefix
    /// Each node's file system: room for the few 8 MiB data files a run writes.
    static let imageBytes: Int64 = 128 << 20
    /// How full a disk-full fault leaves the file system, in hundredths of a percent: above the
    /// default `diskSpaceWarningLevelRatio` (90 %), below 100 % so the node's own small writes
    /// (checkpoints, status) still find room.
    static let fullBasisPoints: Int64 = 9600
    /// Where cgroup v1 keeps the block I/O throttle of the root group (it applies to every
    /// process, the kernel's writeback threads included, and the tree is flat in v1).
    static let blkioDirectory = "/sys/fs/cgroup/blkio"
    /// What a slow-disk fault allows the node's loop device per second, each way.
    static let slowIOPS = 20
    static let slowBytesPerSecond = 1 << 20
    /// The throttle files a slow-disk fault writes, with the limit each gets.
    static let throttles = [
        ("blkio.throttle.read_iops_device", slowIOPS), ("blkio.throttle.write_iops_device", slowIOPS),
        ("blkio.throttle.read_bps_device", slowBytesPerSecond), ("blkio.throttle.write_bps_device", slowBytesPerSecond),
    ]
    /// How a slow disk is described in the fault log.
    static let slowDescription = "\(slowIOPS) I/O operations and \(slowBytesPerSecond >> 20) MiB per second each way"

    /// The run's number (the runner's process id).
    let run: Int32
    /// How many nodes.
    let nodes: Int
    /// The run's directory, which holds `disks/`.
    let directory: String

    /// `ledger-<run>-dK`: node `node`'s disk.
    func name(_ node: Int) -> String { "\(ChaosDiskPlan.namePrefix)\(run)-d\(node)" }
    /// The directory holding every image and mount point.
    var disksDirectory: String { "\(directory)/disks" }
    func image(_ node: Int) -> String { "\(disksDirectory)/\(name(node)).img" }
    func mountPoint(_ node: Int) -> String { "\(disksDirectory)/\(name(node))" }
    /// What node `node`'s store directory links to.
    func store(_ node: Int) -> String { "\(mountPoint(node))/store" }
    func ballast(_ node: Int) -> String { "\(mountPoint(node))/ballast" }

    /// How many bytes of ballast bring a file system with `used` and `available` bytes to
    /// ``fullBasisPoints`` (0 when it is that full already).
    static func ballastBytes(used: UInt64, available: UInt64) -> Int64 {
        let total = Int64(used + available)
        let target = (total * fullBasisPoints + 9_999) / 10_000
        return max(0, target - Int64(used))
    }

    /// The run number in a disk's name or its image's file name (`ledger-<run>-dK`,
    /// `ledger-<run>-dK.img`, either as a path), or nil for any other name.
    static func run(ofDisk path: String) -> Int32? {
        var name = Substring(path.split(separator: "/").last ?? "")
        if name.hasSuffix(".img") { name = name.dropLast(".img".count) }
        guard name.hasPrefix(namePrefix) else { return nil }
        let parts = name.dropFirst(namePrefix.count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let run = Int32(parts[0]), parts[1].hasPrefix("d"), Int(parts[1].dropFirst()) != nil
        else { return nil }
        return run
    }

    /// The mount points of the block device numbered `device` (`major:minor`) in
    /// `/proc/self/mountinfo` text (field 3 is the device, field 5 the mount point, with
    /// spaces, tabs, newlines and backslashes written as octal escapes).
    static func mountPoints(ofDevice device: String, inMountInfo text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[2] == device else { return nil }
            return unescape(fields[4])
        }
    }

    /// `\040` and its like back to the bytes they stand for.
    private static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var rest = Array(field.utf8)[...]
        while let byte = rest.first {
            if byte == UInt8(ascii: "\\"), rest.count >= 4,
                let value = UInt8(String(decoding: rest.dropFirst().prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                rest = rest.dropFirst(4)
            } else {
                bytes.append(byte)
                rest = rest.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

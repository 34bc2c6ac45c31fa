/// Settings of the message store (the CommitLog state machine). Every replica of a group must use
/// the same values: they decide queue counts, rejections and file boundaries, which must agree
/// byte for byte. A plain value: the node's configuration produces it, the store consumes it.
public struct CommitLogConfiguration: Hashable, Sendable {
    /// Size of each commit-log file (RocketMQ `mappedFileSizeCommitLog`, 1 GiB). A record never
    /// straddles two files.
    public var commitLogFileSize: Int
    /// Entries per consume-queue file (RocketMQ: 300,000 × 20 bytes).
    public var consumeQueueFileEntries: Int
    /// Queues of a topic created by its first send (RocketMQ `defaultTopicQueueNums`).
    public var defaultTopicQueueNums: Int32
    /// Largest body accepted (RocketMQ `maxMessageSize`, 4 MiB).
    public var maxMessageSize: Int
    /// Producers remembered for idempotence (the least recently seen is forgotten first).
    public var maxProducers: Int
    /// RocketMQ message unique keys (`UNIQ_KEY`) remembered for idempotence: a retried send
    /// whose key is remembered is answered with its original result instead of being stored
    /// again; the oldest key is forgotten first. Cover the sends of the longest retry window
    /// (send rate × the clients' retry time).
    public var maxUniqueKeys: Int
    /// Most messages one pull returns.
    public var maxPullMessages: Int
    /// Keys per key-index segment file (RocketMQ's `maxIndexNum`, smaller): memory holds one
    /// segment's slot table (a quarter as many 4-byte slots, 256 KiB by default); a lookup by
    /// key walks the segments newest first. Not replicated state: each node's own files.
    public var keyIndexSegmentEntries: Int
    /// Each delay level's delay in milliseconds, level 1 first (RocketMQ `messageDelayLevel`):
    /// a message sent with `DELAY=n` becomes visible in its topic `delayLevels[n - 1]` ms after
    /// it was stored. A level above the last is the last.
    public var delayLevels: [Int64]
    /// Places the slots of the unique-key table's index (`FingerprintIndex`). Not replicated
    /// state, and no result depends on it: a server draws one per process so that keys chosen
    /// to collide cannot pile up in one run of slots; the simulator and tests keep 0, so their
    /// runs replay exactly.
    public var uniqueKeyIndexSeed: UInt64 = 0

    /// RocketMQ's `messageDelayLevel` default: `1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h`.
    public static let defaultDelayLevels: [Int64] = [
        1, 5, 10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200,
    ].map { $0 * 1000 }

    public init(
        commitLogFileSize: Int = 1 << 30, consumeQueueFileEntries: Int = 300_000, defaultTopicQueueNums: Int32 = 4,
        maxMessageSize: Int = 4 << 20, maxProducers: Int = 10_000, maxUniqueKeys: Int = 20_000,
        maxPullMessages: Int = 1024,
        keyIndexSegmentEntries: Int = 1 << 18, delayLevels: [Int64] = CommitLogConfiguration.defaultDelayLevels
    ) {
        self.commitLogFileSize = commitLogFileSize
        self.consumeQueueFileEntries = consumeQueueFileEntries
        self.defaultTopicQueueNums = defaultTopicQueueNums
        self.maxMessageSize = maxMessageSize
        self.maxProducers = maxProducers
        self.maxUniqueKeys = maxUniqueKeys
        self.maxPullMessages = maxPullMessages
        self.keyIndexSegmentEntries = keyIndexSegmentEntries
        self.delayLevels = delayLevels
    }

    /// Throws ``InvalidConfiguration`` for the first value out of range.
    public func validate() throws(InvalidConfiguration) {
        func check(_ ok: Bool, _ key: String, _ value: Int, _ expected: String) throws(InvalidConfiguration) {
            if !ok { throw InvalidConfiguration(key: key, value: String(value), expected: expected) }
        }
        try check(
            commitLogFileSize >= 4096 && commitLogFileSize <= Int(Int32.max), "commitLogFileSize", commitLogFileSize,
            "4096 to 2147483647 bytes")
        try check(consumeQueueFileEntries >= 1, "consumeQueueFileEntries", consumeQueueFileEntries, "at least 1")
        try check(
            defaultTopicQueueNums >= 1 && defaultTopicQueueNums <= 1024, "defaultTopicQueueNums",
            Int(defaultTopicQueueNums), "1 to 1024")
        try check(
            maxMessageSize >= 1 && maxMessageSize < Int(Int32.max) / 2, "maxMessageSize", maxMessageSize,
            "1 byte to 1 GiB")
        try check(maxProducers >= 1, "maxProducers", maxProducers, "at least 1")
        try check(
            maxUniqueKeys >= 1 && maxUniqueKeys <= 10_000_000, "maxUniqueKeys", maxUniqueKeys, "1 to 10000000")
        try check(maxPullMessages >= 1, "maxPullMessages", maxPullMessages, "at least 1")
        try check(
            keyIndexSegmentEntries >= 1 && keyIndexSegmentEntries <= 1 << 26, "keyIndexSegmentEntries",
            keyIndexSegmentEntries, "1 to 67108864")
        try check(
            (1...Self.maxDelayLevels).contains(delayLevels.count), "messageDelayLevel", delayLevels.count,
            "1 to \(Self.maxDelayLevels) levels")
        for delay in delayLevels where !(1...Self.maxDelayMilliseconds).contains(delay) {
            throw InvalidConfiguration(
                key: "messageDelayLevel", value: "\(delay)ms", expected: "each delay from 1ms to 30 days")
        }
    }

    /// Most delay levels (RocketMQ has 18 by default).
    public static let maxDelayLevels = 64
    /// The longest delay of a level: 30 days.
    public static let maxDelayMilliseconds: Int64 = 30 * 86_400_000

    /// The delay of `level` (1-based; above the last, the last), or nil for a level below 1.
    public func delay(ofLevel level: Int32) -> Int64? {
        guard level >= 1 else { return nil }
        return delayLevels[min(Int(level), delayLevels.count) - 1]
    }
}

/// A setting out of range: which key, its value and what was expected.
public struct InvalidConfiguration: Error, Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var value: String
    /// The accepted range or value, for the message.
    public var expected: String

    public init(key: String, value: String, expected: String) {
        self.key = key
        self.value = value
        self.expected = expected
    }

    public var description: String { "invalid configuration \(key)=\(value): expected \(expected)" }
}

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

    public init(
        commitLogFileSize: Int = 1 << 30, consumeQueueFileEntries: Int = 300_000, defaultTopicQueueNums: Int32 = 4,
        maxMessageSize: Int = 4 << 20, maxProducers: Int = 10_000, maxUniqueKeys: Int = 20_000,
        maxPullMessages: Int = 1024,
        keyIndexSegmentEntries: Int = 1 << 18
    ) {
        self.commitLogFileSize = commitLogFileSize
        self.consumeQueueFileEntries = consumeQueueFileEntries
        self.defaultTopicQueueNums = defaultTopicQueueNums
        self.maxMessageSize = maxMessageSize
        self.maxProducers = maxProducers
        self.maxUniqueKeys = maxUniqueKeys
        self.maxPullMessages = maxPullMessages
        self.keyIndexSegmentEntries = keyIndexSegmentEntries
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

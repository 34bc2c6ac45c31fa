import LedgerModel

extension NodeConfig {
    /// The message store's settings for this node: commit-log files as large as ``dataFileSize``
    /// (at most 1 GiB, RocketMQ's size), ``defaultTopicQueueNums``, ``maxMessageSize``,
    /// ``maxUniqueKeys``, the index files' sizes (``mappedFileSizeConsumeQueue``,
    /// ``maxIndexNum``) and the delay levels (``messageDelayLevelsMs``).
    ///
    /// They decide queue counts, rejections and physical offsets, so every replica of a group
    /// needs the same ones, and so does anything that replays a node's committed log to rebuild
    /// its state (`ledger chaos`). The caller validates them (`CommitLogConfiguration.validate()`).
    public var commitLogConfiguration: CommitLogConfiguration {
        CommitLogConfiguration(
            commitLogFileSize: min(dataFileSize, 1 << 30), consumeQueueFileEntries: mappedFileSizeConsumeQueue / 20,
            defaultTopicQueueNums: Int32(defaultTopicQueueNums), maxMessageSize: maxMessageSize,
            maxUniqueKeys: maxUniqueKeys, keyIndexSegmentEntries: maxIndexNum, delayLevels: messageDelayLevelsMs)
    }
}

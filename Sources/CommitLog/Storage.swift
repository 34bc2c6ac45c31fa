import FileIO
import LedgerModel
import Raft

/// Where the state machine's files live.
///
/// Layout under the root directory (RocketMQ's store layout, plus the key index; the messages
/// themselves are in the Raft log, written once):
/// - `consumequeue/<topic>/<queue id>/<20-digit start byte>`: 20-byte consume-queue entries;
/// - `keyindex/<20-digit first entry>` (``SegmentedFileName``): key-index segments (``KeyIndex``);
/// - `checkpoint`: ``Checkpoint``, replaced atomically (`checkpoint.tmp`, sync, rename, sync dir);
/// - `snapshots/<20-digit index>`: ``StateSnapshot``s at data-file boundaries, each replaced
///   atomically, written before the checkpoint that covers them.
struct Storage {
    let files: StoreFiles
    let root: String
    let configuration: CommitLogConfiguration

    var consumeQueueDirectory: String { "\(root)/consumequeue" }
    var keyIndexDirectory: String { "\(root)/keyindex" }
    var checkpointPath: String { "\(root)/checkpoint" }
    var snapshotDirectory: String { "\(root)/snapshots" }

    /// The snapshot at `index` (``StateSnapshot``).
    func snapshotPath(_ index: LogIndex) -> String {
        "\(snapshotDirectory)/\(SegmentedFileName.name(start: index.rawValue))"
    }

    func queueDirectory(_ queue: MessageQueue) -> String { "\(consumeQueueDirectory)/\(queue.topic)/\(queue.queueID)" }

    /// Consume-queue file number `index` of `queue`.
    func queuePath(_ queue: MessageQueue, file index: Int) -> String {
        let start = Int64(index) * Int64(configuration.consumeQueueFileEntries) * Int64(ConsumeQueue.entrySize)
        return "\(queueDirectory(queue))/\(SegmentedFileName.name(start: start))"
    }

    /// Key-index segment `segment`.
    func keyIndexPath(segment: Int) -> String {
        "\(keyIndexDirectory)/\(SegmentedFileName.name(start: Int64(segment) * Int64(configuration.keyIndexSegmentEntries)))"
    }

}

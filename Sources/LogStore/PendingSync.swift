import FileIO
import Posix
import Raft

/// A sync taken out of the store so its fdatasyncs can run on a disk thread while the store's
/// owner keeps serving reads: ``LogStore/beginSync()``, then ``perform(on:)`` anywhere, then
/// ``LogStore/finishSync(_:outcome:)`` back on the owner's thread.
public struct PendingSync: Sendable {
    let files: [OpenFile]
    let directory: String?
    let position: UInt64
    /// The last index this sync makes durable.
    public let index: LogIndex
    let chain: UInt32

    /// fdatasyncs the captured files, then fsyncs the directory if files came or went. Touches
    /// no store state, so it may run on any thread with a file system safe to share (such as
    /// ``RealFileSystem``).
    public func perform(on fs: any FileSystem) throws(SystemError) {
        for file in files { try fs.sync(file) }
        if let directory { try fs.syncDirectory(directory) }
    }
}

import CShim
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A queue other threads post to and one event loop drains: posting writes an eventfd so the
/// loop wakes (the C functions are `eventfd`, `write`, `read`).
public final class Mailbox<Item: Sendable>: Sendable {
    /// Readable when items are waiting; register it with the loop.
    public let fd: Int32
    private let items = Mutex<[Item]>([])

    public init() throws(SystemError) {
        fd = try retryingInterrupts("eventfd") { eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)) }
    }

    deinit { _ = Glibc.close(fd) }

    /// Queues `item` and wakes the loop. Safe from any thread.
    public func post(_ item: Item) {
        items.withLock { $0.append(item) }
        var one: UInt64 = 1
        // EAGAIN means the counter is saturated: the loop is already due to wake.
        _ = Glibc.write(fd, &one, 8)
    }

    /// Takes every waiting item, oldest first. Call from the loop's thread.
    public func drain() -> [Item] {
        var counter: UInt64 = 0
        _ = Glibc.read(fd, &counter, 8)
        return items.withLock { items in
            defer { items.removeAll(keepingCapacity: true) }
            return items
        }
    }
}

import CShim

#if canImport(Glibc)
    import Glibc
#endif

/// Network namespaces as the calling thread sees them: which one it is in, and moving it into
/// another (`setns(2)` with `CLONE_NEWNET`). A thread the caller creates afterwards starts in the
/// caller's namespace, and a socket stays in the namespace it was made in.
public enum NetworkNamespace {
    /// Opens the calling thread's current network namespace (`/proc/thread-self/ns/net`), to
    /// come back to it with ``enter(_:)``. The caller closes the descriptor.
    public static func current() throws(SystemError) -> FileDescriptor {
        try FileDescriptor.openReadOnly("/proc/thread-self/ns/net")
    }

    /// Moves the calling thread into the namespace `ip netns add NAME` created (its file is
    /// `/var/run/netns/NAME`). `setns(2)`.
    public static func enter(named name: String) throws(SystemError) {
        let namespace = try FileDescriptor.openReadOnly("/var/run/netns/\(name)")
        let entered = Result { () throws(SystemError) in try enter(namespace) }
        let closed = Result { () throws(SystemError) in try namespace.close() }
        try entered.get()
        try closed.get()
    }

    /// Moves the calling thread into the namespace `namespace` refers to. `setns(2)`.
    public static func enter(_ namespace: FileDescriptor) throws(SystemError) {
        guard cshim_enter_network_namespace(namespace.rawValue) == 0 else {
            throw SystemError("setns", subject: "network namespace", errno: errno)
        }
    }
}

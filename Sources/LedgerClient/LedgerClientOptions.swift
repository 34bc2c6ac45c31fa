import LedgerConfig

#if canImport(Glibc)
    import Glibc
#endif

/// How long a ``LedgerClient`` waits and how it paces retries.
public struct LedgerClientOptions: Sendable, Hashable {
    /// The most an operation may take, retries included (RocketMQ's `sendTimeoutMs`, 3 s).
    /// When it passes without a leader that commits, the operation fails with
    /// ``LedgerClientError/noQuorum(_:)``.
    public var timeout: Duration
    /// The most one node may take to accept a connection and answer a status request, so one
    /// hung node cannot use up the whole ``timeout`` of a leader search.
    public var nodeTimeout: Duration
    /// The first pause between retries when no leader answers; it doubles up to ``maxRetryDelay``.
    public var retryDelay: Duration
    /// The longest pause between retries. Short, so a new leader is found soon after it wins.
    public var maxRetryDelay: Duration
    /// The most one attempt may wait for the leader's answer before the client gives up on that
    /// node, looks for the leader again and retries; nil lets one attempt use the whole
    /// ``timeout`` (a leader that hangs then holds the operation until it ends). Retrying a send
    /// is safe (idempotent producer); retrying a raw append may store it twice.
    public var attemptTimeout: Duration?
    /// The ACL account requests are signed with, for a group with `aclEnable=true`; nil sends
    /// them unsigned. A request the ACL refuses fails with ``LedgerClientError/rejected(node:message:)``
    /// naming the missing permission, without retries.
    public var credentials: AccessCredentials?

    public init(
        timeout: Duration = .seconds(3), nodeTimeout: Duration = .seconds(1),
        retryDelay: Duration = .milliseconds(5), maxRetryDelay: Duration = .milliseconds(20),
        attemptTimeout: Duration? = nil, credentials: AccessCredentials? = nil
    ) {
        precondition(timeout > .zero && nodeTimeout > .zero, "client timeouts must be positive")
        precondition(attemptTimeout.map { $0 > .zero } ?? true, "the attempt timeout must be positive")
        self.timeout = timeout
        self.nodeTimeout = nodeTimeout
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
        self.attemptTimeout = attemptTimeout
        self.credentials = credentials
    }
}

extension Duration {
    /// Whole milliseconds, rounded down; for messages and `poll(2)`.
    package var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// Sleeps the calling thread for `duration` (`nanosleep(2)`, resumed after signals).
public func pause(_ duration: Duration) {
    guard duration > .zero else { return }
    let (seconds, attoseconds) = duration.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

/// Bounds on what a peer may make the decoders hold.
public struct RemotingLimits: Sendable, Hashable {
    /// The largest frame accepted, its length field included. RocketMQ's `NettyDecoder` refuses
    /// frames over 16 MiB the same way (`com.rocketmq.remoting.frameMaxLength`).
    public var maxFrameBytes: Int
    /// The largest header accepted. RocketMQ sets no bound below the 24-bit field; 64 KiB holds
    /// any header the clients send (their largest field, `properties`, is capped at 32 KiB by the
    /// record format) and keeps a hostile header from costing more.
    public var maxHeaderBytes: Int
    /// The deepest nesting accepted in a JSON header or body.
    public var maxJSONDepth: Int

    /// The bounds described above; the server's configuration may lower or raise them.
    public init(maxFrameBytes: Int = 16 << 20, maxHeaderBytes: Int = 64 << 10, maxJSONDepth: Int = 32) {
        precondition(maxFrameBytes >= 8, "a frame must at least hold its two length fields")
        precondition(maxHeaderBytes > 0 && maxJSONDepth > 0, "limits must be positive")
        self.maxFrameBytes = maxFrameBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxJSONDepth = maxJSONDepth
    }

    /// 16 MiB frames, 64 KiB headers, JSON 32 levels deep.
    public static let `default` = RemotingLimits()
}

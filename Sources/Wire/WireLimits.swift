/// Upper bounds a decoder enforces before it allocates, so a hostile or corrupt peer cannot make
/// a node allocate more than one frame's worth of memory.
public struct WireLimits: Sendable, Hashable {
    /// The largest payload the default limits accept: 16 MiB.
    public static let defaultMaxPayloadBytes = 16 << 20

    /// The largest whole frame, length field and header included.
    public var maxFrameBytes: Int = Frame.headerSize + WireLimits.defaultMaxPayloadBytes
    /// The longest string field in bytes (group, node name, address, error message).
    public var maxStringBytes: Int = 4096
    /// The most entries one Raft append message may carry.
    public var maxEntriesPerMessage: Int = 65_536
    /// The largest data of one entry (a Raft entry, an append request or a get response).
    public var maxEntryBytes: Int = WireLimits.defaultMaxPayloadBytes

    /// The limits both sides use unless configured otherwise.
    public static let `default` = WireLimits()

    public init() {}

    /// Limits with a different frame size; field limits keep their defaults.
    public init(maxFrameBytes: Int) {
        precondition(maxFrameBytes >= Frame.headerSize, "a frame must at least hold its header")
        self.maxFrameBytes = maxFrameBytes
    }
}

/// One frame cut from the stream, its header not yet decoded: the serialize type and two slices
/// of a single array holding the frame's bytes.
public struct RemotingFrame: Sendable, Hashable {
    /// Stream offset of the frame's first byte (its length field).
    public var streamOffset: Int
    public var serializeType: SerializeType
    public var header: ArraySlice<UInt8>
    public var body: ArraySlice<UInt8>

    /// Bytes before the header: the length and the type-and-header-length fields.
    public static let prefixSize = 8

    public init(streamOffset: Int, serializeType: SerializeType, header: ArraySlice<UInt8>, body: ArraySlice<UInt8>) {
        self.streamOffset = streamOffset
        self.serializeType = serializeType
        self.header = header
        self.body = body
    }

    /// Stream offset of the header's first byte.
    public var headerOffset: Int { streamOffset + RemotingFrame.prefixSize }
    /// Bytes the frame takes on the wire.
    public var encodedSize: Int { RemotingFrame.prefixSize + header.count + body.count }
}

import Bytes

/// A frame payload with a fixed binary layout, decoded with limits checked before allocating.
///
/// The payloads are `LedgerModel`'s protocol-neutral request and response values; this module
/// only adds their codecs (`extension SendRequest: WirePayload`), so another front end can decode
/// its own protocol into the same values.
public protocol WirePayload: Sendable, Hashable {
    /// Appends the payload's bytes to `writer`.
    func encode(into writer: inout ByteWriter)
    /// Reads the payload from `reader`'s position, leaving the reader after it.
    init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError)
}

extension WirePayload {
    /// The payload's bytes on their own.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        encode(into: &writer)
        return writer.bytes
    }

    /// Decodes a whole payload; bytes left over are an error. Error offsets start at `baseOffset`.
    public init(payload: [UInt8], baseOffset: Int = 0, limits: WireLimits = .default) throws(DecodeError) {
        var reader = ByteReader(payload, baseOffset: baseOffset)
        try self.init(from: &reader, limits: limits)
        try reader.finish()
    }
}

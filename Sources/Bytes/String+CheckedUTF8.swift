extension String {
    /// `bytes` as text if they are valid UTF-8, nil otherwise: `String(validating:as:)`, except
    /// that ASCII (nearly every name and value a protocol carries) skips the standard library's
    /// generic validator, which looks up type metadata on every call.
    public init?(checkedUTF8 bytes: ArraySlice<UInt8>) {
        guard String.isValidUTF8(bytes) else { return nil }
        self = String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `bytes` are valid UTF-8, with the same fast path for ASCII.
    public static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in buffer.allSatisfy { $0 < 0x80 } }
            || String(validating: bytes, as: UTF8.self) != nil
    }
}

extension String {
    /// `bytes` as text if they are valid UTF-8, nil otherwise: `String(validating:as:)`, except
    /// that ASCII (nearly every name and value a protocol carries) skips the standard library's
    /// generic validator, which looks up type metadata on every call.
    public init?(checkedUTF8 bytes: ArraySlice<UInt8>) {
        let isASCII = bytes.withUnsafeBufferPointer { buffer in buffer.allSatisfy { $0 < 0x80 } }
        if isASCII {
            self = String(decoding: bytes, as: UTF8.self)
        } else if let text = String(validating: bytes, as: UTF8.self) {
            self = text
        } else {
            return nil
        }
    }
}

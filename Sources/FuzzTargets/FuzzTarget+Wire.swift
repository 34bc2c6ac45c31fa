import Bytes
import Wire

extension FuzzTarget {
    /// Frames from a chunked stream, decoded as a node receives them (signed client requests
    /// included); each decoded message must encode and decode back to itself, a signed one with
    /// the same account, signature and signed content.
    static func runWire(_ bytes: [UInt8]) -> FuzzViolation? {
        var limits = WireLimits(maxFrameBytes: 1 << 20)
        limits.maxEntryBytes = 1 << 16
        limits.maxEntriesPerMessage = 256
        var decoder = FrameDecoder(maxFrameBytes: limits.maxFrameBytes)
        for chunk in chunks(bytes) {
            decoder.feed(chunk)
            while true {
                let frame: Frame?
                do { frame = try decoder.next() } catch { return nil }  // The stream is refused: fine.
                guard let frame else { break }
                let message: WireMessage
                let signature: RequestSignature?
                do { (message, signature) = try WireCodec.decodeReceived(frame, limits: limits) } catch { continue }
                if let signature {
                    if let violation = resign(message, signature, requestID: frame.requestID, limits: limits) {
                        return violation
                    }
                    continue
                }
                let again = WireCodec.frame(for: message, requestID: frame.requestID)
                do {
                    let decoded = try WireCodec.decode(again, limits: limits)
                    if decoded != message { return FuzzViolation("\(message) re-encoded decodes as \(decoded)") }
                } catch {
                    return FuzzViolation("\(message) re-encoded does not decode: \(error)")
                }
            }
        }
        return nil
    }

    /// A signed request encoded again with its account and signature decodes to the same.
    private static func resign(
        _ message: WireMessage, _ signature: RequestSignature, requestID: UInt64, limits: WireLimits
    )
        -> FuzzViolation?
    {
        var writer = ByteWriter()
        do {
            try WireCodec.encodeSigned(
                message, requestID: requestID, accessKey: signature.accessKey, sign: { _ in signature.signature },
                into: &writer, maxFrameBytes: limits.maxFrameBytes)
            let again = try WireCodec.decodeReceived(
                Frame.decode(writer.bytes, maxFrameBytes: limits.maxFrameBytes), limits: limits)
            if again.message != message || again.signature != signature {
                return FuzzViolation("signed \(message) re-encoded decodes as \(again)")
            }
        } catch {
            return FuzzViolation("signed \(message) re-encoded does not decode: \(error)")
        }
        return nil
    }
}

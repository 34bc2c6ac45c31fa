import Bytes
import Wire

extension FuzzTarget {
    /// Frames from a chunked stream; each decoded message must encode and decode back to itself.
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
                do { message = try WireCodec.decode(frame, limits: limits) } catch { continue }
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
}

import Bytes
import Remoting

extension FuzzTarget {
    /// A remoting stream as a client would send it: frames, their headers, and for sends the
    /// send header and batch body. A decoded command must re-encode (JSON) to a frame that
    /// decodes to the same code, opaque, flags and body.
    static func runRemoting(_ bytes: [UInt8]) -> FuzzViolation? {
        let limits = RemotingLimits(maxFrameBytes: 1 << 20, maxHeaderBytes: 64 << 10, maxJSONDepth: 32)
        var decoder = RemotingFrameDecoder(limits: limits)
        for chunk in chunks(bytes) {
            decoder.feed(chunk)
            while true {
                let frame: RemotingFrame?
                do { frame = try decoder.next() } catch { return nil }
                guard let frame else { break }
                let decoded = Result { () throws(RemotingError) in try RemotingCommand(frame, limits: limits) }
                if let violation = checkAgreesWithParser(frame, decoded, limits) { return violation }
                guard case .success(let command) = decoded else { continue }
                if let violation = checkRoundTrip(command, limits) { return violation }
                decodeSend(command)
            }
        }
        return nil
    }

    /// The header decoder scans JSON on its own: it must accept exactly the headers
    /// ``JSONParser`` accepts, and refuse the others with the parser's error.
    private static func checkAgreesWithParser(
        _ frame: RemotingFrame, _ decoded: Result<RemotingCommand, RemotingError>, _ limits: RemotingLimits
    ) -> FuzzViolation? {
        guard frame.serializeType == .json else { return nil }
        let parser = JSONParser(maxDepth: limits.maxJSONDepth, maxBytes: limits.maxHeaderBytes)
        let parsed = Result { () throws(JSONError) in try parser.parse(frame.header, baseOffset: frame.headerOffset) }
        switch (decoded, parsed) {
        case (.failure(.json(let scanError)), .failure(let parseError)):
            guard scanError == parseError else {
                return FuzzViolation("the header decoder says \(scanError), the JSON parser \(parseError)")
            }
        case (.failure(.json(let scanError)), .success):
            return FuzzViolation("the header decoder refuses JSON the parser accepts: \(scanError)")
        case (_, .failure(let parseError)):
            return FuzzViolation("the header decoder accepts JSON the parser refuses: \(parseError)")
        default:
            break
        }
        return nil
    }

    private static func checkRoundTrip(_ command: RemotingCommand, _ limits: RemotingLimits) -> FuzzViolation? {
        let encoded: [UInt8]
        do { encoded = try command.encoded(as: .json) } catch { return nil }  // Too large to encode: refused.
        do {
            let again = try RemotingCommand.decode(encoded, limits: RemotingLimits(maxFrameBytes: Int(UInt32.max)))
            guard again.code == command.code, again.opaque == command.opaque, again.flags == command.flags,
                again.body.elementsEqual(command.body)
            else { return FuzzViolation("code \(command.code) opaque \(command.opaque) changed in a JSON round trip") }
        } catch {
            return FuzzViolation("code \(command.code) re-encoded as JSON does not decode: \(error)")
        }
        return nil
    }

    /// What the front end reads from a send: its header, and the messages of a batch body.
    private static func decodeSend(_ command: RemotingCommand) {
        guard command.requestCode == .sendMessage || command.requestCode == .sendMessageV2 else { return }
        guard let header = try? SendMessageRequestHeader(command), header.batch else { return }
        _ = try? BatchMessage.decode(command.body, bodyOffset: 0)
    }

    /// The JSON parser alone, with the limits a header gets.
    static func runJSON(_ bytes: [UInt8]) -> FuzzViolation? {
        _ = try? JSONParser(maxDepth: 32, maxBytes: 64 << 10).parse(bytes)
        return nil
    }
}

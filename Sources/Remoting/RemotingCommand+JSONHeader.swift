import Bytes

/// The JSON header (serialize type 0), as `RemotingSerializable` and the C++ clients write it:
///
///     {"code":10,"extFields":{"topic":"T","queueId":0,...},"flag":0,"language":"CPP",
///      "opaque":1,"remark":"","version":63}
extension RemotingCommand {
    /// The version ordinal this server puts in its JSON headers: RocketMQ V4_9_4, whose broker
    /// and NameServer behaviour (standard-JSON routes for clients at or above it) this follows.
    public static let serverVersion: Int32 = 401

    /// Decodes a JSON header whose first byte is at stream offset `headerOffset`.
    ///
    /// `code` is required; `flag`, `opaque` and `version` default to 0, `language` to JAVA,
    /// `remark` and `extFields` to absent, as Java's field initializers do. Other members
    /// (`serializeTypeCurrentRPC`, fields of newer versions) are ignored. An `extFields` value
    /// may be a string, a number (its text is the value: the C++ clients send `queueId`,
    /// `sysFlag` and others as numbers) or a boolean (`true`/`false`); a null value counts as
    /// absent; an array or object is refused.
    ///
    /// One pass over the bytes straight into the command (no ``JSONValue`` tree): the whole
    /// header is checked as ``JSONParser`` checks it, and its errors come first; of the fields
    /// that do not fit, the first in the header is reported.
    static func decodeJSONHeader(
        _ header: ArraySlice<UInt8>, headerOffset: Int, limits: RemotingLimits
    ) throws(RemotingError) -> RemotingCommand {
        if header.count > limits.maxHeaderBytes {
            throw .json(
                JSONError(offset: headerOffset, .inputOverLimit(count: header.count, limit: limits.maxHeaderBytes)))
        }
        // The scan reads through a pointer: only what it made (no pointer) leaves the closure.
        var command = RemotingCommand(code: 0, opaque: 0)
        let problem = header.withUnsafeBufferPointer { buffer in
            var scan = JSONHeaderScan(
                cursor: JSONCursor(bytes: buffer, baseOffset: headerOffset, maxDepth: limits.maxJSONDepth))
            return Result { () throws(JSONError) in
                try scan.header()
                scan.moveCommand(to: &command)
                return scan.problem
            }
        }
        switch problem {
        case .failure(let error): throw .json(error)
        case .success(let problem?): throw problem
        case .success(nil): return command
        }
    }

    /// Appends the JSON header, members in fastjson's sorted order: `code`, `extFields` (when
    /// any), `flag`, `language`, `opaque`, `remark` (when not nil), `serializeTypeCurrentRPC`,
    /// `version`. Every `extFields` value is a JSON string: the C++ clients ignore numbers there.
    ///
    /// Written straight into `bytes` through one bounded cursor (every header takes this path,
    /// so no general ``JSONWriter`` bookkeeping per member); `JSONParser` reads it back. The
    /// send path's direct writers (``encodeSendResponse(_:to:into:)``,
    /// ``SendMessageRequestHeader/encodeRequest(code:v2:language:version:opaque:flags:body:into:)``)
    /// write their own `extFields` between the same start and end.
    func appendJSONHeader(to bytes: inout [UInt8]) {
        let limit =
            Self.jsonHeaderLimit(language: language, remark: remark)
            + UnsafeByteCursor.jsonQuotedLimit(extFields.text.count) + 8 * extFields.count
        bytes.appendBytes(upTo: limit) { out in
            Self.writeJSONHeaderStart(code: code, to: &out)
            if !extFields.isEmpty {
                out.write(#","extFields":{"#)
                extFields.text.withUnsafeBufferPointer { text in
                    for (index, span) in extFields.spans.enumerated() {
                        if index > 0 { out.write(UInt8(ascii: ",")) }
                        out.writeJSONString(
                            UnsafeBufferPointer(rebasing: text[Int(span.nameStart)..<Int(span.nameEnd)]))
                        out.write(UInt8(ascii: ":"))
                        out.writeJSONString(
                            UnsafeBufferPointer(rebasing: text[Int(span.valueStart)..<Int(span.valueEnd)]))
                    }
                }
                out.write(UInt8(ascii: "}"))
            }
            Self.writeJSONHeaderEnd(
                flags: flags, language: language, opaque: opaque, remark: remark, version: version, to: &out)
        }
    }

    /// The bytes ``writeJSONHeaderStart(code:to:)`` and
    /// ``writeJSONHeaderEnd(flags:language:opaque:remark:version:to:)`` can take together.
    static func jsonHeaderLimit(language: LanguageCode, remark: String?) -> Int {
        200 + UnsafeByteCursor.jsonQuotedLimit(language.name.utf8.count)
            + UnsafeByteCursor.jsonQuotedLimit(remark?.utf8.count ?? 0)
    }

    /// How a JSON header starts: `{"code":` and the code. `extFields`, if any, comes next.
    static func writeJSONHeaderStart(code: Int32, to out: inout UnsafeByteCursor) {
        out.write(#"{"code":"#)
        out.writeDecimal(Int64(code))
    }

    /// The members after `extFields` and the closing brace.
    static func writeJSONHeaderEnd(
        flags: RemotingFlags, language: LanguageCode, opaque: Int32, remark: String?, version: Int32,
        to out: inout UnsafeByteCursor
    ) {
        out.write(#","flag":"#)
        out.writeDecimal(Int64(flags.rawValue))
        out.write(#","language":"#)
        var language = language.name
        language.withUTF8 { out.writeJSONString($0) }
        out.write(#","opaque":"#)
        out.writeDecimal(Int64(opaque))
        if var remark {
            out.write(#","remark":"#)
            remark.withUTF8 { out.writeJSONString($0) }
        }
        out.write(#","serializeTypeCurrentRPC":"JSON","version":"#)
        out.writeDecimal(Int64(version))
        out.write(UInt8(ascii: "}"))
    }
}

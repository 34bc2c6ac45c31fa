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
        var scan = JSONHeaderScan(
            cursor: JSONCursor(bytes: header, baseOffset: headerOffset, maxDepth: limits.maxJSONDepth))
        do {
            try scan.header()
        } catch {
            throw .json(error)
        }
        if let problem = scan.problem { throw problem }
        return scan.command
    }

    /// Appends the JSON header, members in fastjson's sorted order: `code`, `extFields` (when
    /// any), `flag`, `language`, `opaque`, `remark` (when not nil), `serializeTypeCurrentRPC`,
    /// `version`. Every `extFields` value is a JSON string: the C++ clients ignore numbers there.
    func appendJSONHeader(to bytes: inout [UInt8]) {
        JSONWriter.append(to: &bytes) { writer in
            writer.beginObject()
            writer.member("code", code)
            if !extFields.isEmpty {
                writer.key("extFields")
                writer.beginObject()
                for field in extFields.fields { writer.member(field.name, field.value) }
                writer.endObject()
            }
            writer.member("flag", flags.rawValue)
            writer.member("language", language.name)
            writer.member("opaque", opaque)
            if let remark { writer.member("remark", remark) }
            writer.member("serializeTypeCurrentRPC", "JSON")
            writer.member("version", version)
            writer.endObject()
        }
    }
}

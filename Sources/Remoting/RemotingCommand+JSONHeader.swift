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
    static func decodeJSONHeader(
        _ header: ArraySlice<UInt8>, headerOffset: Int, limits: RemotingLimits
    ) throws(RemotingError) -> RemotingCommand {
        let root: JSONValue
        do {
            root = try JSONParser(maxDepth: limits.maxJSONDepth, maxBytes: limits.maxHeaderBytes)
                .parse(header, baseOffset: headerOffset)
        } catch {
            throw .json(error)
        }
        guard let members = root.members else {
            throw .malformed(
                .invalidValue(field: "header", offset: root.offset, reason: "\(root.kindName), not an object"))
        }
        // Without extFields, a missing field is reported at the header.
        var command = RemotingCommand(code: 0, opaque: 0, extFields: ExtFields(headerOffset: root.offset))
        var sawCode = false
        for member in members {
            let value = member.value
            switch member.name {
            case "code":
                command.code = try int32(value, "code")
                sawCode = true
            case "language":
                guard case .string(let name) = value.kind else { throw wrongKind(value, "language", "a string") }
                guard let language = LanguageCode(name: name) else {
                    throw .malformed(
                        .invalidValue(field: "language", offset: value.offset, reason: "unknown \"\(name)\""))
                }
                command.language = language
            case "version": command.version = try int32(value, "version")
            case "opaque": command.opaque = try int32(value, "opaque")
            case "flag": command.flags = RemotingFlags(rawValue: try int32(value, "flag"))
            case "remark":
                switch value.kind {
                case .null: command.remark = nil
                case .string(let text): command.remark = text
                default: throw wrongKind(value, "remark", "a string")
                }
            case "extFields":
                command.extFields = try extFields(value)
            default:
                continue
            }
        }
        guard sawCode else {
            throw .malformed(.invalidValue(field: "code", offset: root.offset, reason: "the header has no such field"))
        }
        return command
    }

    /// Appends the JSON header, members in fastjson's sorted order: `code`, `extFields` (when
    /// any), `flag`, `language`, `opaque`, `remark` (when not nil), `serializeTypeCurrentRPC`,
    /// `version`. Every `extFields` value is a JSON string: the C++ clients ignore numbers there.
    func appendJSONHeader(to bytes: inout [UInt8]) {
        var writer = JSONWriter(capacity: 128 + extFields.count * 32)
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
        bytes.append(contentsOf: writer.bytes)
    }

    private static func extFields(_ value: JSONValue) throws(RemotingError) -> ExtFields {
        var fields = ExtFields(headerOffset: value.offset)
        switch value.kind {
        case .null:
            return fields
        case .object(let members):
            for member in members {
                let item = member.value
                let text: String
                switch item.kind {
                case .string(let string): text = string
                case .number(let number): text = number
                case .bool(let flag): text = flag ? "true" : "false"
                case .null: continue
                case .array, .object: throw wrongKind(item, member.name, "a string, number or boolean")
                }
                fields.appendDecoded(name: member.name, value: text, at: item.offset)
            }
            return fields
        default:
            throw wrongKind(value, "extFields", "an object")
        }
    }

    private static func int32(_ value: JSONValue, _ field: String) throws(RemotingError) -> Int32 {
        guard case .number(let text) = value.kind else { throw wrongKind(value, field, "an integer") }
        guard let number = Int32(text) else {
            throw .malformed(
                .invalidValue(field: field, offset: value.offset, reason: "\(text) is not an integer in Int32's range"))
        }
        return number
    }

    private static func wrongKind(_ value: JSONValue, _ field: String, _ expected: String) -> RemotingError {
        .malformed(.invalidValue(field: field, offset: value.offset, reason: "\(value.kindName), not \(expected)"))
    }
}

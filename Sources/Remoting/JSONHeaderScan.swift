import Bytes

/// The one-pass reader behind ``RemotingCommand``'s JSON header decoding: it walks the header
/// with ``JSONCursor`` (so the grammar, limits and errors are ``JSONParser``'s) and stores each
/// member it reads straight into ``command``, building no ``JSONValue`` for them.
///
/// A member that parses but does not fit (a string where a number belongs, an array among
/// `extFields`) is kept in ``problem`` (the first one only) and the scan goes on, so that a
/// syntax error later in the header is reported before it, as when the whole header was parsed
/// before any field was read.
struct JSONHeaderScan {
    var cursor: JSONCursor
    /// The command read so far.
    private(set) var command = RemotingCommand(code: 0, opaque: 0)
    /// The first member that does not fit, or a missing `code`.
    private(set) var problem: RemotingError?

    /// The members this decoder reads; ``seen`` has bit `rawValue` set for each one read.
    private enum Member: Int {
        /// `serializeTypeCurrentRPC` (in every header the Java side and this server write) is
        /// checked and dropped like an unknown member, matched here to spare a string for its name.
        case code, language, version, opaque, flag, remark, extFields, serializeType

        var name: String {
            switch self {
            case .code: "code"
            case .language: "language"
            case .version: "version"
            case .opaque: "opaque"
            case .flag: "flag"
            case .remark: "remark"
            case .extFields: "extFields"
            case .serializeType: "serializeTypeCurrentRPC"
            }
        }

        var bit: UInt8 { 1 << rawValue }

        /// The member named by `text` (a name's bytes), if this decoder reads it.
        init?(_ text: Slice<UnsafeBufferPointer<UInt8>>) {
            self.init(utf8: UnsafeBufferPointer(rebasing: text))
        }

        private init?(utf8 text: UnsafeBufferPointer<UInt8>) {
            func named(_ name: StaticString) -> Bool { UTF8Equality.equal(text, name) }
            switch text.count {
            case 4 where named("code"): self = .code
            case 4 where named("flag"): self = .flag
            case 6 where named("opaque"): self = .opaque
            case 6 where named("remark"): self = .remark
            case 7 where named("version"): self = .version
            case 8 where named("language"): self = .language
            case 9 where named("extFields"): self = .extFields
            case 23 where named("serializeTypeCurrentRPC"): self = .serializeType
            default: return nil
            }
        }
    }
    private var seen: UInt8 = 0
    /// Names of the top-level members it skips, for the duplicate check.
    private var skippedNames: [String] = []

    init(cursor: JSONCursor) {
        self.cursor = cursor
    }

    /// Moves the command read into `target` (without copying its fields); the scan is done.
    mutating func moveCommand(to target: inout RemotingCommand) {
        swap(&command, &target)
    }

    /// Reads the whole header: one object, surrounded only by whitespace.
    mutating func header() throws(JSONError) {
        guard try cursor.peek(expecting: "a value") == UInt8(ascii: "{") else {
            let value = try cursor.value(depth: 0)
            try end()
            note(.invalidValue(field: "header", offset: value.offset, reason: "\(value.kindName), not an object"))
            return
        }
        let rootOffset = cursor.offset
        // Without extFields, a missing field is reported at the header.
        command.extFields = ExtFields(headerOffset: rootOffset)
        try cursor.enter(1)
        if try cursor.peek(expecting: "a member name or '}'") == UInt8(ascii: "}") {
            cursor.index += 1
        } else {
            repeat {
                let member = try topLevelMember()
                try cursor.expect(UInt8(ascii: ":"), "':' after a member name")
                switch member {
                case .code: command.code = try int32("code")
                case .version: command.version = try int32("version")
                case .opaque: command.opaque = try int32("opaque")
                case .flag: command.flags = RemotingFlags(rawValue: try int32("flag"))
                case .language: try language()
                case .remark: try remark()
                case .extFields: try extFields()
                case .serializeType, nil: try skipValue(depth: 1)
                }
            } while try nextMember()
        }
        try end()
        if seen & Member.code.bit == 0 {
            note(.invalidValue(field: "code", offset: rootOffset, reason: "the header has no such field"))
        }
    }

    /// The next top-level member's name: one this decoder reads, or nil for one it skips.
    /// Throws if the header named it before.
    private mutating func topLevelMember() throws(JSONError) -> Member? {
        let byte = try cursor.peek(expecting: "a member name")
        guard byte == UInt8(ascii: "\"") else {
            throw JSONError(offset: cursor.offset, .unexpectedByte(byte, expected: "a member name"))
        }
        let nameOffset = cursor.offset
        let member: Member?
        var name: String?
        if let plain = cursor.plainString() {
            // The usual case: matched on its bytes, no String made for it.
            member = Member(cursor.bytes[plain])
            if member == nil { name = String(decoding: cursor.bytes[plain], as: UTF8.self) }
        } else {
            let text = try cursor.string()
            member = Array(text.utf8).withUnsafeBufferPointer { Member($0[...]) }
            name = text
        }
        if let member {
            if seen & member.bit != 0 { throw JSONError(offset: nameOffset, .duplicateKey(member.name)) }
            seen |= member.bit
        } else if let name {
            if skippedNames.contains(name) { throw JSONError(offset: nameOffset, .duplicateKey(name)) }
            skippedNames.append(name)
        }
        return member
    }

    /// The `extFields` object (or null), each value kept as its text.
    private mutating func extFields() throws(JSONError) {
        let first = try cursor.peek(expecting: "a value")
        let objectOffset = cursor.offset
        guard first == UInt8(ascii: "{") else {
            let value = try cursor.value(depth: 1)
            if case .null = value.kind {
                command.extFields = ExtFields(headerOffset: objectOffset)
            } else {
                note(wrongKind(value, "extFields", "an object"))
            }
            return
        }
        // The header from here on, whole: plain names and values are read in place, and strings
        // with escapes (the properties of a send) are decoded after it, never longer than written.
        let rawStart = cursor.index
        let raw = UnsafeBufferPointer(rebasing: cursor.bytes[rawStart...])
        var fields = ExtFields(headerOffset: objectOffset)
        fields.reserveCapacity(16, textBytes: 2 * raw.count)
        fields.text.append(contentsOf: raw)
        try cursor.enter(2)
        if try cursor.peek(expecting: "a member name or '}'") == UInt8(ascii: "}") {
            cursor.index += 1
            command.extFields = fields
            return
        }
        // Members not kept (null, or of a kind refused), for the duplicate check.
        var unkeptNames: [[UInt8]] = []
        // Names of one ASCII byte seen, kept or not (SEND_MESSAGE_V2's `a` to `n`): a bit each.
        var oneByteNames: (low: UInt64, high: UInt64) = (0, 0)
        repeat {
            let nameOffset = try namePosition()
            let name = try cursor.stringRange(in: &fields.text, rawStart: rawStart)
            let repeated: Bool
            if name.count == 1, fields.text[name.lowerBound] < 0x80 {
                let byte = fields.text[name.lowerBound]
                let bit = UInt64(1) << (byte & 63)
                if byte < 64 {
                    repeated = oneByteNames.low & bit != 0
                    oneByteNames.low |= bit
                } else {
                    repeated = oneByteNames.high & bit != 0
                    oneByteNames.high |= bit
                }
            } else {
                repeated =
                    fields.index(ofName: name) != nil
                    || unkeptNames.contains(where: { $0[...] == fields.text[name] })
            }
            if repeated {
                throw JSONError(offset: nameOffset, .duplicateKey(String(decoding: fields.text[name], as: UTF8.self)))
            }
            try cursor.expect(UInt8(ascii: ":"), "':' after a member name")
            let first = try cursor.peek(expecting: "a value")
            let valueOffset = cursor.offset
            let value: Range<Int>
            switch first {
            case UInt8(ascii: "\""):
                value = try cursor.stringRange(in: &fields.text, rawStart: rawStart)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let number = try cursor.numberRange()
                value = (number.lowerBound - rawStart)..<(number.upperBound - rawStart)
            default:
                let valueStart = cursor.index
                let parsed = try cursor.value(depth: 2)
                switch parsed.kind {
                case .bool:
                    // `true` or `false`, as written.
                    value = (valueStart - rawStart)..<(cursor.index - rawStart)
                case .null:
                    unkeptNames.append(Array(fields.text[name]))
                    continue
                default:
                    unkeptNames.append(Array(fields.text[name]))
                    note(
                        wrongKind(
                            parsed, String(decoding: fields.text[name], as: UTF8.self), "a string, number or boolean"))
                    continue
                }
            }
            fields.endDecoded(name: name, value: value, at: valueOffset)
        } while try nextMember()
        command.extFields = fields
    }

    private mutating func language() throws(JSONError) {
        guard try cursor.peek(expecting: "a value") == UInt8(ascii: "\"") else {
            let value = try cursor.value(depth: 1)
            return note(wrongKind(value, "language", "a string"))
        }
        let offset = cursor.offset
        let name = try cursor.string()
        guard let language = LanguageCode(name: name) else {
            return note(.invalidValue(field: "language", offset: offset, reason: "unknown \"\(name)\""))
        }
        command.language = language
    }

    private mutating func remark() throws(JSONError) {
        if try cursor.peek(expecting: "a value") == UInt8(ascii: "\"") {
            command.remark = try cursor.string()
            return
        }
        let value = try cursor.value(depth: 1)
        switch value.kind {
        case .null: command.remark = nil
        default: note(wrongKind(value, "remark", "a string"))
        }
    }

    /// A number member's value as an Int32 (0 when it does not fit, noted).
    private mutating func int32(_ field: String) throws(JSONError) -> Int32 {
        let first = try cursor.peek(expecting: "a value")
        guard first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            let value = try cursor.value(depth: 1)
            note(wrongKind(value, field, "an integer"))
            return 0
        }
        let offset = cursor.offset
        let text = cursor.bytes[try cursor.numberRange()]
        // The JSON grammar was checked: a fraction or exponent is refused by the digit check.
        if let number = ExtFields.decimal(text, as: Int32.self) { return number }
        note(
            .invalidValue(
                field: field, offset: offset,
                reason: "\(String(decoding: text, as: UTF8.self)) is not an integer in Int32's range"))
        return 0
    }

    /// The offset of a member's name, at its opening quote after optional whitespace.
    private mutating func namePosition() throws(JSONError) -> Int {
        let byte = try cursor.peek(expecting: "a member name")
        guard byte == UInt8(ascii: "\"") else {
            throw JSONError(offset: cursor.offset, .unexpectedByte(byte, expected: "a member name"))
        }
        return cursor.offset
    }

    /// Consumes the `,` before another member (true) or the object's closing `}` (false).
    private mutating func nextMember() throws(JSONError) -> Bool {
        let next = try cursor.peek(expecting: "',' or '}'")
        cursor.index += 1
        if next == UInt8(ascii: "}") { return false }
        guard next == UInt8(ascii: ",") else {
            throw JSONError(offset: cursor.offset - 1, .unexpectedByte(next, expected: "',' or '}'"))
        }
        return true
    }

    /// A member this decoder does not read, checked and dropped (a string without building a
    /// value: `serializeTypeCurrentRPC` is in every header this server writes).
    private mutating func skipValue(depth: Int) throws(JSONError) {
        if try cursor.peek(expecting: "a value") == UInt8(ascii: "\"") {
            if cursor.plainString() == nil { _ = try cursor.string() }
        } else {
            _ = try cursor.value(depth: depth)
        }
    }

    /// Only whitespace may follow the header.
    private mutating func end() throws(JSONError) {
        cursor.skipWhitespace()
        if cursor.index < cursor.bytes.endIndex {
            throw JSONError(offset: cursor.offset, .trailingBytes(count: cursor.bytes.endIndex - cursor.index))
        }
    }

    private mutating func note(_ error: DecodeError) {
        if problem == nil { problem = .malformed(error) }
    }

    private func wrongKind(_ value: JSONValue, _ field: String, _ expected: String) -> DecodeError {
        .invalidValue(field: field, offset: value.offset, reason: "\(value.kindName), not \(expected)")
    }
}

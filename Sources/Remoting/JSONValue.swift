/// A parsed JSON value with the byte offset where it starts, so a caller that finds it has the
/// wrong type or range can say where.
///
/// Objects keep their members in input order (``JSONParser`` refuses duplicate names), so
/// whatever is derived from a value never depends on hashing order. Numbers keep their literal
/// text: RocketMQ's header fields are strings that some clients send as bare numbers, and the
/// text is what such a field means.
public struct JSONValue: Sendable, Hashable {
    /// The kinds of JSON value.
    public indirect enum Kind: Sendable, Hashable {
        case null
        case bool(Bool)
        /// A number, as written (RFC 8259 grammar, checked).
        case number(String)
        case string(String)
        case array([JSONValue])
        case object([JSONMember])
    }

    /// Byte offset of the value's first character.
    public var offset: Int
    public var kind: Kind

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// The members of an object, or nil for any other kind.
    public var members: [JSONMember]? {
        if case .object(let members) = kind { return members }
        return nil
    }

    /// The value of member `name` of an object, or nil if absent or not an object.
    public subscript(member name: String) -> JSONValue? {
        members?.first { $0.name == name }?.value
    }

    /// One word for the kind, for error messages ("a string", "an object").
    public var kindName: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// One `"name": value` pair of a JSON object.
public struct JSONMember: Sendable, Hashable {
    public var name: String
    public var value: JSONValue

    public init(_ name: String, _ value: JSONValue) {
        self.name = name
        self.value = value
    }
}

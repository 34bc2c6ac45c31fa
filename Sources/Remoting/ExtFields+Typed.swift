import Bytes

/// Typed reads of header fields, for the request header values. Values arrive as strings (or as
/// JSON numbers and booleans turned into their text); these parse them the way the Java broker
/// does and throw ``RemotingError/malformed(_:)`` naming the field and the offset of its value
/// (or of the header, when the field is missing).
extension ExtFields {
    /// The field's value; throws if it is missing.
    public func required(_ name: String) throws(RemotingError) -> String {
        try required(self[name], name)
    }

    /// The field as a 32-bit integer (decimal, optional sign), nil if absent.
    public func int32(_ name: String) throws(RemotingError) -> Int32? {
        try integer(name, as: Int32.self)
    }

    /// The field as a 64-bit integer (decimal, optional sign), nil if absent.
    public func int64(_ name: String) throws(RemotingError) -> Int64? {
        try integer(name, as: Int64.self)
    }

    /// The field as a required 32-bit integer.
    public func requiredInt32(_ name: String) throws(RemotingError) -> Int32 {
        guard let value = try int32(name) else { throw missing(name) }
        return value
    }

    /// The field as a required 64-bit integer.
    public func requiredInt64(_ name: String) throws(RemotingError) -> Int64 {
        guard let value = try int64(name) else { throw missing(name) }
        return value
    }

    /// The field as a boolean, nil if absent. Accepts `true`/`false` in any case (Java's
    /// `Boolean.parseBoolean`) and `1`/`0`, which the C++ clients send for `batch` and
    /// `unitMode` (Java would read `"1"` as false, and miss a C++ client's batch).
    public func bool(_ name: String) throws(RemotingError) -> Bool? {
        try bool(self[name], name)
    }

    // The reads of a value the caller already found (nil when absent), for a header that finds
    // all of its fields in one pass (``values(slots:slot:)``).

    func required(_ value: String?, _ name: String) throws(RemotingError) -> String {
        guard let value else { throw missing(name) }
        return value
    }

    func requiredInteger<T: FixedWidthInteger>(_ value: String?, _ name: String, as type: T.Type) throws(RemotingError)
        -> T
    {
        guard let number = try integer(value, name, as: type) else { throw missing(name) }
        return number
    }

    func bool(_ value: String?, _ name: String) throws(RemotingError) -> Bool? {
        guard let value else { return nil }
        switch value.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw invalid(name, "\"\(value)\" is not true, false, 1 or 0")
        }
    }

    private func integer<T: FixedWidthInteger>(_ name: String, as type: T.Type) throws(RemotingError) -> T? {
        try integer(self[name], name, as: type)
    }

    func integer<T: FixedWidthInteger>(_ value: String?, _ name: String, as _: T.Type) throws(RemotingError) -> T? {
        guard let value else { return nil }
        guard let number = T(value, radix: 10) else {
            throw invalid(name, "\"\(value)\" is not an integer in \(T.min)...\(T.max)")
        }
        return number
    }

    private func missing(_ name: String) -> RemotingError {
        .malformed(.invalidValue(field: name, offset: headerOffset, reason: "the header has no such field"))
    }

    private func invalid(_ name: String, _ reason: String) -> RemotingError {
        .malformed(.invalidValue(field: name, offset: offset(of: name), reason: reason))
    }
}

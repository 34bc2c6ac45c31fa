import Bytes

/// Typed reads of header fields, for the request header values. Values arrive as strings (or as
/// JSON numbers and booleans turned into their text); these parse them the way the Java broker
/// does, in place, and throw ``RemotingError/malformed(_:)`` naming the field and the offset of
/// its value (or of the header, when the field is missing).
extension ExtFields {
    /// The field's value; throws if it is missing.
    public func required(_ name: String) throws(RemotingError) -> String {
        guard let value = self[name] else { throw missing(name) }
        return value
    }

    /// The field as a 32-bit integer (decimal, optional sign), nil if absent.
    public func int32(_ name: String) throws(RemotingError) -> Int32? {
        try integer(at: index(of: name), name, as: Int32.self)
    }

    /// The field as a 64-bit integer (decimal, optional sign), nil if absent.
    public func int64(_ name: String) throws(RemotingError) -> Int64? {
        try integer(at: index(of: name), name, as: Int64.self)
    }

    /// The field as a required 32-bit integer.
    public func requiredInt32(_ name: String) throws(RemotingError) -> Int32 {
        try requiredInteger(at: index(of: name), name, as: Int32.self)
    }

    /// The field as a required 64-bit integer.
    public func requiredInt64(_ name: String) throws(RemotingError) -> Int64 {
        try requiredInteger(at: index(of: name), name, as: Int64.self)
    }

    /// The field as a boolean, nil if absent. Accepts `true`/`false` in any case (Java's
    /// `Boolean.parseBoolean`) and `1`/`0`, which the C++ clients send for `batch` and
    /// `unitMode` (Java would read `"1"` as false, and miss a C++ client's batch).
    public func bool(_ name: String) throws(RemotingError) -> Bool? {
        try bool(at: index(of: name), name)
    }

    // The reads of a field the caller already found (its position, nil when absent), for a
    // header that finds all of its fields in one pass.

    func requiredString(at index: Int?, _ name: String) throws(RemotingError) -> String {
        guard let index else { throw missing(name) }
        return String(decoding: value(at: index), as: UTF8.self)
    }

    func requiredInteger<T: FixedWidthInteger>(at index: Int?, _ name: String, as type: T.Type) throws(RemotingError)
        -> T
    {
        guard let number = try integer(at: index, name, as: type) else { throw missing(name) }
        return number
    }

    func integer<T: FixedWidthInteger>(at index: Int?, _ name: String, as _: T.Type) throws(RemotingError) -> T? {
        guard let index else { return nil }
        let text = value(at: index)
        guard let number = Self.decimal(text, as: T.self) else {
            throw invalid(
                at: index, name, "\"\(String(decoding: text, as: UTF8.self))\" is not an integer in \(T.min)...\(T.max)"
            )
        }
        return number
    }

    func bool(at index: Int?, _ name: String) throws(RemotingError) -> Bool? {
        guard let index else { return nil }
        let text = value(at: index)
        if Self.equalsIgnoringCase(text, "true") || text.elementsEqual(CollectionOfOne(UInt8(ascii: "1"))) {
            return true
        }
        if Self.equalsIgnoringCase(text, "false") || text.elementsEqual(CollectionOfOne(UInt8(ascii: "0"))) {
            return false
        }
        throw invalid(at: index, name, "\"\(String(decoding: text, as: UTF8.self))\" is not true, false, 1 or 0")
    }

    /// A decimal integer with an optional `+` or `-`, as `T(_:radix: 10)` reads one; nil when
    /// the text is anything else or out of `T`'s range.
    static func decimal<T: FixedWidthInteger, Text: Collection<UInt8>>(_ text: Text, as _: T.Type) -> T?
    where Text.Index == Int {
        var index = text.startIndex
        guard index < text.endIndex else { return nil }
        let negative = text[index] == UInt8(ascii: "-")
        if negative || text[index] == UInt8(ascii: "+") { index += 1 }
        guard index < text.endIndex else { return nil }
        var number: T = 0
        while index < text.endIndex {
            let digit = text[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflowShift) = number.multipliedReportingOverflow(by: 10)
            let (next, overflowAdd) =
                negative
                ? shifted.subtractingReportingOverflow(T(digit)) : shifted.addingReportingOverflow(T(digit))
            guard !overflowShift && !overflowAdd else { return nil }
            number = next
            index += 1
        }
        return number
    }

    /// Whether `text` is `word` (lower-case ASCII) in any case.
    private static func equalsIgnoringCase(_ text: ArraySlice<UInt8>, _ word: StaticString) -> Bool {
        guard text.count == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { word in
            zip(text, word).allSatisfy { byte, lower in
                byte == lower || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") && byte | 0x20 == lower)
            }
        }
    }

    private func missing(_ name: String) -> RemotingError {
        .malformed(.invalidValue(field: name, offset: headerOffset, reason: "the header has no such field"))
    }

    private func invalid(at index: Int, _ name: String, _ reason: String) -> RemotingError {
        .malformed(.invalidValue(field: name, offset: offset(at: index), reason: reason))
    }
}

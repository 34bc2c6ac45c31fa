import Bytes

/// A command's `extFields`: name–value pairs of UTF-8 text in a fixed order (the order decoded,
/// or the order the pairs were added), with no name twice.
///
/// Java keeps these in a `HashMap<String, String>`; keeping the wire order instead makes
/// encoding and everything derived from a command deterministic. The text is kept as bytes, one
/// buffer for all the names and values, so decoding a header makes no `String` per field; a
/// caller reads a value as a `String` (``subscript(_:)``) or parses it in place (the typed reads
/// of `ExtFields+Typed.swift`). A decoded instance remembers where each value started in the
/// stream so a caller that finds a value unusable can say where; those offsets take no part in
/// equality.
public struct ExtFields: Sendable, Hashable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One field, as strings.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// Where one field's name and value lie in ``text``: the name is `nameStart..<nameEnd`,
    /// the value `valueStart..<valueEnd`.
    struct Span: Sendable {
        var nameStart: Int32
        var nameEnd: Int32
        var valueStart: Int32
        var valueEnd: Int32
        /// The stream offset of the value when decoded; -1 when built in code.
        var valueOffset: Int32
    }

    /// Every name and value (valid UTF-8), where ``spans`` say. Fields added in code go here back
    /// to back; the JSON decoder puts the header's bytes from the `extFields` object on here
    /// whole, so the fields written plainly (nearly all) are ranges of it and only the ones with
    /// escapes are decoded into it (after it): see ``endDecoded(name:value:at:)``.
    var text: [UInt8] = []
    private(set) var spans: [Span] = []
    /// Where the fields were decoded from (the header's first byte), for a missing field's error.
    public private(set) var headerOffset: Int = 0

    /// No fields.
    public init() {}

    /// The pairs in literal order; a name given twice is a programmer error.
    public init(dictionaryLiteral elements: (String, String)...) {
        reserveCapacity(elements.count)
        for (name, value) in elements {
            precondition(index(of: name) == nil, "ext field \(name) given twice")
            appendNew(name: name, value: value)
        }
    }

    /// Fields decoded from a header at `headerOffset`.
    init(headerOffset: Int) {
        self.headerOffset = headerOffset
    }

    /// The number of fields.
    public var count: Int { spans.count }
    public var isEmpty: Bool { spans.isEmpty }

    /// The fields, in order, as strings.
    public var fields: [Field] {
        spans.indices.map { Field(name: string(name(at: $0)), value: string(value(at: $0))) }
    }

    /// The name of field `index`, as bytes.
    func name(at index: Int) -> ArraySlice<UInt8> {
        text[Int(spans[index].nameStart)..<Int(spans[index].nameEnd)]
    }

    /// The value of field `index`, as bytes.
    func value(at index: Int) -> ArraySlice<UInt8> {
        text[Int(spans[index].valueStart)..<Int(spans[index].valueEnd)]
    }

    /// The position of the field named `name`, or nil.
    func index(of name: String) -> Int? {
        var name = name
        return name.withUTF8 { index(ofUTF8: $0) }
    }

    /// The position of the field whose name is the bytes `name`, or nil.
    func index(ofUTF8 name: UnsafeBufferPointer<UInt8>) -> Int? {
        text.withUnsafeBufferPointer { text in
            spans.firstIndex { span in
                let start = Int(span.nameStart)
                return Int(span.nameEnd) - start == name.count
                    && UTF8Equality.equal(UnsafeBufferPointer(rebasing: text[start..<start + name.count]), name)
            }
        }
    }

    /// The value of field `name`. Setting a name already present replaces its value in place;
    /// a new name goes at the end; nil removes the field.
    public subscript(name: String) -> String? {
        get { index(of: name).map { string(value(at: $0)) } }
        set {
            guard let index = index(of: name) else {
                if let newValue { appendNew(name: name, value: newValue) }
                return
            }
            var rebuilt = ExtFields(headerOffset: headerOffset)
            rebuilt.reserveCapacity(count)
            for other in spans.indices {
                if other == index {
                    if let newValue { rebuilt.appendNew(name: name, value: newValue) }
                } else {
                    rebuilt.append(
                        name: self.name(at: other), value: value(at: other), offset: spans[other].valueOffset)
                }
            }
            self = rebuilt
        }
    }

    /// The stream offset of field `name`'s value if it was decoded, else of the header.
    public func offset(of name: String) -> Int {
        guard let index = index(of: name) else { return headerOffset }
        return offset(at: index)
    }

    /// The stream offset of field `index`'s value if it was decoded, else of the header.
    func offset(at index: Int) -> Int {
        let offset = spans[index].valueOffset
        return offset < 0 ? headerOffset : Int(offset)
    }

    /// Makes room for `count` fields of `textBytes` bytes in all (16 a field by default).
    mutating func reserveCapacity(_ count: Int, textBytes: Int? = nil) {
        spans.reserveCapacity(count)
        text.reserveCapacity(textBytes ?? count * 16)
    }

    /// Adds a field built in code at the end; the caller knows the name is new.
    mutating func appendNew(name: String, value: String) {
        var (name, value) = (name, value)
        let nameStart = text.count
        name.withUTF8 { text.append(contentsOf: $0) }
        let valueStart = text.count
        value.withUTF8 { text.append(contentsOf: $0) }
        spans.append(Self.span(nameStart, valueStart, text.count, offset: -1))
    }

    /// Adds a field whose value is `number` in decimal; the caller knows the name is new.
    mutating func appendNew(name: String, integer number: some FixedWidthInteger) {
        var name = name
        let nameStart = text.count
        name.withUTF8 { text.append(contentsOf: $0) }
        let valueStart = text.count
        if let number = Int64(exactly: number) {
            text.appendBytes(upTo: UnsafeByteCursor.decimalLimit) { $0.writeDecimal(number) }
        } else {
            text.append(contentsOf: String(number).utf8)
        }
        spans.append(Self.span(nameStart, valueStart, text.count, offset: -1))
    }

    /// Adds a field from valid UTF-8 bytes; the caller has checked the name is new. `offset` is
    /// the value's stream offset, -1 for none.
    mutating func append(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>, offset: Int32) {
        let nameStart = text.count
        text.append(contentsOf: name)
        let valueStart = text.count
        text.append(contentsOf: value)
        spans.append(Self.span(nameStart, valueStart, text.count, offset: offset))
    }

    // Decoding in place: the JSON decoder sets ``text`` to the header's bytes from the
    // `extFields` object on (room reserved for as many again), appends the strings it has to
    // unescape, checks each name is new (``index(ofName:)``) and records each field by where its
    // name and value lie (``endDecoded(name:value:at:)``).

    /// The position of the field whose name is the bytes `name` of ``text``, or nil.
    func index(ofName name: Range<Int>) -> Int? {
        text.withUnsafeBufferPointer { index(ofUTF8: UnsafeBufferPointer(rebasing: $0[name])) }
    }

    /// Records a decoded field whose name and value are the bytes `name` and `value` of
    /// ``text``, the value at stream offset `offset`.
    mutating func endDecoded(name: Range<Int>, value: Range<Int>, at offset: Int) {
        precondition(text.count <= Int(Int32.max), "ext fields over 2 GiB")
        spans.append(
            Span(
                nameStart: Int32(name.lowerBound), nameEnd: Int32(name.upperBound), valueStart: Int32(value.lowerBound),
                valueEnd: Int32(value.upperBound), valueOffset: Int32(clamping: offset)))
    }

    private static func span(_ nameStart: Int, _ valueStart: Int, _ valueEnd: Int, offset: Int32) -> Span {
        precondition(valueEnd <= Int(Int32.max), "ext fields over 2 GiB")
        return Span(
            nameStart: Int32(nameStart), nameEnd: Int32(valueStart), valueStart: Int32(valueStart),
            valueEnd: Int32(valueEnd), valueOffset: offset)
    }

    private func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    public static func == (lhs: ExtFields, rhs: ExtFields) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for index in lhs.spans.indices
        where lhs.name(at: index) != rhs.name(at: index) || lhs.value(at: index) != rhs.value(at: index) {
            return false
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for index in spans.indices {
            hasher.combine(name(at: index))
            hasher.combine(value(at: index))
        }
    }

    public var description: String {
        "{" + fields.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + "}"
    }
}

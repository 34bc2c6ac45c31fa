/// Writes compact JSON (no whitespace) into a byte buffer, in exactly the order of the calls, so
/// equal inputs give equal bytes.
///
/// The writer places commas and colons itself; the caller opens and closes containers in
/// matching pairs and writes a ``key(_:)`` before each object member (misuse is a programmer
/// error and traps). Strings are escaped as RFC 8259 requires: quote, backslash and the control
/// characters below 0x20 (as `\n`, `\t`, ... or `\u00XX`, the way fastjson writes `\u0001`).
public struct JSONWriter: Sendable {
    /// Everything written so far.
    public private(set) var bytes: [UInt8]
    /// Where this writer's value starts in ``bytes`` (0, or the length of what
    /// ``append(to:_:)``'s buffer held before).
    private var start = 0
    /// Containers open, and for each (bit `depth - 1` and below, innermost highest) whether it
    /// is an object and whether it holds a value yet: two bit stacks, so writing allocates
    /// nothing but the output.
    private var depth = 0
    private var objectBits: UInt64 = 0
    private var valueBits: UInt64 = 0
    /// Set after ``key(_:)``: the next value is that member's.
    private var afterKey = false

    /// Containers may nest this deep.
    public static let maxDepth = 64

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Writes one value at the end of `buffer` (no copy: the writer works in `buffer` itself).
    public static func append(to buffer: inout [UInt8], _ write: (inout JSONWriter) -> Void) {
        var writer = JSONWriter(capacity: 0)
        swap(&writer.bytes, &buffer)
        writer.start = writer.bytes.count
        write(&writer)
        swap(&writer.bytes, &buffer)
    }

    /// True once every container opened has been closed and one value written.
    public var isComplete: Bool { depth == 0 && bytes.count > start }

    /// Starts an object.
    public mutating func beginObject() {
        beforeValue()
        bytes.append(UInt8(ascii: "{"))
        push(isObject: true)
    }

    /// Ends the innermost object.
    public mutating func endObject() {
        precondition(depth > 0 && innermostIsObject && !afterKey, "endObject without a matching beginObject")
        depth -= 1
        bytes.append(UInt8(ascii: "}"))
    }

    /// Starts an array.
    public mutating func beginArray() {
        beforeValue()
        bytes.append(UInt8(ascii: "["))
        push(isObject: false)
    }

    /// Ends the innermost array.
    public mutating func endArray() {
        precondition(depth > 0 && !innermostIsObject, "endArray without a matching beginArray")
        depth -= 1
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes the name of the next member of the innermost object, quoted.
    public mutating func key(_ name: String) {
        beforeKey()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes the name of the next member of the innermost object from its UTF-8 bytes, quoted.
    public mutating func key(utf8 name: ArraySlice<UInt8>) {
        beforeKey()
        name.withUnsafeBufferPointer { appendQuoted(utf8: $0) }
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes an integer member name without quotes, as fastjson does for `Map<Long, …>` keys
    /// (`{0:"127.0.0.1:10911"}`). Not standard JSON: only for the clients that expect it.
    public mutating func unquotedIntegerKey(_ name: Int64) {
        beforeKey()
        bytes.append(contentsOf: String(name).utf8)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes a string value.
    public mutating func string(_ value: String) {
        beforeValue()
        appendQuoted(value)
    }

    /// Writes a string value from its UTF-8 bytes.
    public mutating func string(utf8 value: ArraySlice<UInt8>) {
        beforeValue()
        value.withUnsafeBufferPointer { appendQuoted(utf8: $0) }
    }

    /// Writes an integer value.
    public mutating func integer(_ value: some BinaryInteger) {
        beforeValue()
        guard let number = Int64(exactly: value) else {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        appendDecimal(number)
    }

    /// Writes a number with a fraction in Swift's shortest round-trip form (`0.3725`), or
    /// `null` when it is not finite (JSON has no infinity or NaN).
    public mutating func number(_ value: Double) {
        guard value.isFinite else { return null() }
        beforeValue()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes `null`.
    public mutating func null() {
        beforeValue()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        beforeValue()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Writes `"name":"value"`.
    public mutating func member(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    /// Writes `"name":value` for an integer.
    public mutating func member(_ name: String, _ value: some BinaryInteger) {
        key(name)
        integer(value)
    }

    /// Writes `"name":true` or `"name":false`.
    public mutating func member(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// Writes `"name":true` or `"name":false`, or `"name":null` when there is none.
    public mutating func member(_ name: String, _ value: Bool?) {
        key(name)
        if let value { bool(value) } else { null() }
    }

    /// Writes `"name":value` for an integer, or `"name":null` when there is none.
    public mutating func member(_ name: String, _ value: (some BinaryInteger)?) {
        key(name)
        if let value { integer(value) } else { null() }
    }

    /// Writes `"name":value` for a number with a fraction, or `"name":null` when there is none.
    public mutating func member(_ name: String, _ value: Double?) {
        key(name)
        if let value { number(value) } else { null() }
    }

    /// Writes `"name":"value"`, or `"name":null` when there is none.
    public mutating func member(_ name: String, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    private var innermostIsObject: Bool { objectBits >> (depth - 1) & 1 == 1 }
    private var innermostHasValue: Bool { valueBits >> (depth - 1) & 1 == 1 }

    private mutating func push(isObject: Bool) {
        precondition(depth < Self.maxDepth, "JSON nested deeper than \(Self.maxDepth) levels")
        let bit: UInt64 = 1 << depth
        if isObject { objectBits |= bit } else { objectBits &= ~bit }
        valueBits &= ~bit
        depth += 1
    }

    private mutating func markValue() {
        valueBits |= 1 << (depth - 1)
    }

    private mutating func beforeKey() {
        precondition(depth > 0 && innermostIsObject && !afterKey, "a key outside an object or twice in a row")
        if innermostHasValue { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func beforeValue() {
        if afterKey {
            afterKey = false
            markValue()
            return
        }
        if depth > 0 {
            precondition(!innermostIsObject, "an object member needs a key first")
            if innermostHasValue { bytes.append(UInt8(ascii: ",")) }
            markValue()
        } else {
            precondition(bytes.count == start, "a second top-level value")
        }
    }

    /// `number` in decimal (no `String` in between).
    private mutating func appendDecimal(_ number: Int64) {
        bytes.appendBytes(upTo: UnsafeByteCursor.decimalLimit) { $0.writeDecimal(number) }
    }

    private mutating func appendQuoted(_ text: String) {
        var text = text
        text.withUTF8 { appendQuoted(utf8: $0) }
    }

    /// `text` quoted and escaped (``UnsafeByteCursor/writeJSONString(_:)``).
    private mutating func appendQuoted(utf8 text: UnsafeBufferPointer<UInt8>) {
        bytes.appendBytes(upTo: UnsafeByteCursor.jsonQuotedLimit(text.count)) { $0.writeJSONString(text) }
    }
}

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
    /// For each open container: true for an object; and whether it holds a value yet.
    private var open: [(isObject: Bool, hasValue: Bool)] = []
    /// Set after ``key(_:)``: the next value is that member's.
    private var afterKey = false

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// True once every container opened has been closed and one value written.
    public var isComplete: Bool { open.isEmpty && !bytes.isEmpty }

    /// Starts an object.
    public mutating func beginObject() {
        beforeValue()
        bytes.append(UInt8(ascii: "{"))
        open.append((true, false))
    }

    /// Ends the innermost object.
    public mutating func endObject() {
        precondition(open.last?.isObject == true && !afterKey, "endObject without a matching beginObject")
        open.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    /// Starts an array.
    public mutating func beginArray() {
        beforeValue()
        bytes.append(UInt8(ascii: "["))
        open.append((false, false))
    }

    /// Ends the innermost array.
    public mutating func endArray() {
        precondition(open.last?.isObject == false, "endArray without a matching beginArray")
        open.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes the name of the next member of the innermost object, quoted.
    public mutating func key(_ name: String) {
        beforeKey()
        appendQuoted(name)
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

    /// Writes an integer value.
    public mutating func integer(_ value: some BinaryInteger) {
        beforeValue()
        bytes.append(contentsOf: String(value).utf8)
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

    private mutating func beforeKey() {
        precondition(open.last?.isObject == true && !afterKey, "a key outside an object or twice in a row")
        if open[open.count - 1].hasValue { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func beforeValue() {
        if afterKey {
            afterKey = false
            open[open.count - 1].hasValue = true
            return
        }
        if let last = open.last {
            precondition(!last.isObject, "an object member needs a key first")
            if last.hasValue { bytes.append(UInt8(ascii: ",")) }
            open[open.count - 1].hasValue = true
        } else {
            precondition(bytes.isEmpty, "a second top-level value")
        }
    }

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30])
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

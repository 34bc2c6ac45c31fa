/// A JSON value whose objects keep their keys in the order given, so output is stable and
/// reads in the documented order.
package indirect enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Int64)
    /// A number with a fraction; rendered in Swift's shortest form (`0.25`, `1e-05`), or `null`
    /// when not finite (JSON has no infinity or NaN).
    case fraction(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    package static func == (lhs: JSON, rhs: JSON) -> Bool { lhs.rendered == rhs.rendered }
    package func hash(into hasher: inout Hasher) { hasher.combine(rendered) }

    /// `value` as a number, or null.
    package static func optional(_ value: UInt64?) -> JSON { value.map { .number(Int64(clamping: $0)) } ?? .null }
    /// `value` as a string, or null.
    package static func optional(_ value: String?) -> JSON { value.map { .string($0) } ?? .null }

    /// One line of JSON: `{"a": 1, "b": [true, null]}`.
    package var rendered: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .number(let value): String(value)
        case .fraction(let value): value.isFinite ? String(value) : "null"
        case .string(let value): JSON.quote(value)
        case .array(let values): "[" + values.map(\.rendered).joined(separator: ", ") + "]"
        case .object(let members):
            "{" + members.map { "\(JSON.quote($0.0)): \($0.1.rendered)" }.joined(separator: ", ") + "}"
        }
    }

    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

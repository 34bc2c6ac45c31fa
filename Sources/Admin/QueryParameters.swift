import Bytes

/// The query of a request target (`?topic=t&key=k%20x`), decoded: names and values in the order
/// sent, `+` as a space and `%XX` escapes resolved. A name may appear once.
public struct QueryParameters: Sendable, Hashable {
    /// Name and value pairs in the order sent.
    public private(set) var pairs: [(name: String, value: String)]

    /// The most parameters one query may carry; the admin routes take at most two.
    public static let maxCount = 8

    /// Decodes the query of `target` (everything after the first `?`; none is no parameters).
    /// Throws for a malformed `%` escape, bytes that are not UTF-8 after decoding, an empty
    /// name, a name given twice, or more than ``maxCount`` parameters.
    public init(target: String) throws(APIError) {
        pairs = []
        guard let mark = target.firstIndex(of: "?") else { return }
        let query = target[target.index(after: mark)...]
        for field in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawName = parts[0]
            let name = try Self.decode(rawName, parameter: String(rawName))
            guard !name.isEmpty else { throw .badParameter(name: "", "a query parameter needs a name") }
            let value = parts.count == 2 ? try Self.decode(parts[1], parameter: name) : ""
            if pairs.contains(where: { $0.name == name }) { throw .badParameter(name: name, "is given twice") }
            guard pairs.count < Self.maxCount else {
                throw .badParameter(name: name, "more than \(Self.maxCount) query parameters")
            }
            pairs.append((name, value))
        }
    }

    public static func == (lhs: QueryParameters, rhs: QueryParameters) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for pair in pairs {
            hasher.combine(pair.name)
            hasher.combine(pair.value)
        }
    }

    /// The value of `name`, if sent.
    public subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// Throws naming the first parameter not in `allowed`.
    public func expectOnly(_ allowed: [String]) throws(APIError) {
        if let unknown = pairs.first(where: { !allowed.contains($0.name) }) {
            let expected =
                allowed.isEmpty ? "this path takes no parameters" : "expected \(allowed.joined(separator: ", "))"
            throw .badParameter(name: unknown.name, "unknown parameter (\(expected))")
        }
    }

    /// `text` with `+` as a space and `%XX` resolved, as UTF-8.
    private static func decode(_ text: Substring, parameter: String) throws(APIError) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = utf8.next()?.hexDigitValue, let low = utf8.next()?.hexDigitValue else {
                    throw .badParameter(name: parameter, "a % escape needs two hex digits")
                }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw .badParameter(name: parameter, "is not UTF-8 once decoded")
        }
        return decoded
    }
}

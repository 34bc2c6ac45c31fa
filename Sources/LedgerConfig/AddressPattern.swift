/// Which client addresses a `globalWhiteRemoteAddresses` entry or an account's
/// `whiteRemoteAddress` names, as RocketMQ 4.x's `RemoteAddressStrategyFactory` reads them
/// (IPv4):
///
/// | written | matches |
/// |---|---|
/// | `*` or `*.*.*.*` | every address |
/// | `192.168.0.1` | that address |
/// | `192.168.0.*`, `192.168.*.*`, `192.*.*.*` (also `192.168.*`) | every address with those leading numbers |
/// | `192.168.1.1-100`, `192.168.1-3.*` | a range in one position, `*` after it |
/// | `192.168.1.{1,2,3}` | the listed last numbers |
/// | `192.168.0.1,10.0.0.2` | the listed addresses |
public struct AddressPattern: Sendable, Hashable, CustomStringConvertible {
    private enum Rule: Sendable, Hashable {
        case any
        /// Addresses (four numbers each) listed exactly.
        case oneOf([[UInt8]])
        /// `head` exact leading numbers, then one number in `range`, anything after.
        case range(head: [UInt8], range: ClosedRange<UInt8>)
    }

    private let rule: Rule
    /// The text as written.
    public let text: String

    /// What an error says a pattern may look like.
    static let expected =
        "an IPv4 address or pattern: *, 192.168.0.1, 192.168.0.*, 192.168.1.1-100, 192.168.1.{1,2} "
        + "or addresses joined with commas"

    /// The pattern `text` writes; nil when it is none of the forms above.
    public init?(_ text: String) {
        self.text = text
        if text == "*" || text == "*.*.*.*" {
            rule = .any
            return
        }
        if text.hasSuffix("}") {
            guard let open = text.firstIndex(of: "{"), text[..<open].hasSuffix(".") else { return nil }
            let head = text[..<open].dropLast().split(separator: ".", omittingEmptySubsequences: false)
            let lasts = text[text.index(after: open)..<text.index(before: text.endIndex)]
                .split(separator: ",", omittingEmptySubsequences: false)
            guard head.count == 3, let numbers = AddressPattern.numbers(head), !lasts.isEmpty else { return nil }
            var addresses: [[UInt8]] = []
            for last in lasts {
                guard let value = AddressPattern.number(last.trimmingBlanks) else { return nil }
                addresses.append(numbers + [value])
            }
            rule = .oneOf(addresses)
            return
        }
        if text.contains(",") {
            var addresses: [[UInt8]] = []
            for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let address = AddressPattern.address(part.trimmingBlanks) else { return nil }
                addresses.append(address)
            }
            rule = .oneOf(addresses)
            return
        }
        if let address = AddressPattern.address(text) {
            rule = .oneOf([address])
            return
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (2...4).contains(parts.count), let rangeAt = parts.firstIndex(where: { $0 == "*" || $0.contains("-") }),
            rangeAt >= 1, parts[(rangeAt + 1)...].allSatisfy({ $0 == "*" }),
            let head = AddressPattern.numbers(parts[..<rangeAt])
        else { return nil }
        let written = parts[rangeAt]
        if written == "*" {
            rule = .range(head: head, range: 0...255)
            return
        }
        let bounds = written.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let low = AddressPattern.number(String(bounds[0])),
            let high = AddressPattern.number(String(bounds[1])), low <= high
        else { return nil }
        rule = .range(head: head, range: low...high)
    }

    /// Whether the client at `address` (dotted IPv4, no port) is one this pattern names. An
    /// address that is not IPv4 matches only `*`.
    public func matches(_ address: String) -> Bool {
        if case .any = rule { return true }
        guard let numbers = AddressPattern.address(address) else { return false }
        switch rule {
        case .any: return true
        case .oneOf(let addresses): return addresses.contains(numbers)
        case .range(let head, let range):
            return Array(numbers.prefix(head.count)) == head && range.contains(numbers[head.count])
        }
    }

    public var description: String { text }

    /// Four decimal numbers 0–255.
    private static func address(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        return numbers(parts)
    }

    private static func numbers<S: StringProtocol>(_ parts: some Collection<S>) -> [UInt8]? {
        var values: [UInt8] = []
        for part in parts {
            guard let value = number(String(part)) else { return nil }
            values.append(value)
        }
        return values
    }

    /// A decimal number 0–255 of 1 to 3 digits.
    private static func number(_ text: String) -> UInt8? {
        guard (1...3).contains(text.count), text.allSatisfy(\.isASCIIDigit), let value = Int(text), value <= 255
        else { return nil }
        return UInt8(value)
    }
}

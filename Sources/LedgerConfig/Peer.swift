import Raft

/// One member of the group as the config names it: `n1-127.0.0.1:40912`.
///
/// Node ids are written as letters followed by a number without leading zeros (`n0`, `n1`,
/// `node12`), and the number is the `Raft.NodeID`: `n0` → 0, `node12` → 12. The number, not the
/// position in the list, identifies the node, so adding or removing peers never renumbers the
/// others (a renumbered node would carry another node's votes and log). Two ids with the same
/// number (`n1`, `m1`) are rejected.
public struct Peer: Sendable, Hashable, CustomStringConvertible {
    /// The id as written, e.g. `n1`, for display.
    public var name: String
    /// The Raft identity, the number in `name`.
    public var id: NodeID
    /// A host name, an IPv4 address, or an IPv6 address (without brackets).
    public var host: String
    public var port: UInt16

    public init(name: String, id: NodeID, host: String, port: UInt16) {
        self.name = name
        self.id = id
        self.host = host
        self.port = port
    }

    /// `host:port`, with an IPv6 host in brackets.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether the host is this machine's loopback interface: `localhost`, an IPv4 address in
    /// 127.0.0.0/8, or `::1`. Traffic between loopback peers never leaves the host.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255
            }
    }

    /// `name-address`, as the `peers` setting writes it.
    public var description: String { "\(name)-\(address)" }

    /// The longest node id accepted.
    public static let maxNameLength = 64

    /// The `NodeID` a node id such as `n3` stands for, or nil when `name` is not letters followed
    /// by a number without leading zeros that fits in 64 bits.
    public static func nodeID(forName name: String) -> NodeID? {
        guard name.count <= maxNameLength,
            let firstDigit = name.firstIndex(where: \.isASCIIDigit),
            firstDigit != name.startIndex,
            name[..<firstDigit].allSatisfy(\.isASCIILetter)
        else { return nil }
        let digits = name[firstDigit...]
        guard digits.allSatisfy(\.isASCIIDigit), digits == "0" || !digits.hasPrefix("0"),
            let number = UInt64(digits)
        else { return nil }
        return NodeID(number)
    }

    /// Parses a peer list such as `n0-127.0.0.1:40911;n1-127.0.0.1:40912`: entries separated by
    /// `;` (whitespace around entries and empty entries ignored), each `id-host:port`.
    ///
    /// Rejects malformed entries, ports outside 1–65535, bad hosts, and ids, node numbers or
    /// addresses that appear twice. Errors name `source` (and `line` and `key` when given).
    public static func parseList(_ text: String, source: String = "--peers", line: Int? = nil, key: String? = nil)
        throws(ConfigError) -> [Peer]
    {
        func invalid(_ expected: String, _ got: String) -> ConfigError {
            ConfigError(source: source, line: line, problem: .invalidValue(key: key, expected: expected, got: got))
        }
        var peers: [Peer] = []
        // Each peer's address in lower case, worked out once rather than for every later entry.
        var lowercasedAddresses: [String] = []
        for rawEntry in text.split(separator: ";") {
            let entry = KeyValueLines.trimmed(rawEntry)
            if entry.isEmpty { continue }
            guard let dash = entry.firstIndex(of: "-") else {
                throw invalid("entries of the form id-host:port separated by \";\"", entry)
            }
            let name = String(entry[..<dash])
            guard let id = nodeID(forName: name) else {
                throw invalid("a node id of letters then a number without leading zeros, such as n0", name)
            }
            let address = entry[entry.index(after: dash)...]
            guard let colon = address.lastIndex(of: ":") else {
                throw invalid("host:port after \(name)-", String(address))
            }
            let portText = String(address[address.index(after: colon)...])
            guard let port = UInt16(portText), port > 0 else {
                throw invalid("a port from 1 to 65535 for \(name)", portText)
            }
            let hostText = String(address[..<colon])
            guard let host = parseHost(hostText) else {
                throw invalid("a host name, IPv4 address or [IPv6] address for \(name)", hostText)
            }
            let peer = Peer(name: name, id: id, host: host, port: port)
            let lowercasedAddress = peer.address.lowercased()
            for (other, otherAddress) in zip(peers, lowercasedAddresses) {
                if other.name == name {
                    throw invalid("each node id once (\(name) appears twice)", entry)
                }
                if other.id == id {
                    throw invalid(
                        "a distinct number in each node id (\(other.name) and \(name) are both node \(id))", entry)
                }
                if otherAddress == lowercasedAddress {
                    throw invalid("each address once (\(other.name) and \(name) both use \(peer.address))", entry)
                }
            }
            peers.append(peer)
            lowercasedAddresses.append(lowercasedAddress)
        }
        if peers.isEmpty {
            throw invalid("at least one id-host:port entry", text)
        }
        return peers
    }

    /// The host without IPv6 brackets, or nil when it is not a plausible host name (RFC 1123
    /// labels), dotted IPv4 address, or bracketed IPv6 address.
    static func parseHost(_ text: String) -> String? {
        if text.hasPrefix("[") && text.hasSuffix("]") && text.count > 2 {
            let inner = text.dropFirst().dropLast()
            let allowed = inner.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
            return allowed && inner.contains(":") ? String(inner) : nil
        }
        guard !text.isEmpty, text.utf8.count <= 253 else { return nil }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if labels.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) {
            // All numeric: must be a dotted quad, not a stray number such as "12.7".
            return labels.count == 4 && labels.allSatisfy({ $0.count <= 3 && Int($0)! <= 255 }) ? text : nil
        }
        let validLabels = labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" }
        }
        return validLabels ? text : nil
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetter: Bool { isASCII && isLetter }
}

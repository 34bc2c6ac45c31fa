/// A command's `flag` field. Only the two low bits have a meaning; the others are carried as
/// they are.
public struct RemotingFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Bit 0 (`RPC_TYPE`): the command answers the request with the same `opaque`.
    public static let response = RemotingFlags(rawValue: 1)
    /// Bit 1 (`RPC_ONEWAY`): the requester wants no answer. The C++ clients never set it (even
    /// for their one-way sends); the Java client does for offset updates and END_TRANSACTION.
    public static let oneWay = RemotingFlags(rawValue: 2)

    public var description: String {
        var names: [String] = []
        if contains(.response) { names.append("response") }
        if contains(.oneWay) { names.append("oneWay") }
        let rest = rawValue & ~3
        if rest != 0 { names.append("0x\(String(UInt32(bitPattern: rest), radix: 16))") }
        return "[\(names.joined(separator: ", "))]"
    }
}

/// The client language a command names (`LanguageCode.java`): a name in a JSON header, a byte in a
/// binary one. Purely informational; nothing here branches on it.
public enum LanguageCode: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case java = 0
    case cpp = 1
    case dotnet = 2
    case python = 3
    case delphi = 4
    case erlang = 5
    case ruby = 6
    case other = 7
    case http = 8
    case go = 9
    case php = 10
    case oms = 11
    case rust = 12

    /// The Java enum name a JSON header carries: `"JAVA"`, `"CPP"`, ...
    public var name: String { LanguageCode.names[Int(rawValue)] }

    /// The Java names, indexed by code.
    private static let names = [
        "JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER", "HTTP", "GO", "PHP", "OMS", "RUST",
    ]

    /// The language with this Java enum name, or nil.
    public init?(name: String) {
        guard let match = LanguageCode.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    public var description: String { name }
}

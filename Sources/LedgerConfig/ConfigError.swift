/// A configuration that cannot be used. Its description is one line an operator can act on:
/// the file (or `--peers`), the line when there is one, the key, what was expected and what was
/// found — e.g. `conf/n0.conf:7: electionTimeoutMinMs: expected a whole number of milliseconds, got "fast"`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Sendable, Hashable {
        /// The file could not be read; the text is the operating system's reason.
        case unreadable(String)
        /// The file is not UTF-8 text.
        case notUTF8
        /// A line that is neither blank, a comment, nor `key=value`.
        case malformedLine(String)
        /// A key this version does not know, with the closest known key when one is near.
        case unknownKey(String, suggestion: String?)
        /// A key set twice; `firstLine` is where it was set first.
        case duplicateKey(String, firstLine: Int)
        /// A required key that is absent.
        case missingKey(String)
        /// A key that is required in this configuration, absent; `reason` says why.
        case requiredKey(String, reason: String)
        /// The file `clusterSecretFile` names cannot be used as the group secret.
        case unusableSecretFile(path: String, ClusterSecret.Problem)
        /// The file `aclFile` names cannot be used as the ACL.
        case unusableAclFile(AclFileError)
        /// A value that does not parse or breaks a rule; `key` is nil for a bare `--peers` value.
        case invalidValue(key: String?, expected: String, got: String)
    }

    /// The file path, or the command-line option, the configuration came from.
    public var source: String
    /// The 1-based line, when the problem has one.
    public var line: Int?
    public var problem: Problem

    public init(source: String, line: Int?, problem: Problem) {
        self.source = source
        self.line = line
        self.problem = problem
    }

    public var description: String {
        let location = line.map { "\(source):\($0)" } ?? source
        let detail: String =
            switch problem {
            case .unreadable(let reason):
                "cannot read the file: \(reason)"
            case .notUTF8:
                "expected UTF-8 text, got bytes that are not"
            case .malformedLine(let text):
                "expected key=value, a # comment or a blank line, got \(quoted(text))"
            case .unknownKey(let key, let suggestion?):
                "unknown key \(quoted(key)) (did you mean \(quoted(suggestion))?)"
            case .unknownKey(let key, nil):
                "unknown key \(quoted(key)); known keys: \(NodeConfig.Key.allCases.map(\.rawValue).joined(separator: ", "))"
            case .duplicateKey(let key, let firstLine):
                "duplicate key \(quoted(key)) (first set on line \(firstLine))"
            case .missingKey(let key):
                "missing required key \(quoted(key))"
            case .requiredKey(let key, let reason):
                "missing key \(quoted(key)), required because \(reason)"
            case .unusableSecretFile(let path, let problem):
                "clusterSecretFile: the secret file \(quoted(path)) \(problem)"
            case .unusableAclFile(let error):
                "aclFile: \(error)"
            case .invalidValue(let key?, let expected, let got):
                "\(key): expected \(expected), got \(quoted(got))"
            case .invalidValue(nil, let expected, let got):
                "expected \(expected), got \(quoted(got))"
            }
        return "\(location): \(detail)"
    }
}

/// `text` in double quotes, with quotes, backslashes and control characters escaped, so the
/// message stays on one line whatever the input held.
func quoted(_ text: String) -> String {
    String(reflecting: text)
}

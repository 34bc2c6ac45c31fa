/// Why bytes on the admin port are not an acceptable HTTP/1.x request. Each names the status
/// the server answers with before it closes the connection.
public enum HTTPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No end of the head within the first `limit` bytes (431).
    case headTooLarge(limit: Int)
    /// More than `limit` header fields (431).
    case tooManyHeaders(limit: Int)
    /// The request line is not `METHOD SP /target SP HTTP/1.x` (400).
    case malformedRequestLine(String)
    /// An HTTP version other than 1.0 and 1.1 (505).
    case unsupportedVersion(String)
    /// A header line is not `name: value`, or folds onto the next line (400).
    case malformedHeader(String)
    /// A line ends in a bare LF, or holds a CR or NUL where none may be (400).
    case badLineEnding
    /// `Content-Length` is not one decimal number, or two of them differ (400).
    case invalidContentLength(String)
    /// An HTTP/1.1 request without exactly one `Host` header (400, RFC 9112 §3.2).
    case missingHost
    case duplicateHost

    /// The status code to answer with.
    public var status: HTTPStatus {
        switch self {
        case .headTooLarge, .tooManyHeaders: .headerFieldsTooLarge
        case .unsupportedVersion: .versionNotSupported
        case .malformedRequestLine, .malformedHeader, .badLineEnding, .invalidContentLength, .missingHost,
            .duplicateHost:
            .badRequest
        }
    }

    public var description: String {
        switch self {
        case .headTooLarge(let limit): "the request head is larger than \(limit) bytes"
        case .tooManyHeaders(let limit): "the request has more than \(limit) header fields"
        case .malformedRequestLine(let line):
            "malformed request line \(Self.quoted(line)); expected METHOD /path HTTP/1.1"
        case .unsupportedVersion(let version): "HTTP version \(Self.quoted(version)) is not supported; use HTTP/1.1"
        case .malformedHeader(let line): "malformed header line \(Self.quoted(line)); expected name: value"
        case .badLineEnding: "lines must end in CRLF and hold no CR or NUL"
        case .invalidContentLength(let value): "invalid Content-Length \(Self.quoted(value))"
        case .missingHost: "an HTTP/1.1 request needs a Host header"
        case .duplicateHost: "more than one Host header"
        }
    }

    /// `text` in quotes, cut to 80 characters, control bytes shown as `\u{..}`.
    private static func quoted(_ text: String) -> String {
        let cut = text.count > 80 ? text.prefix(80) + "…" : Substring(text)
        return "\""
            + cut.unicodeScalars.map { $0.value < 0x20 ? "\\u{\(String($0.value, radix: 16))}" : String($0) }
            .joined() + "\""
    }
}

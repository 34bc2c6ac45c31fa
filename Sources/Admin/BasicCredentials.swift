import Bytes

/// HTTP Basic credentials (RFC 7617): a user name and a password, sent as
/// `Authorization: Basic base64(user:password)`. The admin port reads an ACL account's access
/// key as the user name and its secret key as the password.
public struct BasicCredentials: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var password: String

    /// The realm of the admin port's challenge: a browser keeps the credentials it was given
    /// for this realm and sends them with every later request to the same port.
    public static let realm = "SwiftLedger"
    /// The `WWW-Authenticate` header of a 401.
    public static let challenge = HTTPHeader(name: "WWW-Authenticate", value: "Basic realm=\"\(realm)\"")

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// The credentials of `request`: nil when it has no `Authorization` header; throws
    /// ``APIError/unauthenticated(_:)`` naming the problem when the header is sent twice, is not
    /// the Basic scheme, or is not base64 of UTF-8 `user:password`. Never repeats the secret.
    public init?(_ request: HTTPRequest) throws(APIError) {
        let values = request.values(of: "Authorization")
        guard let value = values.first else { return nil }
        guard values.count == 1 else {
            throw .unauthenticated("Authorization: sent \(values.count) times; send it once")
        }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic" else {
            throw .unauthenticated(
                "Authorization: expected the Basic scheme with the access key and secret key, got the "
                    + "\(String(reflecting: String(parts.first?.prefix(32) ?? ""))) scheme")
        }
        guard let decoded = Base64.decode(parts[1].drop { $0 == " " }),
            let text = String(validating: decoded, as: UTF8.self),
            let colon = text.firstIndex(of: ":")
        else {
            throw .unauthenticated("Authorization: the Basic credentials are not base64 of UTF-8 accessKey:secretKey")
        }
        self.init(user: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
    }

    /// `Basic base64(user:password)`, the header value a client sends.
    public var authorization: String { "Basic " + Base64.encode(Array("\(user):\(password)".utf8)) }

    /// Names the user, never the password.
    public var description: String { "user \(String(reflecting: user))" }
}

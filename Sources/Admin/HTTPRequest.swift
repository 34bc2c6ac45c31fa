/// One HTTP/1.x request head, as ``HTTPRequestParser`` read it. The admin port serves fixed
/// routes and takes no bodies, so a request is its head.
public struct HTTPRequest: Sendable, Hashable {
    /// The method token as sent (case-sensitive: `GET`, not `get`).
    public var method: String
    /// The request target in origin form: the path and, after `?`, the query.
    public var target: String
    /// `1` for HTTP/1.1, `0` for HTTP/1.0.
    public var minorVersion: Int
    /// The header fields in the order sent, names as sent.
    public var headers: [HTTPHeader]
    /// Whether the connection stays open after the answer: HTTP/1.1 unless `Connection: close`,
    /// HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool
    /// Whether a body follows the head (`Content-Length` above 0, or any `Transfer-Encoding`).
    /// The admin port reads no bodies: it answers such a request and closes the connection.
    public var hasBody: Bool

    public init(
        method: String, target: String, minorVersion: Int, headers: [HTTPHeader], keepAlive: Bool, hasBody: Bool
    ) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.headers = headers
        self.keepAlive = keepAlive
        self.hasBody = hasBody
    }

    /// The target without its query: `/metrics` for `/metrics?x=1`.
    public var path: Substring { target.prefix { $0 != "?" } }

    /// The values of every header named `name` (compared without case), in order.
    public func values(of name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }
}

/// One header field: its name as sent and its value without surrounding blanks.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

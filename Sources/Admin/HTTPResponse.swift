/// An answer on the admin port: status, a few headers and a body, encoded as HTTP/1.1.
public struct HTTPResponse: Sendable, Hashable {
    public var status: HTTPStatus
    /// Headers besides `Content-Length` and `Connection`, which ``encoded(headOnly:keepAlive:)``
    /// writes itself.
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: [HTTPHeader] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain` answer: `text` and a final newline.
    public static func text(_ status: HTTPStatus, _ text: String, headers: [HTTPHeader] = []) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [HTTPHeader(name: "Content-Type", value: "text/plain; charset=utf-8")] + headers,
            body: Array((text + "\n").utf8))
    }

    /// A JSON answer (`/api/...`): never cached, so a page that polls sees each new state.
    public static func json(_ status: HTTPStatus, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [
                HTTPHeader(name: "Content-Type", value: AdminRoute.jsonContentType),
                HTTPHeader(name: "Cache-Control", value: "no-store"),
            ],
            body: body)
    }

    /// The JSON answer for `error`; a `401` carries the Basic challenge
    /// (``BasicCredentials/challenge``), so a browser asks for the access and secret keys.
    public static func apiError(_ error: APIError) -> HTTPResponse {
        var response = json(error.status, error.json)
        if error.status == .unauthorized { response.headers.append(BasicCredentials.challenge) }
        return response
    }

    /// The answer to a request the parser refused: its status and reason; the connection closes.
    public static func refusal(_ error: HTTPParseError) -> HTTPResponse {
        .text(error.status, error.description)
    }

    /// The bytes on the wire: status line, headers, `Content-Length` (always, also for HEAD,
    /// where it is the length a GET would get), `Connection: close` unless `keepAlive`, and the
    /// body unless `headOnly`.
    public func encoded(headOnly: Bool, keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status.code) \(status.reason)\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        head += "Content-Length: \(body.count)\r\n"
        if !keepAlive { head += "Connection: close\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if !headOnly { bytes += body }
        return bytes
    }
}

import Testing

@testable import Admin

/// A node whose documents are fixed strings; it records the message lookups asked of it.
final class FakeSource: AdminSource {
    var metrics = "ledger_x 1\n"
    var lookups: [MessageLookup] = []
    var lookupError: APIError?
    var recentEvents = EventRing(capacity: 4)
    /// What access checks refuse (nil: everything passes); every check is recorded.
    var refusal: APIError?
    var accessChecks: [(target: String, route: AdminRoute?)] = []

    func metricsText() -> String { metrics }
    func nodeDocument() -> [UInt8] { Array(#"{"doc":"node"}"#.utf8) }
    func groupDocument() -> [UInt8] { Array(#"{"doc":"group"}"#.utf8) }
    func topicsDocument() -> [UInt8] { Array(#"{"doc":"topics"}"#.utf8) }
    func consumerGroupsDocument() -> [UInt8] { Array(#"{"doc":"groups"}"#.utf8) }
    func messageDocument(_ lookup: MessageLookup) throws(APIError) -> [UInt8] {
        lookups.append(lookup)
        if let lookupError { throw lookupError }
        return Array(#"{"doc":"message"}"#.utf8)
    }
    func checkAccess(_ request: HTTPRequest, to route: AdminRoute?) throws(APIError) {
        accessChecks.append((request.target, route))
        if let refusal { throw refusal }
    }
}

@Suite struct AdminRoutesTests {
    func request(_ method: String, _ target: String, keepAlive: Bool = true) -> HTTPRequest {
        HTTPRequest(
            method: method, target: target, minorVersion: 1, headers: [HTTPHeader(name: "Host", value: "x")],
            keepAlive: keepAlive, hasBody: false)
    }

    func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func healthz() {
        let (route, response) = adminResponse(to: request("GET", "/healthz"), from: FakeSource())
        #expect(route == .healthz)
        #expect(response.status == .ok)
        #expect(text(response) == "ok\n")
    }

    @Test func metricsWithQuery() {
        let (route, response) = adminResponse(to: request("GET", "/metrics?name[]=x"), from: FakeSource())
        #expect(route == .metrics)
        #expect(response.status == .ok)
        #expect(response.headers.contains(HTTPHeader(name: "Content-Type", value: AdminRoute.metricsContentType)))
        #expect(text(response) == "ledger_x 1\n")
    }

    @Test func unknownPathsAre404() {
        for target in [
            "/metrics/", "/../metrics", "/healthz/../metrics", "/METRICS", "/%2e%2e/etc/passwd", "/api", "/api/node/",
            "/api/nodes", "/index.html", "//",
        ] {
            let (route, response) = adminResponse(to: request("GET", target), from: FakeSource())
            #expect(route == nil)
            #expect(response.status == .notFound, "\(target)")
        }
    }

    @Test func otherMethodsAre405() {
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "get"] {
            let (_, response) = adminResponse(to: request(method, "/metrics"), from: FakeSource())
            #expect(response.status == .methodNotAllowed, "\(method)")
            #expect(response.headers.contains(HTTPHeader(name: "Allow", value: "GET, HEAD")))
        }
    }

    @Test func encoding() {
        let response = HTTPResponse.text(.notFound, "no")
        let full = String(decoding: response.encoded(headOnly: false, keepAlive: true), as: UTF8.self)
        #expect(
            full == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\nno\n"
        )
        let head = String(decoding: response.encoded(headOnly: true, keepAlive: false), as: UTF8.self)
        #expect(
            head
                == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
        )
    }

    @Test func refusals() {
        let response = HTTPResponse.refusal(.headTooLarge(limit: 8192))
        #expect(response.status.code == 431)
        #expect(text(response) == "the request head is larger than 8192 bytes\n")
    }

    @Test("a refused access answers 401 with the Basic challenge, or 403, before any route or method check")
    func accessRefusalsComeFirst() {
        let source = FakeSource()
        source.refusal = .unauthenticated("no keys")
        for (method, target) in [
            ("GET", "/api/group"), ("POST", "/"), ("GET", "/nowhere"), ("HEAD", "/api/message?x=1"),
        ] {
            let (_, response) = adminResponse(to: request(method, target), from: source)
            #expect(response.status == .unauthorized, "\(method) \(target)")
            #expect(
                response.headers.contains(HTTPHeader(name: "WWW-Authenticate", value: #"Basic realm="SwiftLedger""#)))
            #expect(response.headers.contains(HTTPHeader(name: "Content-Type", value: "application/json")))
            #expect(text(response) == #"{"error":"no keys","parameter":null}"#)
        }
        #expect(source.accessChecks.map(\.route) == [.group, .dashboard, nil, .message])
        source.refusal = .forbidden("not admin")
        let (route, forbidden) = adminResponse(to: request("GET", "/api/node"), from: source)
        #expect(route == .node)
        #expect(forbidden.status == .forbidden)
        #expect(!forbidden.headers.contains { $0.name == "WWW-Authenticate" })
        #expect(text(forbidden) == #"{"error":"not admin","parameter":null}"#)
    }

    @Test("Basic credentials: parsed from one Authorization header, every malformed one named")
    func basicCredentials() throws {
        func credentials(_ values: [String]) throws(APIError) -> BasicCredentials? {
            try BasicCredentials(
                HTTPRequest(
                    method: "GET", target: "/", minorVersion: 1,
                    headers: values.map { HTTPHeader(name: "authorization", value: $0) }, keepAlive: true,
                    hasBody: false))
        }
        #expect(try credentials([]) == nil)
        let operator_ = BasicCredentials(user: "operator", password: "s3cr:et €")
        #expect(operator_.authorization == "Basic b3BlcmF0b3I6czNjcjpldCDigqw=")
        #expect(try credentials([operator_.authorization]) == operator_)
        #expect(try credentials(["basic   b3BlcmF0b3I6czNjcjpldCDigqw="]) == operator_)
        #expect(try credentials(["Basic Og=="]) == BasicCredentials(user: "", password: ""))
        #expect("\(operator_)" == #"user "operator""#)
        let refusals: [([String], String)] = [
            (["Basic Og==", "Basic Og=="], "Authorization: sent 2 times; send it once"),
            (
                ["Bearer abc"],
                #"Authorization: expected the Basic scheme with the access key and secret key, got the "Bearer" scheme"#
            ),
            (
                ["Basic"],
                #"Authorization: expected the Basic scheme with the access key and secret key, got the "Basic" scheme"#
            ),
            (["Basic b3BlcmF0b3I"], "Authorization: the Basic credentials are not base64 of UTF-8 accessKey:secretKey"),
            (
                ["Basic bm9jb2xvbg=="],
                "Authorization: the Basic credentials are not base64 of UTF-8 accessKey:secretKey"
            ),
            (["Basic //79"], "Authorization: the Basic credentials are not base64 of UTF-8 accessKey:secretKey"),
        ]
        for (values, reason) in refusals {
            #expect(throws: APIError.unauthenticated(reason), "\(values)") { try credentials(values) }
        }
    }
}

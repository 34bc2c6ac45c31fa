import Testing

@testable import Admin

/// A node whose documents are fixed strings; it records the message lookups asked of it.
final class FakeSource: AdminSource {
    var metrics = "ledger_x 1\n"
    var lookups: [MessageLookup] = []
    var lookupError: APIError?
    var recentEvents = EventRing(capacity: 4)

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
}

import Testing

@testable import Admin

@Suite struct AdminRoutesTests {
    func request(_ method: String, _ target: String, keepAlive: Bool = true) -> HTTPRequest {
        HTTPRequest(
            method: method, target: target, minorVersion: 1, headers: [HTTPHeader(name: "Host", value: "x")],
            keepAlive: keepAlive, hasBody: false)
    }

    func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func healthz() {
        let (route, response) = adminResponse(to: request("GET", "/healthz")) {
            Issue.record("rendered metrics"); return ""
        }
        #expect(route == .healthz)
        #expect(response.status == .ok)
        #expect(text(response) == "ok\n")
    }

    @Test func metricsWithQuery() {
        let (route, response) = adminResponse(to: request("GET", "/metrics?name[]=x")) { "ledger_x 1\n" }
        #expect(route == .metrics)
        #expect(response.status == .ok)
        #expect(response.headers.contains(HTTPHeader(name: "Content-Type", value: AdminRoute.metricsContentType)))
        #expect(text(response) == "ledger_x 1\n")
    }

    @Test func unknownPathsAre404() {
        for target in ["/", "/metrics/", "/../metrics", "/healthz/../metrics", "/METRICS", "/%2e%2e/etc/passwd"] {
            let (route, response) = adminResponse(to: request("GET", target)) { "" }
            #expect(route == nil)
            #expect(response.status == .notFound, "\(target)")
        }
    }

    @Test func otherMethodsAre405() {
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "get"] {
            let (_, response) = adminResponse(to: request(method, "/metrics")) { "" }
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

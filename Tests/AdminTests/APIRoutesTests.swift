import Testing

@testable import Admin

/// The `/api` routes and the dashboard page as the admin port answers them, over a fake node:
/// which document each path gets, and the 400s that name the bad parameter.
@Suite struct APIRoutesTests {
    func get(_ target: String, _ source: FakeSource = FakeSource()) -> (AdminRoute?, HTTPResponse) {
        let request = HTTPRequest(
            method: "GET", target: target, minorVersion: 1, headers: [HTTPHeader(name: "Host", value: "x")],
            keepAlive: true, hasBody: false)
        return adminResponse(to: request, from: source)
    }

    func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    func header(_ response: HTTPResponse, _ name: String) -> String? {
        response.headers.first { $0.name == name }?.value
    }

    @Test func eachRouteGetsItsDocument() {
        let documents: [(String, AdminRoute, String)] = [
            ("/api/node", .node, #"{"doc":"node"}"#), ("/api/group", .group, #"{"doc":"group"}"#),
            ("/api/topics", .topics, #"{"doc":"topics"}"#), ("/api/groups", .consumerGroups, #"{"doc":"groups"}"#),
            ("/api/message?msgId=AB", .message, #"{"doc":"message"}"#),
            ("/api/events", .events, #"{"capacity":4,"recorded":0,"events":[]}"#),
        ]
        for (target, expectedRoute, body) in documents {
            let (route, response) = get(target)
            #expect(route == expectedRoute, "\(target)")
            #expect(response.status == .ok, "\(target)")
            #expect(text(response) == body, "\(target)")
            #expect(header(response, "Content-Type") == "application/json", "\(target)")
            #expect(header(response, "Cache-Control") == "no-store", "\(target)")
        }
    }

    @Test func dashboardIsOneSelfContainedPage() {
        let (route, response) = get("/")
        #expect(route == .dashboard)
        #expect(response.status == .ok)
        #expect(header(response, "Content-Type") == "text/html; charset=utf-8")
        let page = text(response)
        #expect(page.hasPrefix("<!doctype html>"))
        // The DOM contract of ADMIN.md.
        for hook in [
            #"id="group-status""#, #"id="leader""#, #"id="term""#, #"id="nodes""#, #"id="throughput""#,
            #"id="topics""#, #"id="consumer-groups""#, #"id="lookup""#, #"id="lookup-result""#, #"id="events""#,
            #"id="updated""#, #"id="leader-change""#, "data-node", "data-role", "data-topic", "data-queue",
            "data-group", "data-lag",
        ] {
            #expect(page.contains(hook), "\(hook)")
        }
        // Nothing from elsewhere: no external script, style sheet, font or image.
        for outside in ["http://", "https://", "src=", "<link", "@import"] {
            #expect(!page.contains(outside), "\(outside)")
        }
    }

    @Test func parameterlessRoutesRefuseParameters() {
        let (route, response) = get("/api/group?verbose=1")
        #expect(route == .group)
        #expect(response.status == .badRequest)
        #expect(header(response, "Content-Type") == "application/json")
        #expect(
            text(response)
                == #"{"error":"parameter verbose: unknown parameter (this path takes no parameters)","parameter":"verbose"}"#
        )
    }

    @Test func messageLookupsDecodeTheQuery() {
        let source = FakeSource()
        #expect(get("/api/message?key=a%20b+c&topic=t%2Fx", source).1.status == .ok)
        #expect(get("/api/message?msgId=0A0B", source).1.status == .ok)
        #expect(get("/api/message?topic=%E2%82%AC&key=k", source).1.status == .ok)
        #expect(source.lookups == [.key(topic: "t/x", key: "a b c"), .messageID("0A0B"), .key(topic: "€", key: "k")])
    }

    @Test func badMessageQueriesName400TheParameter() {
        let cases: [(String, String)] = [
            ("/api/message", "msgId"),
            ("/api/message?key=k", "topic"),
            ("/api/message?topic=t", "key"),
            ("/api/message?msgId=A&key=k", "key"),
            ("/api/message?msgId=A&topic=t", "topic"),
            ("/api/message?msgId=", "msgId"),
            ("/api/message?key=k&topic=", "topic"),
            ("/api/message?key=%zz&topic=t", "key"),
            ("/api/message?key=%4&topic=t", "key"),
            ("/api/message?key=%FF&topic=t", "key"),
            ("/api/message?key=a&key=b&topic=t", "key"),
            ("/api/message?msgId=A&limit=3", "limit"),
            ("/api/message?=x", ""),
        ]
        for (target, parameter) in cases {
            let source = FakeSource()
            let (route, response) = get(target, source)
            #expect(route == .message, "\(target)")
            #expect(response.status == .badRequest, "\(target)")
            #expect(text(response).hasSuffix(#""parameter":"\#(parameter)"}"#), "\(target): \(text(response))")
            #expect(source.lookups.isEmpty, "\(target) reached the node")
        }
    }

    @Test func lookupFailuresKeepTheirStatus() {
        let source = FakeSource()
        source.lookupError = .notFound(parameter: "topic", "no such topic: t")
        let (_, missing) = get("/api/message?key=k&topic=t", source)
        #expect(missing.status == .notFound)
        #expect(text(missing) == #"{"error":"no such topic: t","parameter":"topic"}"#)
        source.lookupError = .unreadable("a \"bad\" file\n")
        let (_, broken) = get("/api/message?msgId=A", source)
        #expect(broken.status.code == 500)
        #expect(text(broken) == #"{"error":"cannot read: a \"bad\" file\n","parameter":null}"#)
    }
}

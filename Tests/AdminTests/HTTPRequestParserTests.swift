import Testing

@testable import Admin

@Suite struct HTTPRequestParserTests {
    /// Feeds `text` in one chunk and returns every request parsed, or the error.
    func parse(_ text: String, maxHeadBytes: Int = HTTPRequestParser.defaultMaxHeadBytes) -> Result<
        [HTTPRequest], HTTPParseError
    > {
        var parser = HTTPRequestParser(maxHeadBytes: maxHeadBytes)
        parser.feed(Array(text.utf8))
        var requests: [HTTPRequest] = []
        do {
            while let request = try parser.next() { requests.append(request) }
            return .success(requests)
        } catch {
            return .failure(error)
        }
    }

    func failure(_ text: String, maxHeadBytes: Int = HTTPRequestParser.defaultMaxHeadBytes) -> HTTPParseError? {
        if case .failure(let error) = parse(text, maxHeadBytes: maxHeadBytes) { return error }
        return nil
    }

    @Test func simpleGet() throws {
        let requests = try parse("GET /metrics?a=1 HTTP/1.1\r\nHost: x\r\nUser-Agent:  curl/8 \r\n\r\n").get()
        #expect(requests.count == 1)
        let request = requests[0]
        #expect(request.method == "GET")
        #expect(request.target == "/metrics?a=1")
        #expect(request.path == "/metrics")
        #expect(request.minorVersion == 1)
        #expect(request.values(of: "user-agent") == ["curl/8"])
        #expect(request.keepAlive)
        #expect(!request.hasBody)
    }

    @Test func byteByByteAndPipelined() throws {
        let text =
            "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" + "HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + "GET /never HTTP/1.1\r\nHost: x\r\n\r\n"
        var parser = HTTPRequestParser()
        var requests: [HTTPRequest] = []
        for byte in text.utf8 {
            parser.feed([byte])
            while let request = try parser.next() { requests.append(request) }
        }
        #expect(requests.map(\.target) == ["/a", "/b", "/c"], "nothing is parsed after Connection: close")
        #expect(requests.map(\.keepAlive) == [true, true, false])
        #expect(parser.isFinished)
        // Pipelined in one chunk: the same three.
        #expect(try parse(text).get().map(\.target) == ["/a", "/b", "/c"])
    }

    @Test func leadingEmptyLinesAreSkipped() throws {
        #expect(try parse("\r\n\r\nGET / HTTP/1.0\r\n\r\n").get().map(\.target) == ["/"])
    }

    @Test func http10KeepAliveOnlyWhenAsked() throws {
        #expect(try parse("GET / HTTP/1.0\r\n\r\n").get().map(\.keepAlive) == [false])
        let kept = try parse("GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n").get()
        #expect(kept.map(\.keepAlive) == [true, false])
        #expect(
            try parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: te, close\r\n\r\n").get().map(\.keepAlive) == [false])
    }

    @Test func incompleteHeadWaits() throws {
        var parser = HTTPRequestParser()
        parser.feed(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8))
        #expect(try parser.next() == nil)
        parser.feed(Array("\r\n".utf8))
        #expect(try parser.next()?.target == "/")
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func oversizedHeadFailsAtTheLimit() throws {
        var parser = HTTPRequestParser(maxHeadBytes: 64)
        parser.feed(Array("GET /".utf8) + Array(repeating: UInt8(ascii: "a"), count: 58))
        #expect(try parser.next() == nil, "63 bytes: still waiting")
        parser.feed([UInt8(ascii: "a")])
        #expect(throws: HTTPParseError.headTooLarge(limit: 64)) { try parser.next() }
        // Sticky: the stream is out of step for good, and further bytes are not kept.
        parser.feed(Array("\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.headTooLarge(limit: 64)) { try parser.next() }
        #expect(HTTPParseError.headTooLarge(limit: 64).status.code == 431)
        // A huge header line in a default-sized parser.
        let long = "GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "v", count: 9000) + "\r\n\r\n"
        #expect(failure(long) == .headTooLarge(limit: 8192))
    }

    @Test func tooManyHeaders() {
        let headers = (0...HTTPRequestParser.maxHeaderCount).map { "X-\($0): v\r\n" }.joined()
        #expect(failure("GET / HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n") == .tooManyHeaders(limit: 100))
        #expect(HTTPParseError.tooManyHeaders(limit: 100).status.code == 431)
    }

    @Test(arguments: [
        "GET /\r\n\r\n",  // no version
        "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",  // two spaces
        "GET / HTTP/1.1 \r\nHost: x\r\n\r\n",  // trailing space
        "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",  // absolute form
        "GET ../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",  // not origin form
        "GET /a\u{7F}b HTTP/1.1\r\nHost: x\r\n\r\n",  // DEL in the target
        "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",  // not a token
        "GET / HTTP/1\r\nHost: x\r\n\r\n",  // short version
        "GET / FTP/1.1\r\nHost: x\r\n\r\n",
        "\u{16}\u{03}\u{01}\u{02}\u{00} / HTTP/1.1\r\n\r\n",  // TLS hello bytes
    ])
    func malformedRequestLines(_ text: String) {
        let error = failure(text)
        #expect(error?.status.code == 400, "\(error.map { "\($0)" } ?? "accepted")")
    }

    @Test func unsupportedVersions() {
        #expect(failure("GET / HTTP/2.0\r\n\r\n") == .unsupportedVersion("HTTP/2.0"))
        #expect(failure("GET / HTTP/1.2\r\nHost: x\r\n\r\n")?.status.code == 505)
    }

    @Test(arguments: [
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n",  // blank before the colon
        "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n",  // obsolete folding
        "GET / HTTP/1.1\r\nHost: x\r\n: empty-name\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX: a\u{01}b\r\n\r\n",  // control byte in a value
    ])
    func malformedHeaders(_ text: String) {
        guard case .malformedHeader = failure(text) else {
            Issue.record(
                "expected a malformed header for \(text.debugDescription), got \(String(describing: failure(text)))")
            return
        }
    }

    @Test func lineEndings() {
        #expect(failure("GET / HTTP/1.1\nHost: x\n\n") == .badLineEnding)
        #expect(failure("GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n") == .badLineEnding)
        #expect(failure("GET / HTTP/1.1\r\nHost: \u{0}\r\n\r\n") == .badLineEnding)
        // A bare LF fails at once, before the head could be complete.
        var parser = HTTPRequestParser()
        parser.feed(Array("GET / HTTP/1.1\n".utf8))
        #expect(throws: HTTPParseError.badLineEnding) { try parser.next() }
    }

    @Test func hostRules() {
        #expect(failure("GET / HTTP/1.1\r\n\r\n") == .missingHost)
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n") == .duplicateHost)
        #expect((try? parse("GET / HTTP/1.0\r\n\r\n").get().count) == 1, "HTTP/1.0 needs no Host")
    }

    @Test func bodiesEndTheStream() throws {
        let posted = try parse(
            "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n"
        )
        .get()
        #expect(posted.count == 1)
        #expect(posted[0].hasBody && posted[0].method == "POST")
        let chunked = try parse("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").get()
        #expect(chunked.map(\.hasBody) == [true])
        let empty = try parse(
            "GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        .get()
        #expect(empty.map(\.target) == ["/a", "/b"], "a zero length is no body")
    }

    @Test(arguments: ["-1", "1x", "", "5, 6", "99999999999999999999", "+5"])
    func invalidContentLengths(_ value: String) {
        guard case .invalidContentLength = failure("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: \(value)\r\n\r\n")
        else {
            Issue.record("Content-Length \(value.debugDescription) was accepted")
            return
        }
    }

    @Test func errorsReadAsOneLine() {
        let error = HTTPParseError.malformedRequestLine("GET /\u{1}")
        #expect(error.description == "malformed request line \"GET /\\u{1}\"; expected METHOD /path HTTP/1.1")
        #expect(!HTTPParseError.headTooLarge(limit: 8192).description.contains("\n"))
    }
}

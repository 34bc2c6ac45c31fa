import Admin

extension FuzzTarget {
    /// The admin port's request parser over a chunked stream, and the routing of what it
    /// accepts. Every request it returns must be one the strict grammar allows: a target that
    /// starts with `/`, a minor version of 0 or 1, and at most ``HTTPRequestParser/maxHeaderCount``
    /// headers.
    static func runHTTP(_ bytes: [UInt8]) -> FuzzViolation? {
        var parser = HTTPRequestParser(maxHeadBytes: 1024)
        for chunk in chunks(bytes) {
            parser.feed(chunk)
            while true {
                let request: HTTPRequest?
                do { request = try parser.next() } catch { return nil }  // Answered with its status, closed.
                guard let request else { break }
                guard request.target.hasPrefix("/"), (0...1).contains(request.minorVersion),
                    request.headers.count <= HTTPRequestParser.maxHeaderCount
                else { return FuzzViolation("accepted \(request)") }
                _ = adminResponse(to: request) { "" }
            }
        }
        return nil
    }
}

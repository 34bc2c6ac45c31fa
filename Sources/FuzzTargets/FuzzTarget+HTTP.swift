import Admin

extension FuzzTarget {
    /// The admin port's request parser over a chunked stream, and the routing (with its query
    /// and Basic credential parsing) of what it accepts. Every request it returns must be one the strict grammar allows: a target that
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
                _ = adminResponse(to: request, from: EmptyAdminSource())
            }
        }
        return nil
    }
}

/// A node with nothing to show, so routing, query and credential parsing run without a store.
private struct EmptyAdminSource: AdminSource {
    func metricsText() -> String { "" }
    func nodeDocument() -> [UInt8] { [] }
    func groupDocument() -> [UInt8] { [] }
    func topicsDocument() -> [UInt8] { [] }
    func consumerGroupsDocument() -> [UInt8] { [] }
    func messageDocument(_ lookup: MessageLookup) throws(APIError) -> [UInt8] {
        throw .notFound(parameter: nil, "no messages")
    }
    var recentEvents: EventRing { EventRing(capacity: 1) }
    func checkAccess(_ request: HTTPRequest, to route: AdminRoute?) throws(APIError) {
        _ = try BasicCredentials(request)
    }
}

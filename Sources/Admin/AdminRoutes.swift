/// The admin port's fixed routes and what each answers. There are no files behind them: a
/// path is one of these or `404 Not Found`, so no path can reach outside them.
public enum AdminRoute: String, Sendable, CaseIterable {
    /// The dashboard: one self-contained HTML page (``DashboardPage``).
    case dashboard = "/"
    /// `200 ok` while the node's event loop runs (it answers this very request).
    case healthz = "/healthz"
    /// The node's metrics in the Prometheus text exposition format 0.0.4.
    case metrics = "/metrics"
    /// This node's status (JSON).
    case node = "/api/node"
    /// Every node of the group as this node last heard from it (JSON).
    case group = "/api/group"
    /// Topics and their queues' offset ranges (JSON).
    case topics = "/api/topics"
    /// Consumer groups: committed offset and lag per queue, highest lag first (JSON).
    case consumerGroups = "/api/groups"
    /// Messages by key and topic, or one by msgId (JSON).
    case message = "/api/message"
    /// The node's recent events (JSON).
    case events = "/api/events"

    /// `/metrics` and `/healthz`: what monitoring scrapes. With the ACL on they stay open unless
    /// `adminMetricsOpen=false`; every other route needs an admin account.
    public var isMonitoring: Bool { self == .metrics || self == .healthz }

    /// The methods every route answers.
    public static let allowedMethods = ["GET", "HEAD"]

    /// The content type of the Prometheus text format this port serves.
    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"
    /// The content type of every `/api/...` answer, errors included.
    public static let jsonContentType = "application/json"
}

/// What the node behind the admin port knows: each `/api` document, rendered at the moment it
/// is asked for, on the node's event loop. Every method returns at once (no I/O that waits on
/// the network or another thread) and returns a document of bounded size.
public protocol AdminSource {
    /// The `/metrics` page.
    func metricsText() -> String
    /// The `/api/node` document.
    func nodeDocument() -> [UInt8]
    /// The `/api/group` document.
    func groupDocument() -> [UInt8]
    /// The `/api/topics` document.
    func topicsDocument() -> [UInt8]
    /// The `/api/groups` document.
    func consumerGroupsDocument() -> [UInt8]
    /// The `/api/message` document for `lookup`; throws when the topic or message does not
    /// exist (404) or cannot be read (500).
    func messageDocument(_ lookup: MessageLookup) throws(APIError) -> [UInt8]
    /// The node's recent events, oldest first.
    var recentEvents: EventRing { get }
    /// Lets `request` through to `route` (nil: a path that is no route), or throws
    /// ``APIError/unauthenticated(_:)`` or ``APIError/forbidden(_:)``: the ACL is on and the
    /// request does not carry an admin account's keys.
    func checkAccess(_ request: HTTPRequest, to route: AdminRoute?) throws(APIError)
}

/// What the admin port answers to `request`: first `401` (with the Basic challenge) or `403`
/// when `source` refuses access (so without an admin account nothing about the port shows but
/// its open monitoring routes), then `405` (with `Allow`) for a method other than GET and HEAD,
/// `404` for a path that is no route, `400` with a JSON error naming the parameter for a bad
/// query of an `/api` route, else the route's answer from `source`. Returns the route that
/// matched, if any, for the node's own request counters.
public func adminResponse(to request: HTTPRequest, from source: some AdminSource) -> (AdminRoute?, HTTPResponse) {
    let route = AdminRoute(rawValue: String(request.path))
    do throws(APIError) {
        try source.checkAccess(request, to: route)
    } catch {
        return (route, .apiError(error))
    }
    guard AdminRoute.allowedMethods.contains(request.method) else {
        let allowed = AdminRoute.allowedMethods.joined(separator: ", ")
        return (
            route,
            .text(
                .methodNotAllowed, "method \(request.method) is not allowed; use \(allowed)",
                headers: [HTTPHeader(name: "Allow", value: allowed)])
        )
    }
    guard let route else {
        let routes = AdminRoute.allCases.map(\.rawValue).joined(separator: ", ")
        return (nil, .text(.notFound, "no such path: \(request.path) (this port serves \(routes))"))
    }
    switch route {
    case .healthz:
        return (route, .text(.ok, "ok"))
    case .metrics:
        return (
            route,
            HTTPResponse(
                status: .ok, headers: [HTTPHeader(name: "Content-Type", value: AdminRoute.metricsContentType)],
                body: Array(source.metricsText().utf8))
        )
    case .dashboard:
        return (route, DashboardPage.response)
    case .node, .group, .topics, .consumerGroups, .message, .events:
        do throws(APIError) {
            return (route, .json(.ok, try apiDocument(route, QueryParameters(target: request.target), source)))
        } catch {
            return (route, .apiError(error))
        }
    }
}

/// The document of an `/api` route; only `/api/message` takes parameters.
private func apiDocument(_ route: AdminRoute, _ parameters: QueryParameters, _ source: some AdminSource)
    throws(APIError) -> [UInt8]
{
    if route == .message { return try source.messageDocument(MessageLookup(parameters)) }
    try parameters.expectOnly([])
    switch route {
    case .node: return source.nodeDocument()
    case .group: return source.groupDocument()
    case .topics: return source.topicsDocument()
    case .consumerGroups: return source.consumerGroupsDocument()
    case .events: return source.recentEvents.json
    case .dashboard, .healthz, .metrics, .message:
        preconditionFailure("\(route.rawValue) is not a parameterless /api route")
    }
}

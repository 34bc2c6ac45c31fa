/// The admin port's fixed routes and what each answers. There are no files behind them: a
/// path is one of these or `404 Not Found`, so no path can reach outside them.
public enum AdminRoute: String, Sendable, CaseIterable {
    /// `200 ok` while the node's event loop runs (it answers this very request).
    case healthz = "/healthz"
    /// The node's metrics in the Prometheus text exposition format 0.0.4.
    case metrics = "/metrics"

    /// The methods every route answers.
    public static let allowedMethods = ["GET", "HEAD"]

    /// The content type of the Prometheus text format this port serves.
    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"
}

/// What the admin port answers to `request`: `405` (with `Allow`) for a method other than GET
/// and HEAD, `404` for a path that is no route, else the route's answer. `metrics` renders the
/// metrics page; it is called only for `/metrics`. Returns the route that matched, if any, for
/// the node's own request counters.
public func adminResponse(to request: HTTPRequest, metrics: () -> String) -> (AdminRoute?, HTTPResponse) {
    let route = AdminRoute(rawValue: String(request.path))
    guard AdminRoute.allowedMethods.contains(request.method) else {
        let allowed = AdminRoute.allowedMethods.joined(separator: ", ")
        return (
            route,
            .text(
                .methodNotAllowed, "method \(request.method) is not allowed; use \(allowed)",
                headers: [HTTPHeader(name: "Allow", value: allowed)])
        )
    }
    switch route {
    case .healthz:
        return (route, .text(.ok, "ok"))
    case .metrics:
        return (
            route,
            HTTPResponse(
                status: .ok, headers: [HTTPHeader(name: "Content-Type", value: AdminRoute.metricsContentType)],
                body: Array(metrics().utf8))
        )
    case nil:
        let routes = AdminRoute.allCases.map(\.rawValue).joined(separator: ", ")
        return (nil, .text(.notFound, "no such path: \(request.path) (this port serves \(routes))"))
    }
}

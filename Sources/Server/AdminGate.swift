import Admin
import LedgerConfig

/// Who may use the admin port (`Sources/Server/SECURITY.md`, "The admin port"): with the client
/// ACL off, whoever reaches it; with it on, an ACL account with `admin: true`, its access key
/// and secret key sent as HTTP Basic credentials, except on `/metrics` and `/healthz` while
/// `adminMetricsOpen` is true. A pure decision: the node builds it with the ACL in force at each
/// request, so a reloaded ACL file applies from the next request on.
struct AdminGate {
    /// The ACL in force; nil when `aclEnable` is false.
    var acl: AccessControlList?
    /// `adminMetricsOpen`: `/metrics` and `/healthz` need no account even with the ACL on.
    var monitoringOpen: Bool

    /// The admin account `request` proved (nil when none was asked for), or throws
    /// ``APIError/unauthenticated(_:)`` (no keys, malformed keys, keys of no account) or
    /// ``APIError/forbidden(_:)`` (an account that is not admin).
    func check(_ request: HTTPRequest, to route: AdminRoute?) throws(APIError) -> AccessControlList.Account? {
        guard let acl else { return nil }
        if monitoringOpen, let route, route.isMonitoring { return nil }
        guard let credentials = try BasicCredentials(request), !credentials.user.isEmpty else {
            throw .unauthenticated(
                "the ACL is enabled: the admin port needs an admin account, sent as HTTP Basic credentials "
                    + "(the access key as user name, the secret key as password)")
        }
        let account: AccessControlList.Account
        do {
            account = try acl.authenticate(accessKey: credentials.user, secretKey: credentials.password)
        } catch {
            throw .unauthenticated(error.description)
        }
        guard account.admin else {
            throw .forbidden(
                "no permission: the admin port needs an admin account; \(String(reflecting: account.accessKey)) is not admin"
            )
        }
        return account
    }
}

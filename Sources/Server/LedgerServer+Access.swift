import LedgerConfig
import LedgerModel
import Posix
import Raft
import Remoting
import Replica
import Wire

/// The client ACL (`aclEnable`): every client request on the node's own port and on the
/// RocketMQ broker port is authorized (``AccessControlList/authorize(_:)``) before the node
/// core sees it; a refusal is answered (`noPermission` on ours, NO_PERMISSION (16) with the
/// reason as remark on the broker port), logged at most once a minute per address and refusal,
/// and the connection stays open. The NameServer port and peer traffic are not client requests.
extension LedgerServer {
    /// Checks the ACL file every ``AclOptions/checkInterval`` and applies a changed file; a
    /// changed file that cannot be used is logged once and the ACL in force stays.
    func scheduleAclCheck() {
        guard let interval = options.acl?.checkInterval else { return }
        loop.schedule(after: interval) { [unowned self] in
            guard stopReason == nil, var watch = acl else { return }
            let change = watch.check()
            acl = watch
            switch change {
            case .unchanged:
                break
            case .reloaded(let accounts, let whiteAddresses):
                logger.info(
                    term: replica.term.rawValue,
                    "reloaded the ACL from \(watch.path): \(accounts) accounts, \(whiteAddresses) global white addresses"
                )
            case .unusable(let reason):
                logger.error(
                    term: replica.term.rawValue,
                    "the ACL file changed but cannot be used; the previous ACL stays in force: \(reason)")
            }
            scheduleAclCheck()
        }
    }

    /// Whether the ACL lets `command` through; when not, it is answered NO_PERMISSION.
    func authorizeRemoting(_ command: RemotingCommand, on connection: RemotingConnection) -> Bool {
        guard let acl else { return true }
        let fields = command.extFields
        let attempt = AccessAttempt(
            remoteAddress: connection.remoteHost.ipText, accessKey: fields["AccessKey"], signature: fields["Signature"],
            content: AclSignature.remotingContent(
                fields: fields.fields.map { ($0.name, $0.value) }, body: command.body),
            need: command.accessNeed)
        do {
            _ = try acl.current.authorize(attempt)
            return true
        } catch {
            logAccessRefusal(error, of: command.requestCode.description, from: connection.remoteHost)
            answer(.response(to: command, code: .noPermission, remark: error.description), to: command, on: connection)
            return false
        }
    }

    /// Whether the ACL lets `message`, a decoded frame of our own protocol, through; when not,
    /// it is answered `noPermission` (a one-way send gets no answer).
    func authorizeWire(
        _ message: WireMessage, signature: RequestSignature?, requestID: UInt64, on connection: Connection
    ) -> Bool {
        guard let acl, let need = message.accessNeed else { return true }
        let attempt = AccessAttempt(
            remoteAddress: connection.remoteHost.ipText, accessKey: signature?.accessKey,
            signature: signature?.signature, content: signature?.content ?? [], need: need)
        do {
            _ = try acl.current.authorize(attempt)
            return true
        } catch {
            logAccessRefusal(error, of: message.opcode.name, from: connection.remoteHost)
            if case .sendOneWay = message { return false }
            metrics.answered(message.opcode, result: ErrorResponse.Code.noPermission.metricLabel)
            send(
                .errorResponse(
                    ErrorResponse(code: .noPermission, message: error.description), answering: message.opcode),
                requestID: requestID, on: connection)
            return false
        }
    }

    /// One warning per address and refusal (account and reason) per minute, with the count of
    /// the same refusals in between.
    private func logAccessRefusal(_ refusal: AccessRefusal, of request: String, from remote: HostAddress) {
        guard let suppressed = accessRefusals.record(address: "\(remote.ipText) \(refusal)", now: .now) else { return }
        let more = suppressed > 0 ? " (\(suppressed) more alike since the last line)" : ""
        logger.warning(term: replica.term.rawValue, "refused \(request) from \(remote): \(refusal)\(more)")
    }
}

extension HostAddress {
    /// The address without the port, as ACL address patterns match it: `10.0.0.7`, or for
    /// IPv6 the bracket-less text (which only `*` matches).
    var ipText: String {
        let text = description
        guard let colon = text.lastIndex(of: ":") else { return text }
        let host = text[..<colon]
        return host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : String(host)
    }
}

import Bytes

/// Why an admin request gets no document: answered as `{"error": "...", "parameter": ...}`
/// with the status each case names (``HTTPResponse/apiError(_:)``).
public enum APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A query parameter is missing, unknown, malformed or conflicting (400); `name` is the
    /// parameter's name as sent.
    case badParameter(name: String, String)
    /// What was asked for does not exist on this node (404): an unknown topic, no message at an id.
    case notFound(parameter: String?, String)
    /// The node could not read what it holds (500): a store read failed.
    case unreadable(String)
    /// With the ACL on, the request carries no admin account's keys, or keys no account has
    /// (401, with a `WWW-Authenticate` challenge).
    case unauthenticated(String)
    /// With the ACL on, the keys are an account's but it is not admin (403).
    case forbidden(String)

    public var status: HTTPStatus {
        switch self {
        case .badParameter: .badRequest
        case .notFound: .notFound
        case .unreadable: .internalServerError
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        }
    }

    /// The parameter the error is about, if it is about one.
    public var parameter: String? {
        switch self {
        case .badParameter(let name, _): name
        case .notFound(let parameter, _): parameter
        case .unreadable, .unauthenticated, .forbidden: nil
        }
    }

    /// `parameter topic: unknown parameter (expected ...)`.
    public var description: String {
        switch self {
        case .badParameter(let name, let reason): "parameter \(name): \(reason)"
        case .notFound(_, let reason): reason
        case .unreadable(let reason): "cannot read: \(reason)"
        case .unauthenticated(let reason), .forbidden(let reason): reason
        }
    }

    /// The JSON body: `{"error":"<description>","parameter":"<name>"|null}`.
    public var json: [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("error", description)
        writer.member("parameter", parameter)
        writer.endObject()
        return writer.bytes
    }
}

extension RemotingCommand {
    /// The response to `request`: the same `opaque`, the response flag, this server's language
    /// (JAVA, as a RocketMQ broker) and ``serverVersion``. Response `extFields` values are strings
    /// by construction, which is what the C++ clients require.
    ///
    /// A request with ``isOneWay`` set expects no answer: check ``expectsResponse`` before sending.
    public static func response(
        to request: RemotingCommand, code: ResponseCode = .success, remark: String? = nil,
        extFields: ExtFields = ExtFields(), body: ArraySlice<UInt8> = []
    ) -> RemotingCommand {
        RemotingCommand(
            code: code.rawValue, language: .java, version: serverVersion, opaque: request.opaque, flags: .response,
            remark: remark, extFields: extFields, body: body)
    }

    /// The answer to a request whose code this server does not handle: REQUEST_CODE_NOT_SUPPORTED
    /// with the remark the Java remoting layer writes (`" request type 999 not supported"`).
    public static func requestCodeNotSupported(_ request: RemotingCommand) -> RemotingCommand {
        response(to: request, code: .requestCodeNotSupported, remark: " request type \(request.code) not supported")
    }
}

/// A response's `code` (`ResponseCode.java`, `RemotingSysResponseCode.java`).
public struct ResponseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let success = ResponseCode(rawValue: 0)
    public static let systemError = ResponseCode(rawValue: 1)
    public static let systemBusy = ResponseCode(rawValue: 2)
    public static let requestCodeNotSupported = ResponseCode(rawValue: 3)
    public static let flushDiskTimeout = ResponseCode(rawValue: 10)
    /// The broker's slave is gone; with `serviceNotAvailable`, what a broker that cannot take a
    /// write answers (DLedger maps a follower's `NOT_LEADER` to 14).
    public static let slaveNotAvailable = ResponseCode(rawValue: 11)
    public static let flushSlaveTimeout = ResponseCode(rawValue: 12)
    public static let messageIllegal = ResponseCode(rawValue: 13)
    /// Not the master (DLedger: `NOT_LEADER`, `LEADER_NOT_READY`, `DISK_FULL`): the client
    /// refreshes its route and retries.
    public static let serviceNotAvailable = ResponseCode(rawValue: 14)
    public static let noPermission = ResponseCode(rawValue: 16)
    public static let topicNotExist = ResponseCode(rawValue: 17)
    public static let pullNotFound = ResponseCode(rawValue: 19)
    public static let pullRetryImmediately = ResponseCode(rawValue: 20)
    public static let pullOffsetMoved = ResponseCode(rawValue: 21)
    public static let queryNotFound = ResponseCode(rawValue: 22)

    /// Every named code with its Java name, in code order.
    public static let named: [(code: ResponseCode, name: String)] = [
        (.success, "SUCCESS"), (.systemError, "SYSTEM_ERROR"), (.systemBusy, "SYSTEM_BUSY"),
        (.requestCodeNotSupported, "REQUEST_CODE_NOT_SUPPORTED"), (.flushDiskTimeout, "FLUSH_DISK_TIMEOUT"),
        (.slaveNotAvailable, "SLAVE_NOT_AVAILABLE"), (.flushSlaveTimeout, "FLUSH_SLAVE_TIMEOUT"),
        (.messageIllegal, "MESSAGE_ILLEGAL"), (.serviceNotAvailable, "SERVICE_NOT_AVAILABLE"),
        (.noPermission, "NO_PERMISSION"), (.topicNotExist, "TOPIC_NOT_EXIST"), (.pullNotFound, "PULL_NOT_FOUND"),
        (.pullRetryImmediately, "PULL_RETRY_IMMEDIATELY"), (.pullOffsetMoved, "PULL_OFFSET_MOVED"),
        (.queryNotFound, "QUERY_NOT_FOUND"),
    ]

    /// The Java name, or nil for a code this module does not name.
    public var name: String? { ResponseCode.named.first { $0.code == self }?.name }

    public var description: String { name.map { "\($0) (\(rawValue))" } ?? "response code \(rawValue)" }
}

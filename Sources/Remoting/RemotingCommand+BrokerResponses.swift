import Bytes
import LedgerModel

/// The broker port's answers, built from the node core's results. Every `extFields` value is
/// a string (the C++ clients ignore numbers there).
extension RemotingCommand {
    /// A stored send: `msgId` is the offset message id (store host, port, physical offset; a
    /// batch's ids joined by commas, as the Java broker writes them), `queueId` and
    /// `queueOffset` those of the first message.
    public static func sendResponse(_ response: SendResponse, to request: RemotingCommand) -> RemotingCommand {
        guard let first = response.results.first else {
            return .response(to: request, code: .systemError, remark: "the send stored no message")
        }
        var fields = ExtFields()
        fields.reserveCapacity(3)
        fields.appendNew(
            name: "msgId",
            value: response.results.count == 1
                ? first.messageID : response.results.map(\.messageID).joined(separator: ","))
        fields.appendNew(name: "queueId", integer: first.queue.queueID)
        fields.appendNew(name: "queueOffset", integer: first.queueOffset.rawValue)
        return .response(to: request, extFields: fields)
    }

    /// Appends the frame of ``sendResponse(_:to:)``'s answer to `request`, byte for byte what
    /// encoding that command writes, without building it: a send's answer is the broker port's
    /// most frequent frame. Throws as ``encode(into:as:)`` does.
    public static func encodeSendResponse(
        _ response: SendResponse, to request: RemotingCommand, into bytes: inout [UInt8]
    ) throws(EncodeError) {
        guard response.results.count == 1, let result = response.results.first else {
            // A batch's answer (its ids joined) or none: rare, through the command.
            return try sendResponse(response, to: request).encode(into: &bytes)
        }
        var id = result.messageID
        let limit = jsonHeaderLimit(language: .java, remark: nil) + UnsafeByteCursor.jsonQuotedLimit(id.utf8.count)
        try appendFrame(to: &bytes, serializeType: .json, body: []) { bytes in
            id.withUTF8 { id in
                bytes.appendBytes(upTo: limit) { out in
                    // What response(to:extFields:) holds, as appendJSONHeader writes it.
                    writeJSONHeaderStart(code: ResponseCode.success.rawValue, to: &out)
                    out.write(#","extFields":{"msgId":"#)
                    out.writeJSONString(id)
                    out.write(#","queueId":""#)
                    out.writeDecimal(Int64(result.queue.queueID))
                    out.write(#"","queueOffset":""#)
                    out.writeDecimal(result.queueOffset.rawValue)
                    out.write(#""}"#)
                    writeJSONHeaderEnd(
                        flags: .response, language: .java, opaque: request.opaque, remark: nil, version: serverVersion,
                        to: &out)
                }
            }
        }
    }

    /// A pull's answer: FOUND (0, the records in the body, RocketMQ's V1 layout), NO_NEW_MSG
    /// (19), NO_MATCHED_MSG (20) or OFFSET_MOVED (21), with `nextBeginOffset`, `minOffset`,
    /// `maxOffset` and `suggestWhichBrokerId` 0 (keep pulling from the leader).
    public static func pullResponse(_ result: PullResult, to request: RemotingCommand) -> RemotingCommand {
        let code: ResponseCode =
            switch result.status {
            case .found: .success
            case .noNewMessage: .pullNotFound
            case .noMatchedMessage: .pullRetryImmediately
            case .offsetIllegal: .pullOffsetMoved
            }
        var body: [UInt8] = []
        body.reserveCapacity(result.messages.reduce(0) { $0 + $1.storeSize })
        for message in result.messages { body += message.encodedRecord() }
        let fields: ExtFields = [
            "suggestWhichBrokerId": "0",
            "nextBeginOffset": String(result.nextOffset.rawValue),
            "minOffset": String(result.minOffset.rawValue),
            "maxOffset": String(result.maxOffset.rawValue),
        ]
        return .response(to: request, code: code, extFields: fields, body: body[...])
    }

    /// An `offset` answer (GET_MAX_OFFSET, GET_MIN_OFFSET, QUERY_CONSUMER_OFFSET).
    public static func offsetResponse(_ offset: QueueOffset, to request: RemotingCommand) -> RemotingCommand {
        .response(to: request, extFields: ["offset": String(offset.rawValue)])
    }

    /// QUERY_CONSUMER_OFFSET's answer from the group's committed offsets: the one for `queue`,
    /// or 0 when the group never committed one there. The Java broker answers 0 too while the
    /// queue still starts at 0 (so a new group sees what was sent before it started); should
    /// the queue no longer start at 0, the pull at 0 answers OFFSET_MOVED with the first offset.
    public static func consumerOffsetResponse(
        _ offsets: ConsumerOffsetsResponse, queue: MessageQueue, to request: RemotingCommand
    ) -> RemotingCommand {
        let committed = offsets.progress.first { $0.queue == queue }?.committedOffset ?? .zero
        return offsetResponse(committed, to: request)
    }

    /// VIEW_MESSAGE_BY_ID's answer: the record, RocketMQ V1 layout.
    public static func viewMessageResponse(_ message: StoredMessage, to request: RemotingCommand) -> RemotingCommand {
        .response(to: request, body: message.encodedRecord()[...])
    }

    /// QUERY_MESSAGE's answer: the records of `messages` stored within `storedWithin`, oldest
    /// first, with `indexLastUpdateTimestamp` and `indexLastUpdatePhyoffset` (the newest one
    /// returned); QUERY_NOT_FOUND (22) when none is, as the Java broker answers.
    public static func queryMessageResponse(
        _ messages: [StoredMessage], storedWithin: ClosedRange<Int64>, to request: RemotingCommand
    ) -> RemotingCommand {
        let found = messages.filter { storedWithin.contains($0.storeTimestamp) }
        guard let last = found.last else {
            return .response(
                to: request, code: .queryNotFound, remark: "can not find message, maybe time range not correct")
        }
        var body: [UInt8] = []
        for message in found { body += message.encodedRecord() }
        let fields: ExtFields = [
            "indexLastUpdateTimestamp": String(last.storeTimestamp),
            "indexLastUpdatePhyoffset": String(last.physicalOffset.rawValue),
        ]
        return .response(to: request, extFields: fields, body: body[...])
    }

    /// GET_ALL_TOPIC_CONFIG's answer (``TopicConfigTable``).
    public static func topicConfigResponse(_ topics: [TopicInfo], to request: RemotingCommand) -> RemotingCommand {
        .response(to: request, body: TopicConfigTable.encodedJSON(topics)[...])
    }

    /// GET_CONSUMER_LIST_BY_GROUP's answer: `{"consumerIdList":[…]}`.
    public static func consumerListResponse(_ clientIDs: [String], to request: RemotingCommand) -> RemotingCommand {
        var writer = JSONWriter(capacity: 64 + clientIDs.count * 32)
        writer.beginObject()
        writer.key("consumerIdList")
        writer.beginArray()
        for id in clientIDs { writer.string(id) }
        writer.endArray()
        writer.endObject()
        return .response(to: request, body: writer.bytes[...])
    }

    /// A refusal by the node core. Not leading (or no leader) is SERVICE_NOT_AVAILABLE (14), what
    /// a DLedger broker that is not the master answers: the client retries and refreshes its
    /// route. A send the store refused is MESSAGE_ILLEGAL (13); a leader under back-pressure
    /// (`busy`) SYSTEM_BUSY (2), RocketMQ's own answer when a broker is flow-controlled; a full
    /// disk SERVICE_NOT_AVAILABLE (14), what a broker whose store is not writeable answers;
    /// anything else SYSTEM_ERROR (1).
    public static func errorResponse(_ error: ErrorResponse, to request: RemotingCommand) -> RemotingCommand {
        let isSend = [.sendMessage, .sendMessageV2, .sendBatchMessage].contains(request.requestCode)
        let code: ResponseCode =
            switch error.code {
            case .notLeader, .noQuorum, .diskFull: .serviceNotAvailable
            case .badRequest: isSend ? .messageIllegal : .systemError
            case .timeout, .outcomeUnknown, .internal: .systemError
            case .busy: .systemBusy
            case .noPermission: .noPermission
            }
        return .response(to: request, code: code, remark: error.description)
    }
}

extension RemotingCommand {
    /// NOTIFY_CONSUMER_IDS_CHANGED (40), broker to consumer, one-way: `group`'s members changed;
    /// the client asks for the list again (38) and rebalances.
    public static func consumerIDsChanged(group: String, opaque: Int32) -> RemotingCommand {
        RemotingCommand(
            code: RequestCode.notifyConsumerIDsChanged.rawValue, language: .java, version: serverVersion,
            opaque: opaque, flags: .oneWay, extFields: ["consumerGroup": group])
    }
}

extension RemotingCommand {
    /// CHECK_TRANSACTION_STATE (39), one-way, server to client: what became of the half message
    /// `message` (with its real topic and queue; its record is the body)? The producer answers
    /// with a new END_TRANSACTION (`fromTransactionCheck` 1), never with a response.
    public static func checkTransactionState(_ message: StoredMessage, opaque: Int32) -> RemotingCommand {
        let uniqueKey = message.property(MessageProperty.uniqueKey) ?? message.messageID
        let fields: ExtFields = [
            "tranStateTableOffset": String(message.queueOffset.rawValue),
            "commitLogOffset": String(message.physicalOffset.rawValue),
            "msgId": uniqueKey,
            "transactionId": uniqueKey,
            "offsetMsgId": message.messageID,
        ]
        return RemotingCommand(
            code: RequestCode.checkTransactionState.rawValue, language: .java, version: serverVersion, opaque: opaque,
            flags: .oneWay, extFields: fields, body: message.encodedRecord()[...])
    }
}
